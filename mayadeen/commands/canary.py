"""``scrapy canary``: fetch the canary pages (known live articles, ``canary_pages_file()``),
extract them and say, field by field, what differs from what they gave when recorded.

The first thing to run when the live site changes (docs/drift.md). Exit status 0 when every page
matches, 1 when a page differs or could not be fetched (the output says which and why).
"""

import argparse
from pathlib import Path
from urllib.parse import urlsplit

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError
from scrapy.utils.conf import arglist_to_dict

from mayadeen.commands import known_setting_names, one_line_errors
from mayadeen.drift.expectations import (
    CanaryPage,
    PageReport,
    check,
    load_pages,
    passed,
    render_json,
    render_text,
)
from mayadeen.drift.fetch import Fetched, fetch_pages, on_root
from mayadeen.drift.sampled import across_samples, canary_sources, check_sample
from mayadeen.drift.ticker import ticker_finding
from mayadeen.drift.wayback import page_fetcher
from mayadeen.site.urls import normalize_path, site_root
from mayadeen.webarchives.captures import ORIGIN_META, Capture


def quiet_by_default(command: ScrapyCommand, opts: argparse.Namespace) -> None:
    """Log warnings and errors only (blocks, retries given up), unless the user asked for a level:
    the command's own report is what its user reads."""
    assert command.settings is not None
    if not opts.loglevel and "LOG_LEVEL" not in arglist_to_dict(opts.set):
        command.settings.set("LOG_LEVEL", "WARNING", priority="cmdline")


def chosen_pages(pages: list[CanaryPage], wanted: list[str]) -> list[CanaryPage]:
    """The pages named by ``wanted`` (names, URLs or paths), in the list's order; all without."""
    if not wanted:
        return pages
    chosen = []
    for entry in wanted:
        path = normalize_path(urlsplit(entry).path)
        found = [
            p for p in pages if entry == p.name or path == normalize_path(urlsplit(p.url).path)
        ]
        if not found:
            raise UsageError(
                f"{entry!r} is not a canary page (known: {', '.join(p.name for p in pages)}); "
                "add one with: scrapy record URL --name NAME --canary",
                print_help=False,
            )
        chosen += [page for page in found if page not in chosen]
    return [page for page in pages if page in chosen]


def capture_time(fetched: Fetched | None) -> str | None:
    """When the archive captured a page read from it (None: read from the site)."""
    if fetched is None or fetched.response is None:
        return None
    capture = fetched.response.meta.get(ORIGIN_META)
    return capture.captured_at if isinstance(capture, Capture) else None


def ticker_report(
    fetched: dict[str, Fetched], home: list[str], pages: list[str]
) -> list[PageReport]:
    """The BREAKING ticker's report: of the home page's capture (always shown), else of the
    canary pages read from the site (shown only when none of them yields a line)."""
    if home:
        return [ticker_finding([fetched[url] for url in home])]
    finding = ticker_finding([fetched[url] for url in pages if url in fetched])
    return [finding] if finding.status == "differs" else []


class Command(ScrapyCommand):
    requires_project = True

    def syntax(self) -> str:
        return "[NAME|URL ...] [--json] [--canary-file FILE] [--via wayback [--sample N]]"

    def short_desc(self) -> str:
        return "Fetch known live articles and show, field by field, what no longer matches"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        one_line_errors(parser, "canary")
        parser.add_argument("--json", action="store_true", help="print the report as JSON")
        parser.add_argument(
            "--canary-file",
            metavar="FILE",
            type=Path,
            help="the canary pages and expectations (default: mayadeen/site/canary.json)",
        )
        parser.add_argument(
            "--via",
            choices=("site", "wayback"),
            default="site",
            help="read the pages' newest Wayback Machine captures instead of the site",
        )
        parser.add_argument(
            "--sample",
            metavar="N",
            type=int,
            default=0,
            help="with --via wayback: also check the newest captures of N other articles",
        )

    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        super().process_options(args, opts)
        known_setting_names(self.settings)
        quiet_by_default(self, opts)

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        assert self.settings is not None
        assert self.crawler_process is not None
        pages = chosen_pages(load_pages(opts.canary_file), args)
        root = site_root(self.settings.get("MAYADEEN_BASE_URL"))
        urls = {}
        for page in pages:
            if (url := on_root(page.url, root)) is None:
                raise UsageError(f"canary page {page.name}: {page.url} is not a site URL")
            urls[page.name] = url
        if opts.sample and opts.via != "wayback":
            raise UsageError(
                "--sample N reads archived captures: use it with --via wayback", print_help=False
            )
        if opts.sample < 0:
            raise UsageError(
                f"--sample {opts.sample}: give a number of articles, 0 or more", print_help=False
            )
        # Through the archive, its newest capture of the home page, for the BREAKING ticker.
        home = [f"{root}/"] if opts.via == "wayback" else []
        fetched = fetch_pages(
            self.crawler_process,
            [*urls.values(), *home],
            page_fetcher(opts.via),
            sample=opts.sample,
        )
        if self.crawler_process.bootstrap_failed:
            self.exitcode = 1
            return
        reports = [check(page, fetched[urls[page.name]], root) for page in pages]
        sources = canary_sources([page.sources for page in load_pages(opts.canary_file)])
        samples = [
            check_sample(fetched[url], root, sources)
            for url in fetched
            if url not in urls.values() and url not in home
        ]
        reports += [report for report, _ in samples]
        reports += ticker_report(fetched, home, list(urls.values()))
        for report in reports:
            if (captured := capture_time(fetched.get(report.url))) is not None:
                report.notes.insert(0, f"read from the Wayback capture of {captured}")
        across = across_samples([e for _, e in samples if e is not None], sources)
        reports += [across] if across is not None else []
        print((render_json if opts.json else render_text)(reports, root), flush=True)
        self.exitcode = 0 if passed(reports) else 1
