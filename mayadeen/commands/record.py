"""``scrapy record URL --name NAME``: fetch a page of the site and keep it as a fixture, with the
item its extraction gives today, so fixtures can be refreshed from the live site (docs/drift.md).

Writes ``NAME.html`` and ``NAME.expected.json`` into the fixtures directory (default
``mayadeen/loopback/fixtures``, or ``--into DIR``) and its entry into ``index.json`` there; with
``--canary`` the page also joins the canary pages. Nothing is overwritten without ``--force``.
"""

import argparse
import sys
from pathlib import Path

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from mayadeen.commands import known_setting_names, one_line_errors
from mayadeen.commands.canary import capture_time, quiet_by_default
from mayadeen.drift.fetch import Fetched, fetch_pages, on_root
from mayadeen.drift.recording import CanaryFile, FixtureDirectory, RecordError, Recording
from mayadeen.drift.wayback import page_fetcher
from mayadeen.loopback.fixtures import fixtures_dir
from mayadeen.site.canary_pages import canary_pages_file
from mayadeen.site.urls import site_root


def writable(where: object, what: str) -> Path:
    """A packaged directory or file as a path that can be written, or a usage error."""
    if not isinstance(where, Path):
        raise UsageError(f"the packaged {what} cannot be written here ({where}); say where to")
    return where


class Command(ScrapyCommand):
    requires_project = True

    def syntax(self) -> str:
        return "URL --name NAME [--into DIR] [--canary | --canary-only] [--force] [--via wayback]"

    def short_desc(self) -> str:
        return "Keep a page of the site as a fixture with its current extraction"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        one_line_errors(parser, "record")
        parser.add_argument("--name", required=True, help="fixture name: a-z, 0-9 and '-'")
        parser.add_argument(
            "--into",
            metavar="DIR",
            type=Path,
            help="fixtures directory (default: mayadeen/loopback/fixtures)",
        )
        parser.add_argument("--canary", action="store_true", help="add it to the canary pages")
        parser.add_argument(
            "--canary-only",
            action="store_true",
            help="only add or refresh its canary page (with --force); write no fixture",
        )
        parser.add_argument(
            "--canary-file",
            metavar="FILE",
            type=Path,
            help="the canary pages to add it to (default: mayadeen/site/canary.json)",
        )
        parser.add_argument("--why", help="what the fixture covers (index.json 'why')")
        parser.add_argument("--force", action="store_true", help="replace a fixture of that name")
        parser.add_argument(
            "--via",
            choices=("site", "wayback"),
            default="site",
            help="record the page's newest Wayback Machine capture instead of the live page",
        )

    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        super().process_options(args, opts)
        known_setting_names(self.settings)
        quiet_by_default(self, opts)

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        assert self.settings is not None
        assert self.crawler_process is not None
        if len(args) != 1:
            raise UsageError("give one URL (or path) of the site to record")
        root = site_root(self.settings.get("MAYADEEN_BASE_URL"))
        if (url := on_root(args[0], root)) is None:
            raise UsageError(f"{args[0]!r} is not a URL of {root} or of the live site")
        fixtures = None
        if not opts.canary_only:
            fixtures = FixtureDirectory(opts.into or writable(fixtures_dir(), "fixtures directory"))
        canary = None
        if opts.canary or opts.canary_only:
            canary = CanaryFile(opts.canary_file or writable(canary_pages_file(), "canary"))
        fetched = fetch_pages(self.crawler_process, [url], page_fetcher(opts.via))[url]
        if self.crawler_process.bootstrap_failed:
            self.exitcode = 1
            return
        try:
            recording, written = self.record(fetched, root, opts, fixtures, canary)
        except RecordError as error:
            print(f"record: {error}; nothing written", file=sys.stderr)
            self.exitcode = 1
            return
        extraction = recording.extraction
        print(
            f"record: {recording.name}, a{'n' * (extraction.kind == 'article')} "
            f"{extraction.kind} page, from {fetched.url}"
            + (
                f" (the Wayback capture of {captured})"
                if (captured := capture_time(fetched))
                else ""
            )
        )
        for field, source in extraction.sources.items():
            print(f"  {field}: from {source}")
        for path in written:
            print(f"  wrote {path}")

    @staticmethod
    def record(
        fetched: Fetched,
        root: str,
        opts: argparse.Namespace,
        fixtures: FixtureDirectory | None,
        canary: CanaryFile | None,
    ) -> tuple[Recording, list[Path]]:
        """Check everything first, then write: a refused recording leaves no file changed."""
        if fetched.response is None:
            raise RecordError(f"{fetched.url}: not fetched: {fetched.failure}")
        recording = Recording.of(opts.name, fetched.response, root)
        page = recording.canary_page() if canary is not None else None
        if fixtures is not None:
            fixtures.check(recording, opts.force)
        if canary is not None and page is not None:
            canary.check(page, opts.force)
        written = fixtures.write(recording, opts.why) if fixtures is not None else []
        if canary is not None and page is not None:
            written.append(canary.write(page))
        return recording, written
