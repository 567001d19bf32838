"""The spider of ``scrapy reextract``: archived pages through today's ``extract()``, no network.

It yields, from ``start()``, one item per archived article page (the latest capture of each URL,
narrowed by ``since`` and ``urls``), and Scrapy sends each through the crawl's pipelines
(validate → dedupe → store) and per-run feeds, exactly as if the page had been fetched again: a
changed article becomes a new version, an unchanged one stays. Each stored article names the
capture it came from. ``dry_run`` only validates and compares with the store, which it never
writes.

The run closes with the reason ``reextracted`` (a success that is no crawl: the next incremental
crawl still starts from the last *crawl* that finished).
"""

import logging
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any, Final, Self

import scrapy
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider
from scrapy.utils.defer import deferred_from_coro

from mayadeen.items import ArticleItem, Provenance
from mayadeen.pages.extract import count, extract
from mayadeen.run import Run
from mayadeen.run.paths import data_dir
from mayadeen.site.origin import archived_on_site
from mayadeen.site.urls import canonical_url, may_be_article, site_root
from mayadeen.site.validity import problems
from mayadeen.store import Store, store_path
from mayadeen.store.rows import as_dict, item_dict, item_values
from mayadeen.warc.changes import Changes
from mayadeen.warc.index import (
    capture_path,
    connection,
    latest_captures,
    stored_article,
    superseded_article,
)
from mayadeen.warc.reading import Pages
from mayadeen.warc.responses import as_response, warc_moment
from mayadeen.warc.scanning import ScanReport, scan
from mayadeen.warc.writing import Written

logger = logging.getLogger(__name__)

REEXTRACTED: Final = "reextracted"
"""The close reason of a re-extraction that ran its course."""


@dataclass(frozen=True)
class Source:
    """An archived response to re-extract: where it is, and its capture id once indexed."""

    path: Path
    offset: int
    url: str
    captured_at: str
    capture_id: int | None = None
    length: int = 0
    digest: str = ""


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
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.missing_warcs = missing_warcs
        """``--from`` files given that did not exist (skipped by the command)."""
        self.since = since
        self.urls = urls
        self.warcs = [Path(path) for path in warcs or ()]
        self.dry_run = dry_run
        self.changes = Changes()
        self.pages = 0
        self.invalid = 0
        self.offsite = 0
        """Archived pages of another site root than ``MAYADEEN_BASE_URL``: skipped."""
        self._reader: Store | None = None
        self._pages = Pages()
        self._scanned = ScanReport()
        self._closing = False

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> Self:
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider.item_stored, signal=signals.item_scraped)
        crawler.signals.connect(spider.idle, signal=signals.spider_idle)
        crawler.signals.connect(spider.closed_reader, signal=signals.spider_closed)
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
            return self._foreign()
        directory = data_dir(self.settings) / "archive"
        with Store.open(store_path(data_dir(self.settings)), readonly=True) as store:
            db = connection(store)
            captures = latest_captures(db, self.since, self.urls) if db else []
        return [
            Source(capture_path(directory, c.file), c.offset, c.url, c.captured_at, c.id)
            for c in captures
        ]

    def _foreign(self) -> list[Source]:
        """The latest on-site article response of each URL in WARCs made elsewhere."""
        latest: dict[str, Source] = {}
        wanted = set(self.urls) if self.urls is not None else None
        for path in self.warcs:
            responses = scan(path.resolve(), frozenset({"response"}), self.max_bytes, self._scanned)
            for record in responses:
                if not archived_on_site(record.url, self.root):  # another service's page
                    self.stat("offsite")
                    self.offsite += 1
                    continue
                url = canonical_url(record.url, self.root)
                if url is None or not may_be_article(url) or record.status != 200:
                    self.stat("foreign/skipped")
                    continue
                if (wanted is not None and url not in wanted) or (
                    self.since and record.captured_at < self.since
                ):
                    continue
                if url not in latest or record.captured_at >= latest[url].captured_at:
                    latest[url] = Source(
                        record.file,
                        record.offset,
                        url,
                        record.captured_at,
                        None,
                        record.length,
                        record.payload_digest or "",
                    )
        self.stat("damaged", self._scanned.damaged)
        self.stat("skipped_bytes", self._scanned.skipped_bytes)
        self.stat("oversized", self._scanned.oversized)
        return sorted(latest.values(), key=lambda s: (str(s.path), s.offset))

    # -- reading them --------------------------------------------------------------------------

    async def start(self) -> AsyncIterator[Any]:
        path = store_path(data_dir(self.settings))
        self._reader = Store.open(path, readonly=True)
        self._pages = Pages(self.max_bytes)
        run = None if self.dry_run else Run.of(self.crawler)
        for source in self.sources():
            for item in self._items(source):
                if run is None:
                    self._dry(item)
                    continue
                if (capture := source.capture_id) is None:
                    # Indexed only when it is used: an invalid page is quarantined, no capture.
                    if problems(as_dict(item), self.root):
                        yield item
                        continue
                    capture = self._index(run, source)
                item.provenance = Provenance(capture=capture)
                yield item
        self.stat("unavailable", self._pages.unavailable)
        self.stat("missing_files", len(self._pages.missing) + self.missing_warcs)
        self.stat("oversized", self._pages.oversized)

    def _items(self, source: Source) -> Iterator[ArticleItem]:
        if canonical_url(source.url, self.root) is None:  # archived under another root
            self.stat("offsite")
            self.offsite += 1
            return
        page = self._pages.read(source.path, source.offset)
        if page is None:
            self.stat("unreadable")
            return
        self.pages += 1
        self.stat("pages")
        response = as_response(page)
        if response is None:
            self.stat("not_html")
            return
        extraction = extract(response, self.root, warc_moment(page.captured_at))
        count(self.crawler.stats, extraction)
        if extraction.item is not None:
            yield extraction.item

    def skipped_lines(self) -> list[str]:
        """What was not read, one line each: files missing (``--from`` ones given and ones
        indexed earlier), pages too large, damaged bytes skipped."""
        missing = self.missing_warcs + len(self._pages.missing)
        lines = []
        if missing:
            lines.append(
                f"reextract: {missing:,} WARC files missing; {self._pages.unavailable:,} archived "
                "pages in them unavailable"
            )
        if oversized := self._scanned.oversized + self._pages.oversized:
            lines.append(
                f"reextract: {oversized:,} records skipped: larger than DOWNLOAD_MAXSIZE="
                f"{self.max_bytes} once decompressed"
            )
        if self._scanned.damaged:
            lines.append(
                f"reextract: {self._scanned.damaged:,} damaged records skipped "
                f"({self._scanned.skipped_bytes:,} bytes); the records after them were read"
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

    def _dry(self, item: ArticleItem) -> None:
        if problems(as_dict(item), self.root):
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

    def idle(self, spider: scrapy.Spider) -> None:
        """Everything read and stored: close with ``reextracted``."""
        if not self._closing:
            self._closing = True
            for key, value in self.changes.stats():
                self.stat(key, value)
            deferred_from_coro(self.crawler.engine.close_spider_async(reason=REEXTRACTED))
            raise DontCloseSpider

    def closed_reader(self, spider: scrapy.Spider) -> None:
        self._pages.close()
        if self._reader is not None:
            self._reader.close()
