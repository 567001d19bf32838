"""One run, one context: a crawl's identity, its outputs and what the store made of each item.

The ``RunContext`` extension claims the run id in the store when the spider opens (the ``runs``
row; never earlier, so building a component writes nothing) and, until the spider closes, holds:

- the path of every output: the store, the per-run feeds, the quarantine file, the manifest;
- the run's one write connection to the store, which the pipelines write through, committed in
  batches (``MAYADEEN_STORE_BATCH_SIZE`` writes, at least every
  ``MAYADEEN_STORE_COMMIT_INTERVAL`` seconds, and at the close);
- each item's verdict (``new``, ``updated``, ``unchanged``) until the feeds have taken the item:
  the per-run feeds' ``FEEDS`` options ``item_filter`` (:class:`NewOrUpdated`) and ``uri_params``
  (:func:`run_uri_params`, the run id) ask it;
- the run's counters for its ``runs`` row.

Pipelines and extensions reach it with ``RunContext.of(crawler)`` (``crawler.get_extension``).
"""

import json
import logging
import sqlite3
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any, Final, Self

from itemadapter import ItemAdapter
from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import CloseSpider
from scrapy.extensions.feedexport import ItemFilter
from scrapy.settings import BaseSettings
from scrapy.utils.asyncio import AsyncioLoopingCall, create_looping_call
from twisted.internet.task import LoopingCall

from mayadeen.exporters import EXPORT_FORMATS
from mayadeen.items import ArticleItem
from mayadeen.pages.dates import iso_seconds
from mayadeen.store import SchemaError, Store, Verdict, store_path

logger = logging.getLogger(__name__)

COUNTS: Final = ("items_new", "items_updated", "items_unchanged", "duplicates", "quarantined")
"""The run's counters, as the ``runs`` table names its columns."""

STORE_UNAVAILABLE: Final = "store_unavailable"
"""The close reason of a crawl whose store could not be opened: closed before anything is fetched."""


def data_dir(settings: BaseSettings) -> Path:
    """``MAYADEEN_DATA_DIR`` as a path (relative paths are relative to where the crawl runs)."""
    return Path(settings["MAYADEEN_DATA_DIR"])


def feed_formats(settings: BaseSettings) -> tuple[str, ...]:
    """The per-run feeds' formats: ``MAYADEEN_FEED_FORMAT``, file extensions separated by commas.

    >>> feed_formats(BaseSettings({"MAYADEEN_FEED_FORMAT": "csv, jsonl.gz"}))
    ('csv', 'jsonl.gz')
    """
    value = settings["MAYADEEN_FEED_FORMAT"]
    entries = value.split(",") if isinstance(value, str) else list(value or ())
    formats = tuple(dict.fromkeys(entry.strip().lower() for entry in entries if entry.strip()))
    if not formats or any(name not in EXPORT_FORMATS for name in formats):
        raise ValueError(
            f"MAYADEEN_FEED_FORMAT = {value!r}: use one or more of "
            f"{', '.join(EXPORT_FORMATS)}, separated by commas"
        )
    return formats


def run_id_for(moment: datetime) -> str:
    """The run id for a crawl started at ``moment``: its UTC time, compact and sortable.

    >>> run_id_for(datetime(2026, 11, 21, 10, 15, 0, 812, tzinfo=UTC))
    '20261121T101500Z'
    """
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def feed_path(directory: Path, run_id: str, extension: str) -> Path:
    """``<data_dir>/feeds/articles-<run_id>.<extension>``.

    >>> feed_path(Path("data"), "20261121T101500Z", "jsonl.gz").as_posix()
    'data/feeds/articles-20261121T101500Z.jsonl.gz'
    """
    return directory / "feeds" / f"articles-{run_id}.{extension}"


def quarantine_path(directory: Path, run_id: str) -> Path:
    """``<data_dir>/quarantine/<run_id>.jsonl``."""
    return directory / "quarantine" / f"{run_id}.jsonl"


def manifest_path(directory: Path, run_id: str) -> Path:
    """``<data_dir>/runs/<run_id>.json``."""
    return directory / "runs" / f"{run_id}.json"


class Clock:
    """The current UTC time in the store's form, worked out once per second, not once per item."""

    def __init__(self) -> None:
        self._second = -1
        self._text = ""

    def now(self) -> str:
        second = int(time.time())
        if second != self._second:
            self._second = second
            self._text = iso_seconds(datetime.fromtimestamp(second, UTC))
        return self._text


class RunContext:
    def __init__(self, crawler: Crawler) -> None:
        assert crawler.stats is not None
        self.crawler = crawler
        self.stats = crawler.stats
        settings = crawler.settings
        self.data_dir = data_dir(settings)
        self.store_path = store_path(self.data_dir)
        self.feed_formats = feed_formats(settings)
        self.batch_size = settings.getint("MAYADEEN_STORE_BATCH_SIZE")
        self.commit_interval = settings.getfloat("MAYADEEN_STORE_COMMIT_INTERVAL")
        self.counts = dict.fromkeys(COUNTS, 0)
        self.clock = Clock()
        self._run_id: str | None = None
        self._store: Store | None = None
        self._timer: AsyncioLoopingCall | LoopingCall | None = None
        self._quarantine: IO[str] | None = None
        self._verdicts: dict[str | None, Verdict] = {}
        """URL → the store's verdict, until the feeds have taken the item."""

    @classmethod
    def of(cls, crawler: Crawler) -> "RunContext":
        """The crawl's run context, for the components that need it."""
        context = crawler.get_extension(cls)
        if context is None:
            raise RuntimeError(f"{cls.__module__}.{cls.__name__} is not in EXTENSIONS")
        return context

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        context = cls(crawler)
        crawler.signals.connect(context.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(context.spider_closed, signal=signals.spider_closed)
        return context

    # -- the run's identity and outputs ------------------------------------------------------

    @property
    def opened(self) -> bool:
        """Whether the run has its id and its store (false before the spider opens, and for a
        crawl whose store could not be opened)."""
        return self._run_id is not None

    @property
    def run_id(self) -> str:
        if self._run_id is None:
            raise RuntimeError("the run has no id before the spider opens")
        return self._run_id

    @property
    def quarantine_path(self) -> Path:
        return quarantine_path(self.data_dir, self.run_id)

    @property
    def manifest_path(self) -> Path:
        return manifest_path(self.data_dir, self.run_id)

    def feed_path(self, extension: str) -> Path:
        return feed_path(self.data_dir, self.run_id, extension)

    def outputs(self) -> dict[str, Any]:
        """The run's outputs by kind, as the manifest lists them: ``feed`` is the first of the
        per-run feeds (the CSV by default), ``feeds`` all of them."""
        feeds = [str(self.feed_path(extension)) for extension in self.feed_formats]
        return {
            "store": str(self.store_path),
            "feed": feeds[0],
            "quarantine": str(self.quarantine_path),
            "feeds": feeds,
        }

    @property
    def store(self) -> Store:
        """The run's write connection to the store."""
        if self._store is None:
            raise RuntimeError("the store is open only while the spider is")
        return self._store

    # -- opening and closing -----------------------------------------------------------------

    def spider_opened(self, spider: Spider) -> None:
        started = datetime.now(UTC)
        try:
            store = self._store = Store.open(self.store_path)
            # Claimed under the store's write lock: two crawls started within the same second
            # (by cron, or workers of a shared crawl sharing the data directory) get distinct ids.
            self._run_id = store.claim_run(run_id_for(started), iso_seconds(started))
        except (OSError, sqlite3.Error, SchemaError) as error:
            # Nothing fetched could be kept: the crawl is closed before it fetches anything.
            logger.error("store: cannot open %s: %s", self.store_path, error)
            if self._store is not None:
                self._store.close()
                self._store = None
            raise CloseSpider(STORE_UNAVAILABLE) from None
        store.batch_size, store.commit_interval = max(1, self.batch_size), self.commit_interval
        if self.commit_interval > 0:  # a quiet batch is committed too
            self._timer = create_looping_call(self._commit_if_due)
            self._timer.start(self.commit_interval, now=False)
        # Connected now, after every component built with the crawler: the feed exporter's
        # handler of the same signal has asked for the item's verdict by the time this runs.
        self.crawler.signals.connect(self._forget_verdict, signal=signals.item_scraped)
        logger.info("store: %s, run %s", self.store_path, self._run_id)

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if self._quarantine is not None:
            self._quarantine.close()
            self._quarantine = None
        if self._timer is not None and self._timer.running:
            self._timer.stop()
        if self._store is None:
            return
        self._commit(self._store.commit())
        self._store.finish_run(self.run_id, self.clock.now(), reason, self.counts)
        self._store.close()
        self._store = None
        logger.info(
            "store: run %s %s: %d new, %d updated, %d unchanged, %d duplicates, %d quarantined",
            self.run_id,
            reason,
            *self.counts.values(),
        )

    # -- what happened to each item ----------------------------------------------------------

    def _commit_if_due(self) -> None:
        self._commit(self.store.commit_if_due())

    def _commit(self, writes: int) -> None:
        if writes:
            self.stats.inc_value("mayadeen/store/commits")

    def store_article(self, item: ArticleItem) -> Verdict:
        """Write an article to the store; returns and keeps the store's verdict on it."""
        verdict = self.store.put(item, self.clock.now())
        self._commit_if_due()
        self.counts[f"items_{verdict}"] += 1
        self.stats.inc_value(f"mayadeen/items/{verdict}")
        self._verdicts[item.url] = verdict
        return verdict

    def verdict(self, item: Any) -> Verdict | None:
        """The store's verdict on an item on its way to the feeds (None: not stored)."""
        return self._verdicts.get(ItemAdapter(item).get("url"))

    def _forget_verdict(self, item: Any) -> None:
        self._verdicts.pop(ItemAdapter(item).get("url"), None)

    def duplicate(self, url: str, original: str, content_hash: str | None, kind: str) -> None:
        """Count a duplicate; the same content under another URL is kept as an alias of it."""
        self.counts["duplicates"] += 1
        if kind == "content":
            self.store.add_alias(url, original, content_hash, self.clock.now())
            self._commit_if_due()

    def quarantine(self, values: dict[str, Any], reasons: list[str]) -> None:
        """Keep an invalid item with its reasons: a line of the run's quarantine file (written
        and flushed at once, so a crash keeps it) and a row of the store's ``quarantine``."""
        record = {
            "run_id": self.run_id,
            "quarantined_at": iso_seconds(datetime.now(UTC)),
            "url": values.get("url"),
            "reasons": reasons,
            "item": values,
        }
        if self._quarantine is None:
            self.quarantine_path.parent.mkdir(parents=True, exist_ok=True)
            self._quarantine = self.quarantine_path.open("a", encoding="utf-8")
        self._quarantine.write(json.dumps(record, ensure_ascii=False, default=str) + "\n")
        self._quarantine.flush()
        self.store.quarantine(values, reasons, self.run_id, self.clock.now())
        self._commit_if_due()
        self.counts["quarantined"] += 1

    def remember_non_article(self, url: str, kind: str) -> None:
        """Keep a page that said it is not an article, so the next run does not fetch it."""
        self.store.remember_non_article(url, kind, self.run_id, self.clock.now())
        self._commit_if_due()


def run_uri_params(params: dict[str, Any], spider: Spider) -> dict[str, Any]:
    """``FEEDS`` ``uri_params``: Scrapy's parameters and the run id, ``%(run_id)s``."""
    return {**params, "run_id": RunContext.of(spider.crawler).run_id}


class NewOrUpdated(ItemFilter):
    """``FEEDS`` ``item_filter``: the articles the store found new or updated in this run (an item
    the store never saw, with no store pipeline, counts as new). Scrapy's own feed exporter builds
    filters from the feed's options alone; ``mayadeen.extensions.run_feeds.FeedExporter`` builds
    this one with the crawler."""

    def __init__(self, feed_options: dict[str, Any] | None, crawler: Crawler) -> None:
        super().__init__(feed_options)
        self.crawler = crawler
        self._context: RunContext | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler, feed_options: dict[str, Any] | None) -> Self:
        return cls(feed_options, crawler)

    def accepts(self, item: Any) -> bool:
        # Built with the feed exporter, while the extensions are being built: the run context
        # is looked up when the first item comes.
        if self._context is None:
            self._context = RunContext.of(self.crawler)
        return self._context.verdict(item) != "unchanged" and super().accepts(item)
