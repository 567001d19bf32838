"""The store pipeline: every valid item into ``<MAYADEEN_DATA_DIR>/articles.sqlite``.

Writes are committed in batches: every ``MAYADEEN_STORE_BATCH_SIZE`` items, at least every
``MAYADEEN_STORE_COMMIT_INTERVAL`` seconds (a killed crawl loses no more), and when the spider
closes. Only committed rows are visible to other connections, so an article is *known* (to the next
run, to an incremental crawl reading the store) once its batch is committed.

The pipeline also records the run (``runs`` row at open, finish time and close reason on
``spider_closed``) and what the pipelines before it dropped (``item_dropped``): invalid items into
``quarantine``, content duplicates into ``aliases``.
"""

import logging
import time
from datetime import UTC, datetime
from typing import Any, Self

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.utils.asyncio import AsyncioLoopingCall, create_looping_call
from twisted.internet.task import LoopingCall

from mayadeen.pages.dates import iso_seconds
from mayadeen.pipelines.drops import DuplicateItem, InvalidItem
from mayadeen.run import crawl_run, data_dir
from mayadeen.store import Store, store_path

logger = logging.getLogger(__name__)


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


class StorePipeline:
    def __init__(self, crawler: Crawler) -> None:
        assert crawler.stats is not None
        self.stats = crawler.stats
        self.run = crawl_run(crawler)
        self.path = store_path(data_dir(crawler))
        self.batch_size = max(1, crawler.settings.getint("MAYADEEN_STORE_BATCH_SIZE", 1000))
        self.interval = crawler.settings.getfloat("MAYADEEN_STORE_COMMIT_INTERVAL", 2.0)
        self.clock = Clock()
        self.counts = dict.fromkeys(
            ("items_new", "items_updated", "items_unchanged", "duplicates", "quarantined"), 0
        )
        self._store: Store | None = None
        self._last_commit = time.monotonic()
        self._timer: AsyncioLoopingCall | LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        pipeline = cls(crawler)
        crawler.signals.connect(pipeline.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(pipeline.item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        return pipeline

    @property
    def store(self) -> Store:
        if self._store is None:
            raise RuntimeError("the store pipeline is not open")
        return self._store

    def open_spider(self) -> None:
        self._store = Store.open(self.path)  # the run's row is in: crawl_run claimed its id
        logger.info("store: %s, run %s", self.path, self.run.run_id)

    def spider_opened(self, spider: Spider) -> None:
        if self.interval > 0:
            self._timer = create_looping_call(self._commit_if_due)
            self._timer.start(self.interval, now=False)

    def process_item(self, item: Any) -> Any:
        verdict = self.store.put(item, self.clock.now())
        self.counts[f"items_{verdict}"] += 1
        self.stats.inc_value(f"mayadeen/items/{verdict}")
        self.run.verdicts[id(item)] = verdict
        self._commit_if_due()
        return item

    def item_dropped(self, item: Any, exception: BaseException, **kwargs: Any) -> None:
        if self._store is None:
            return
        if isinstance(exception, InvalidItem):
            self._store.quarantine(
                exception.values, exception.reasons, self.run.run_id, self.clock.now()
            )
            self.counts["quarantined"] += 1
        elif isinstance(exception, DuplicateItem):
            self.counts["duplicates"] += 1
            if exception.kind == "content":
                self._store.add_alias(
                    exception.url, exception.original, exception.content_hash, self.clock.now()
                )
        self._commit_if_due()

    def _commit_if_due(self) -> None:
        if self._store is None or not self._store.pending:
            return
        if (
            self._store.pending >= self.batch_size
            or time.monotonic() - self._last_commit >= self.interval
        ):
            self.commit()

    def commit(self) -> None:
        if self._store is not None:
            done = self._store.commit()
            self._last_commit = time.monotonic()
            if done:
                self.stats.inc_value("mayadeen/store/commits")

    def close_spider(self) -> None:
        self.commit()

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if self._timer is not None and self._timer.running:
            self._timer.stop()
        if self._store is None:
            return
        self._store.finish_run(self.run.run_id, self.clock.now(), reason, self.counts)
        self._store.close()
        self._store = None
        logger.info(
            "store: run %s %s: %d new, %d updated, %d unchanged, %d duplicates, %d quarantined",
            self.run.run_id,
            reason,
            *self.counts.values(),
        )
