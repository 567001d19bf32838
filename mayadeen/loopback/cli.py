"""Command line of the loopback site: ``scrapy loopback`` and ``python -m mayadeen.loopback``."""

import argparse
import sys
import time
from typing import NoReturn
from urllib.parse import urlsplit

from mayadeen.loopback.faults import FaultSpecError, parse_fault
from mayadeen.loopback.fixtures import FixtureSite
from mayadeen.loopback.generator import GeneratedSite
from mayadeen.loopback.server import LoopbackServer
from mayadeen.loopback.ticker import Ticker
from mayadeen.loopback.webarchives import WebArchives

DESCRIPTION = "Serve a loopback copy of english.almayadeen.net on 127.0.0.1."


MIN_ARTICLES, MAX_ARTICLES = 10, 100_000
"""The sizes ``--articles`` serves (the README's): fewer give a site with empty sections."""


def article_count(text: str) -> int:
    """``--articles``' value: a whole number from ``MIN_ARTICLES`` to ``MAX_ARTICLES``.

    >>> article_count("500")
    500
    >>> article_count("5")
    Traceback (most recent call last):
    ...
    argparse.ArgumentTypeError: 5 articles: give 10 to 100000
    """
    try:
        count = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a number of articles: give {MIN_ARTICLES} to {MAX_ARTICLES}"
        ) from None
    if not MIN_ARTICLES <= count <= MAX_ARTICLES:
        raise argparse.ArgumentTypeError(f"{count} articles: give {MIN_ARTICLES} to {MAX_ARTICLES}")
    return count


def add_arguments(parser: argparse.ArgumentParser) -> None:
    which = parser.add_mutually_exclusive_group()
    which.add_argument(
        "--articles",
        type=article_count,
        default=200,
        metavar="N",
        help=f"generate a site of N articles (default 200; {MIN_ARTICLES} to {MAX_ARTICLES})",
    )
    which.add_argument(
        "--fixtures", action="store_true", help="serve the hand-checked fixture pages instead"
    )
    parser.add_argument("--seed", type=int, default=0, help="generator seed (default 0)")
    parser.add_argument(
        "--host", default="127.0.0.1", help="loopback address to listen on (default 127.0.0.1)"
    )
    parser.add_argument(
        "--port", type=int, default=8123, help="port (default 8123; 0 picks a free one)"
    )
    parser.add_argument(
        "--fault",
        action="append",
        default=[],
        metavar="SPEC",
        help="misbehave on some paths, e.g. '/rss=block' or '/news/*=status:503*2' (repeatable)",
    )
    parser.add_argument(
        "--archives",
        action="store_true",
        help="also serve copies of the Wayback Machine's and Common Crawl's interfaces holding "
        "captures of the site, on the next port (for -a via=wayback|commoncrawl)",
    )


def serve(options: argparse.Namespace) -> int:
    try:
        faults = [parse_fault(spec) for spec in options.fault]
    except FaultSpecError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    started = time.perf_counter()
    site = FixtureSite() if options.fixtures else GeneratedSite(options.articles, options.seed)
    what = (
        "fixture pages"
        if options.fixtures
        else f"{options.articles} generated articles (seed {options.seed})"
    )
    try:
        server = LoopbackServer(site, options.host, options.port, faults, ticker=Ticker())
    except (OSError, ValueError) as error:
        print(f"error: cannot listen on {options.host}:{options.port}: {error}", file=sys.stderr)
        return 2
    # The first line is the root alone, so scripts can read it from the pipe.
    print(server.root, flush=True)
    print(f"loopback site: {what}, built in {time.perf_counter() - started:.1f}s", file=sys.stderr)
    print(try_command(server.root), file=sys.stderr, flush=True)
    archives = serve_archives(site, server, options) if options.archives else None
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
        if archives is not None:
            archives.stop()
    return 0


def serve_archives(
    site: FixtureSite | GeneratedSite, server: LoopbackServer, options: argparse.Namespace
) -> LoopbackServer | None:
    """The web archives' copies (``mayadeen.loopback.webarchives``) on the port after the site's."""
    archives = WebArchives(site, server.root)
    archives.capture_site()
    try:
        running = LoopbackServer(archives, options.host, options.port + 1 if options.port else 0)
    except OSError as error:
        print(f"error: cannot serve the archives: {error}", file=sys.stderr)
        return None
    running.start()
    root = running.root
    print(
        f"web archives: {root} (try: add -s MAYADEEN_ARCHIVE_DELAY=0 and -a via=wayback "
        f"-s MAYADEEN_WAYBACK_URL={root}, or "
        f"-a via=commoncrawl -s MAYADEEN_COMMONCRAWL_INDEX_URL={root} "
        f"-s MAYADEEN_COMMONCRAWL_DATA_URL={root})",
        file=sys.stderr,
        flush=True,
    )
    return running


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m mayadeen.loopback", description=DESCRIPTION)

    def error(message: str) -> NoReturn:  # one line, as ``scrapy loopback``'s
        parser.exit(2, f"python -m mayadeen.loopback: error: {message}\n")

    parser.error = error  # type: ignore[method-assign]
    add_arguments(parser)
    return serve(parser.parse_args(argv))


def try_command(root: str) -> str:
    """The crawl to try against the loopback site: its own data directory, fixed so that running
    it again tries an incremental run (a data directory belongs to one site, named here by its
    port, and the production ``data/`` is not for try-outs), and politeness off (at the live
    site's one request a second, a 500-article try-out takes minutes, not seconds).

    >>> for part in try_command("http://127.0.0.1:8123").split(" -s "):
    ...     print(part)
    try: MAYADEEN_DATA_DIR=/tmp/mayadeen-loopback-8123 scrapy crawl articles
    MAYADEEN_BASE_URL=http://127.0.0.1:8123
    DOWNLOAD_DELAY=0
    AUTOTHROTTLE_ENABLED=0
    CONCURRENT_REQUESTS_PER_DOMAIN=8   (Ctrl-C stops; run it again for an incremental run)
    """
    port = urlsplit(root).port
    return (
        f"try: MAYADEEN_DATA_DIR=/tmp/mayadeen-loopback-{port} scrapy crawl articles"
        f" -s MAYADEEN_BASE_URL={root}"
        " -s DOWNLOAD_DELAY=0 -s AUTOTHROTTLE_ENABLED=0 -s CONCURRENT_REQUESTS_PER_DOMAIN=8"
        "   (Ctrl-C stops; run it again for an incremental run)"
    )
