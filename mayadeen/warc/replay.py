"""The spider of ``scrapy reextract``: archived pages through today's ``extract()``, no network,
and no engine: a batch job (``mayadeen.run.batch``).

Its ``batch()`` reads the archived responses in file order (``mayadeen.warc.sources``: the latest
capture of each URL, narrowed by ``since`` and ``urls``), extracts them in ``jobs`` processes
(``mayadeen.warc.jobs``) and sends each article through the crawl's pipeline steps (validate →
dedupe → store, called directly: ``ItemSteps``) and the per-run feeds, exactly as if the page had
been fetched again: a changed article becomes a new version, an unchanged one stays. Each stored
article names the capture it came from. Every status-200 capture of the site's pages is also
read for its BREAKING ticker, and the ``breaking`` table rebuilt from them. ``dry_run`` only
validates and compares with the store, which it never writes.

The run closes with the reason ``reextracted`` (a success that is no crawl: the next incremental
crawl still starts from the last *crawl* that finished).
"""

import asyncio
import logging
from functools import cached_property
from pathlib import Path
from typing import Any, Final, Self

import scrapy
from scrapy import signals
from scrapy.crawler import Crawler

from mayadeen.items import ArticleItem, Provenance
from mayadeen.run import Run
from mayadeen.run.batch import BatchCrawler, ItemSteps
from mayadeen.run.paths import data_dir
from mayadeen.site.urls import site_root
from mayadeen.store import Store, store_path
from mayadeen.store.breaking import Sightings
from mayadeen.store.rows import item_dict, item_values
from mayadeen.warc.changes import Changes
from mayadeen.warc.index import connection, stored_article, superseded_article
from mayadeen.warc.jobs import Chunk, Read, extracted
from mayadeen.warc.progress import Progress
from mayadeen.warc.sources import ForeignScan, Source, indexed_sources
from mayadeen.warc.writing import Written

logger = logging.getLogger(__name__)

REEXTRACTED: Final = "reextracted"
"""The close reason of a re-extraction that ran its course."""
SHUTDOWN: Final = "shutdown"
"""The close reason of one stopped by Ctrl-C (Scrapy's, for a crawl): what was read is kept."""


class ReplaySpider(scrapy.Spider):
    name = "reextract"

    def __init__(
        self,
        *args: Any,
        since: str | None = None,
        urls: list[str] | None = None,
        warcs: list[str] | None = None,
        dry_run: bool = False,
        missing_warcs: int = 0,
        jobs: int = 1,
        progress_interval: float = 0.0,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.missing_warcs = missing_warcs
        """``--from`` files given that did not exist (skipped by the command)."""
        self.since = since
        self.urls = urls
        self.warcs = [Path(path) for path in warcs or ()]
        self.dry_run = dry_run
        self.jobs = jobs
        self.progress_interval = progress_interval
        self.changes = Changes()
        self.pages = 0
        self.invalid = 0
        self.offsite = 0
        """Archived pages of another site root than ``MAYADEEN_BASE_URL``: skipped."""
        self.missing: set[Path] = set()
        self.unavailable = 0
        self.oversized = 0
        self.sightings = Sightings()
        self._reader: Store | None = None
        self._foreign: ForeignScan | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> Self:
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider.item_stored, signal=signals.item_scraped)
        return spider

    @cached_property
    def max_bytes(self) -> int:
        """A page decompressed is bounded as a download is (``DOWNLOAD_MAXSIZE``)."""
        return self.settings.getint("DOWNLOAD_MAXSIZE")

    @cached_property
    def root(self) -> str:
        return site_root(self.settings.get("MAYADEEN_BASE_URL"))

    def stat(self, key: str, value: int = 1) -> None:
        if value:
            self.crawler.stats.inc_value(f"mayadeen/reextract/{key}", value)

    # -- which pages ---------------------------------------------------------------------------

    def sources(self) -> list[Source]:
        """The archived responses to read, in file order."""
        if self.warcs:
            foreign = self._foreign = ForeignScan(self.root, self.max_bytes, self.since, self.urls)
            found = foreign.sources(self.warcs)
            self.offsite += foreign.offsite
            for key, value in (
                ("offsite", foreign.offsite),
                ("foreign/skipped", foreign.skipped),
                ("damaged", foreign.report.damaged),
                ("skipped_bytes", foreign.report.skipped_bytes),
                ("oversized", foreign.report.oversized),
            ):
                self.stat(key, value)
            return found
        directory = data_dir(self.settings) / "archive"
        with Store.open(store_path(data_dir(self.settings)), readonly=True) as store:
            db = connection(store)
            return indexed_sources(db, directory, self.since, self.urls) if db else []

    # -- the job -------------------------------------------------------------------------------

    async def batch(self) -> str:
        sources = self.sources()
        run = None if self.dry_run else Run.of(self.crawler)
        steps = None if run is None else ItemSteps(self.crawler)
        self._reader = Store.open(store_path(data_dir(self.settings)), readonly=True)
        progress = Progress(len(sources), interval=self.progress_interval, label="reextract: ")
        if steps is not None:
            steps.open(self)
        reason, read = REEXTRACTED, extracted(sources, self.root, self.max_bytes, self.jobs)
        try:
            for chunk in read:
                self._take_chunk(chunk, run, steps)
                progress.advance(len(chunk.reads))
                await asyncio.sleep(0)  # Ctrl-C is heard between chunks
                if isinstance(self.crawler, BatchCrawler) and self.crawler.stop_requested:
                    reason = SHUTDOWN  # what was read is kept, the run closed as ever
                    break
        finally:
            read.close()  # the workers stopped, if any are left
            progress.close()
            if steps is not None:
                steps.close(self)
            self._reader.close()
        if run is not None:
            run.writer.rebuild_breaking(self.sightings)
        self._count_end()
        return reason

    def _take_chunk(self, chunk: Chunk, run: Run | None, steps: ItemSteps | None) -> None:
        self.missing.update(chunk.missing)
        for key, value in chunk.counts.items():
            self.crawler.stats.inc_value(key, value)
        for source, read in chunk.reads:
            self._take(source, read, run, steps)

    def _count_end(self) -> None:
        self.stat("unavailable", self.unavailable)
        self.stat("missing_files", len(self.missing) + self.missing_warcs)
        self.stat("oversized", self.oversized)
        for key, value in self.changes.stats():
            self.stat(key, value)

    def _take(self, source: Source, read: Read, run: Run | None, steps: ItemSteps | None) -> None:
        """What the parent does with one source's read: count it, keep its ticker lines, and
        send its article through the pipeline steps (or, dry, compare it with the store)."""
        if not source.article:  # an older capture, or a page of no article: its ticker only
            self._see(read, run)
            return
        if read.outcome == "offsite":
            self.stat("offsite")
            self.offsite += 1
            return
        if read.outcome == "unreadable":
            self.stat("unreadable")
            self.unavailable += read.unavailable
            self.oversized += read.oversized
            return
        self.pages += 1
        self.stat("pages")
        if read.outcome == "not_html":
            self.stat("not_html")
            return
        self._see(read, run)
        if (item := read.item) is None:
            return
        if run is None or steps is None:
            self._dry(item, read.problems)
            return
        if (capture := source.capture_id) is None:
            # Indexed only when it is used: an invalid page is quarantined, no capture.
            if read.problems:
                item.provenance = Provenance(problems=read.problems)
                steps.process(item, self)
                return
            capture = self._index(run, source)
        item.provenance = Provenance(capture=capture, signed=read.signed, problems=read.problems)
        steps.process(item, self)

    def _see(self, read: Read, run: Run | None) -> None:
        """The page's ticker lines, counted as the crawl counts them, kept for the rebuild."""
        if read.sighting is None:
            return
        stats = self.crawler.stats
        stats.inc_value("mayadeen/ticker/pages")
        if not read.lines:
            stats.inc_value("mayadeen/ticker/pages_without")
            return
        stats.inc_value("mayadeen/ticker/lines_read", len(read.lines))
        if run is not None:
            self.sightings.add(
                ((line.text, line.attribution) for line in read.lines), read.sighting
            )

    def skipped_lines(self) -> list[str]:
        """What was not read, one line each: files missing (``--from`` ones given and ones
        indexed earlier), pages too large, damaged bytes skipped."""
        missing = self.missing_warcs + len(self.missing)
        scanned = self._foreign.report if self._foreign is not None else None
        lines = []
        if missing:
            lines.append(
                f"reextract: {missing:,} WARC files missing; {self.unavailable:,} archived "
                "pages in them unavailable"
            )
        if oversized := (scanned.oversized if scanned else 0) + self.oversized:
            lines.append(
                f"reextract: {oversized:,} records skipped: larger than DOWNLOAD_MAXSIZE="
                f"{self.max_bytes} once decompressed"
            )
        if scanned is not None and scanned.damaged:
            lines.append(
                f"reextract: {scanned.damaged:,} damaged records skipped "
                f"({scanned.skipped_bytes:,} bytes); the records after them were read"
            )
        return lines

    def _index(self, run: Run, source: Source) -> int:
        """Index a foreign WARC's record in ``captures`` (by its absolute path)."""
        written = Written(
            str(source.path),
            source.offset,
            source.length,
            source.captured_at,
            source.digest,
            "response",
            200,
        )
        return run.writer.index_record(source.url, written)

    def _stored(self, url: str) -> dict[str, Any] | None:
        db = connection(self._reader) if self._reader is not None else None
        return stored_article(db, url) if db else None

    def _dry(self, item: ArticleItem, problems: tuple[str, ...]) -> None:
        if problems:
            self.invalid += 1
            self.stat("invalid")
            return
        self.changes.add(item.url or "", self._stored(item.url or ""), item_dict(item_values(item)))

    # -- what became of each item --------------------------------------------------------------

    def item_stored(self, item: Any, **kwargs: Any) -> None:
        """Count what the store made of a re-extracted article: for an updated one, compare
        with the version it superseded (the store has just kept it in ``article_versions``)."""
        if not isinstance(item, ArticleItem):
            return
        verdict, url = item.provenance.verdict, item.url or ""
        if verdict == "new":
            self.changes.add(url, None, {})
        elif verdict == "updated":
            before = superseded_article(Run.of(self.crawler).writer.store.db, url)
            self.changes.add(url, before or {}, item_dict(item_values(item)))
