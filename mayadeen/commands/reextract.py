"""``scrapy reextract``: run today's extraction over the archived pages, without the network.

``scrapy reextract`` reads the latest archived capture of each URL (``--since DATE``: captured on
or after that day; ``--urls URL ...``: only those), extracts it with the current rules and sends
the items through the crawl's validate → dedupe → store path, with the per-run feeds and a run
manifest: a changed article becomes a new version, as if fetched again. It prints, per field, how
many articles changed, with examples. ``--dry-run`` only reports (the store is not touched);
``--from FILE.warc.gz ...`` reads WARC files made elsewhere (wget ``--warc-file``, Browsertrix,
Heritrix, Common Crawl extracts), of which only on-site article responses are used.

It is a batch job, not a crawl (``mayadeen.run.batch``): no engine between the archive and the
store; ``--jobs N`` processes extract (default: the cores) and this one writes. Every page read
also gives its BREAKING ticker lines, from which the ``breaking`` table is rebuilt.
"""

import argparse
import logging
import sys
from datetime import date
from pathlib import Path
from typing import Any, ClassVar, NamedTuple

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError
from scrapy.settings import BaseSettings

from mayadeen.commands import one_line_errors, site_from_store
from mayadeen.crawl.preflight import OtherSiteError, preflight
from mayadeen.report.outcome import failure_reason
from mayadeen.run import Run
from mayadeen.run.batch import BatchCrawler
from mayadeen.run.paths import data_dir
from mayadeen.store import Store, store_path
from mayadeen.store.files import DataDirError
from mayadeen.warc.index import connection
from mayadeen.warc.jobs import default_jobs
from mayadeen.warc.replay import ReplaySpider
from mayadeen.warc.scanning import compressed_whole, is_warc

logger = logging.getLogger(__name__)

DRY_RUN_OFF = {
    # Nothing of a run is written: no run id claimed, no feeds, no manifest, no store writes.
    "EXTENSIONS": {
        f"{Run.__module__}.{Run.__qualname__}": None,
    },
    "ITEM_PIPELINES": {},
}


def _since(text: str) -> str:
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def _jobs(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of processes (1 or more)")
    return int(text)


def _urls(values: list[str] | None) -> list[str] | None:
    """``--urls`` values, separated by spaces or commas.

    >>> _urls(["a,b", "c"]), _urls(None)
    (['a', 'b', 'c'], None)
    """
    if values is None:
        return None
    return [url.strip() for value in values for url in value.split(",") if url.strip()]


class Archived(NamedTuple):
    path: Path
    captures: int

    def __bool__(self) -> bool:
        return self.captures > 0


def captures_in(settings: BaseSettings) -> Archived:
    """How many captures the store of ``MAYADEEN_DATA_DIR`` indexes."""
    path = store_path(data_dir(settings))
    with Store.open(path, readonly=True) as store:
        db = connection(store)
        (count,) = db.execute("SELECT count(*) FROM captures").fetchone() if db else (0,)
    return Archived(path, count)


class Command(ScrapyCommand):
    requires_project = True
    default_settings: ClassVar[dict[str, Any]] = {
        # One writer, large transactions: a commit every few thousand rows.
        "MAYADEEN_STORE_BATCH_SIZE": 5000,
    }
    missing_files = 0
    """``--from`` files that do not exist (skipped)."""

    def syntax(self) -> str:
        return (
            "[--since YYYY-MM-DD] [--urls URL ...] [--dry-run] [--from FILE.warc.gz ...] [--jobs N]"
        )

    def short_desc(self) -> str:
        return "Extract the archived pages again with the current rules (no network)"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        one_line_errors(parser, "reextract")
        parser.add_argument(
            "--since", type=_since, metavar="YYYY-MM-DD", help="only pages captured since then"
        )
        parser.add_argument("--urls", nargs="+", metavar="URL", help="only these URLs")
        parser.add_argument(
            "--dry-run", action="store_true", help="report what would change; store untouched"
        )
        parser.add_argument(
            "--from",
            dest="warcs",
            nargs="+",
            action="extend",
            metavar="FILE.warc.gz",
            help="read these WARC files (made elsewhere) instead of the archive",
        )
        parser.add_argument(
            "--jobs",
            type=_jobs,
            default=None,
            metavar="N",
            help="extraction processes (default: the cores)",
        )

    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        super().process_options(args, opts)
        site_from_store(self.settings)

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if args:
            raise UsageError(f"unexpected arguments: {' '.join(args)}", print_help=False)
        if opts.warcs is not None:
            opts.warcs = self._readable_warcs(opts.warcs)
            if opts.warcs is None:
                self.exitcode = 2
                return
        assert self.settings is not None
        assert self.crawler_process is not None
        if not opts.warcs and not (archived := captures_in(self.settings)):
            print(
                f"reextract: nothing archived in {archived.path}: crawl first (with "
                "MAYADEEN_ARCHIVE on), or read WARC files with --from",
                file=sys.stderr,
            )
            self.exitcode = 1
            return
        lock = None
        if opts.dry_run:
            for name, value in DRY_RUN_OFF.items():
                self.settings.set(name, value, "cmdline")
        else:  # it writes the store as a crawl does: the same checks, the same lock
            try:
                lock = preflight(self.settings)
            except DataDirError as error:
                print(f"reextract: {error}", file=sys.stderr)
                self.exitcode = 2 if isinstance(error, OtherSiteError) else 1
                return
        crawler = BatchCrawler.of(self.crawler_process, ReplaySpider)
        self.crawler_process.crawl(
            crawler,
            since=opts.since,
            urls=_urls(opts.urls),
            warcs=opts.warcs,
            dry_run=opts.dry_run,
            missing_warcs=self.missing_files,
            jobs=opts.jobs or default_jobs(),
            progress_interval=self.settings.getfloat("LOGSTATS_INTERVAL"),
        )
        self.crawler_process.start()
        if lock is not None:
            lock.release()
        spider = crawler.spider
        if self.crawler_process.bootstrap_failed or not isinstance(spider, ReplaySpider):
            self.exitcode = 1
            return
        stats = crawler.stats.get_stats() if crawler.stats else {}
        self._report(spider, crawler.get_extension(Run) if not opts.dry_run else None)
        if not opts.dry_run and (reason := failure_reason(stats)):
            self.exitcode = 1
            print(f"reextract: run failed: {reason}", file=sys.stderr)

    def _readable_warcs(self, given: list[str]) -> list[str] | None:
        """The ``--from`` files that exist, a warning for each that does not; None (with one
        line) when one is not a WARC file, or none exists: a usage error, no run recorded."""
        found = []
        for path in given:
            if not Path(path).is_file():
                print(f"reextract: {path}: no such file; skipped", file=sys.stderr)
                self.missing_files += 1
            elif not is_warc(Path(path)):
                # Its content is not quoted: --from may name any file, a symlink to /etc/...
                print(
                    f"reextract: {path}: not a WARC file (give WARC files to --from)",
                    file=sys.stderr,
                )
                return None
            elif compressed_whole(Path(path)):
                print(
                    f"reextract: {path}: gzip-compressed as one whole, not record by record, so "
                    "its records cannot be read by their offsets: recompress it record by record "
                    f"(warcio recompress {path} OUT.warc.gz) and give that file to --from",
                    file=sys.stderr,
                )
                return None
            else:
                found.append(path)
        if not found:
            print("reextract: none of the --from files exists; nothing read", file=sys.stderr)
            return None
        return found

    def _report(self, spider: ReplaySpider, run: Run | None) -> None:
        changes = spider.changes
        if run is None:
            what = f"dry run, store untouched; {spider.invalid} would be quarantined"
        elif run.opened:
            what = f"run {run.run_id}"
        else:
            what = "store unavailable"
        print(
            f"reextract: {spider.pages:,} archived pages read; {changes.articles_changed:,} "
            f"articles changed, {changes.articles_new:,} new ({what})"
        )
        if spider.offsite:
            print(
                f"reextract: {spider.offsite:,} archived pages skipped: not on {spider.root}, "
                "the site of this data directory (read another site's pages into its own)"
            )
        for line in spider.skipped_lines():
            print(line)
        for line in changes.report():
            print(line)
