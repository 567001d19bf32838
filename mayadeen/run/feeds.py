"""The per-run feeds through Scrapy's ``FEEDS``: ``<MAYADEEN_DATA_DIR>/feeds/articles-<run_id>.csv``
and ``.jsonl.gz`` (``MAYADEEN_FEED_FORMAT``) with the articles the store found new or updated.

Each is an ordinary ``FEEDS`` entry, added by :class:`mayadeen.addons.RunFeedsAddon` beside any the
user has (``-o``, Scrapyd's ``items_dir``), so Scrapy's storages, post-processing and batches work
for them as for any feed. What makes an entry per-run is two options, usable in an entry of your own
(say, an S3 URI)::

    "item_filter": "mayadeen.run.feeds.NewOrUpdated",
    "uri_params": "mayadeen.run.feeds.run_uri_params",  # %(run_id)s in the URI

A run with nothing new writes the header only (``FEED_STORE_EMPTY``, on by default in Scrapy).

The run (``mayadeen.run.Run``) opens the feeds once it has its id, and closes them as one step of
its close, after its last commit and before it is finished: the feed exporter's own handlers of
``spider_opened`` and ``spider_closed`` act only for a crawl without a run (``scrapy canary``).
"""

import logging
from pathlib import Path
from typing import IO, Any, Self

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.extensions.feedexport import FeedExporter as ScrapyFeedExporter
from scrapy.extensions.feedexport import FeedSlot, FileFeedStorage, ItemFilter
from scrapy.settings import BaseSettings
from scrapy.utils.defer import ensure_awaitable

from mayadeen.exporters import EXPORT_FORMATS
from mayadeen.items import FIELD_NAMES, ArticleItem
from mayadeen.run.feed_files import final_path, partial_path
from mayadeen.run.paths import data_dir, feed_formats, feed_path
from mayadeen.store.files import open_nofollow

GZIP: str = "scrapy.extensions.postprocessing.GzipPlugin"
GZIP_LEVEL: int = 3
"""The per-run gzip feeds' level (Scrapy's ``gzip_compresslevel``, 9 by default). On articles
as JSON lines (the fixtures', the generated site's), 3 takes a quarter to two fifths of 9's CPU
for 10-30% more bytes; the lines themselves are the same."""
RUN_ID_PARAMETER = "%(run_id)s"
logger = logging.getLogger(__name__)


def run_uri_params(params: dict[str, Any], spider: Spider) -> dict[str, Any]:
    """``FEEDS`` ``uri_params``: Scrapy's parameters and the run id, ``%(run_id)s``."""
    from mayadeen.run.extension import Run  # the run builds the feeds: imported when asked

    return {**params, "run_id": Run.of(spider.crawler).run_id}


class NewOrUpdated(ItemFilter):
    """``FEEDS`` ``item_filter``: the articles the store found new or updated in this run, as
    the store step wrote on each (``item.provenance.verdict``); an item the store never saw, with
    no store pipeline, counts as new."""

    def accepts(self, item: Any) -> bool:
        if isinstance(item, ArticleItem) and item.provenance.verdict == "unchanged":
            return False
        return super().accepts(item)


RUN_URI_PARAMS: str = f"{run_uri_params.__module__}.{run_uri_params.__qualname__}"


class FeedExporter(ScrapyFeedExporter):
    """Scrapy's feed exporter, opened and closed by the run when there is one, with one change
    for the per-run feeds: a per-run feed that fails to write an item is not written to again,
    and never completed (``mayadeen.run.feed_files``); at the close, the per-run feeds also list
    what earlier runs' feeds owed (:meth:`close_feeds`)."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self._failed: list[FeedSlot] = []
        self._unreachable = False
        self._stored: list[FeedSlot] = []
        """Per-run feeds written whole: logged under their final names once they have them."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        exporter = cls(crawler)
        crawler.signals.connect(exporter._spider_opened, signals.spider_opened)
        crawler.signals.connect(exporter._spider_closed, signals.spider_closed)
        crawler.signals.connect(exporter.item_scraped, signals.item_scraped)
        return exporter

    def _runless(self) -> bool:
        from mayadeen.run.extension import Run  # the run builds the feeds: imported when asked

        return self.crawler.get_extension(Run) is None

    def _spider_opened(self, spider: Spider) -> None:
        if self._runless():
            self.open_spider(spider)

    async def _spider_closed(self, spider: Spider) -> None:
        if self._runless():
            await super().close_spider(spider)

    def _run_slots(self) -> list[FeedSlot]:
        return [slot for slot in self.slots if is_run_feed(slot.feed_options)]

    def item_scraped(self, item: Any, spider: Spider) -> None:
        own = self._run_slots()
        for slot in own:
            if slot.filter.accepts(item):
                self._export(slot, item)
        self.slots = [slot for slot in self.slots if slot not in own]
        try:
            super().item_scraped(item, spider)  # the user's own feeds, as Scrapy does
        finally:
            self.slots = [*own, *self.slots]

    def _export(self, slot: FeedSlot, item: Any) -> None:
        if slot in self._failed:
            return
        try:
            slot.start_exporting()
            assert slot.exporter is not None
            slot.exporter.export_item(item)
            slot.itemcount += 1
        except Exception as error:  # any failure leaves the feed incomplete
            self._failed.append(slot)
            logger.error("feeds: cannot write %s: %s", slot.uri, error)

    async def close_feeds(
        self, spider: Spider, backlog: list[dict[str, Any]], unreachable: bool
    ) -> tuple[list[Path], bool]:
        """Close every feed, the per-run ones after listing ``backlog`` (what earlier runs'
        feeds owed). Returns the per-run feeds' files and whether each was written whole; a
        run that could not reach the site (``unreachable``) writes no empty one."""
        self._unreachable = unreachable
        own = self._run_slots()
        try:
            for item in backlog:
                for slot in own:
                    self._export(slot, item)
            await super().close_spider(spider)
        except Exception as error:  # each feed is then incomplete: its articles stay owed
            logger.error("feeds: cannot close the feeds: %s", error)
            self._failed.extend(own)
        whole = all(slot not in self._failed for slot in own)
        return [Path(slot.uri) for slot in own if slot.file], whole

    def log_stored(self) -> None:
        """Name each per-run feed under the final name it now has."""
        for slot in self._stored:
            final = final_path(Path(slot.uri))
            logger.info("Stored %s feed (%d items) in: %s", slot.format, slot.itemcount, final)

    async def _close_slot(self, slot: FeedSlot, spider: Spider) -> None:
        """Scrapy's, for the user's feeds. A per-run feed is closed here: one that failed is
        closed as it is; a file that cannot be finished (a full disk) fails the feed, one line."""
        if not is_run_feed(slot.feed_options):
            await super()._close_slot(slot, spider)
            return
        try:
            if slot in self._failed:
                if slot.file is not None:
                    slot.file.close()
                return
            if not slot.itemcount and (not slot.store_empty or self._unreachable):
                # None wanted; or the site was never reached, when it would read as a quiet day.
                if slot.file is not None:
                    slot.file.close()
                return
            slot.start_exporting()
            slot.finish_exporting()
            await ensure_awaitable(slot.storage.store(self._get_file(slot)))
        except OSError as error:
            self._failed.append(slot)
            logger.error("feeds: cannot write %s: %s", slot.uri, error)
            return
        self._stored.append(slot)


class UnbufferedFileFeedStorage(FileFeedStorage):
    """Scrapy's file storage, unbuffered (``FEED_STORAGES``): each exported item reaches the file
    as one write when it is exported, so a crawl killed midway leaves whole rows, every one
    written before it, never half a row in a buffer (gzip keeps its own buffer)."""

    def open(self, spider: Spider) -> IO[bytes]:
        path = Path(self.path)
        path.parent.mkdir(parents=True, exist_ok=True)
        # Not through a symlink planted where the feed goes (mayadeen/store/files.py).
        return open_nofollow(path, self.write_mode, buffering=0)


def is_run_feed(feed_options: dict[str, Any]) -> bool:
    """Whether a ``FEEDS`` entry is a per-run feed of the data directory (``RunFeedsAddon``)."""
    return feed_options.get("uri_params") == RUN_URI_PARAMS and feed_options.get("run_feed", False)


def feed_entry(extension: str) -> dict[str, Any]:
    """The ``FEEDS`` options of the per-run feed in the format of ``extension``."""
    entry: dict[str, Any] = {
        # Scrapy's FEED_EXPORTERS name the formats as the project does, but for compression.
        "format": extension.removesuffix(".gz"),
        "encoding": "utf-8",
        "fields": list(FIELD_NAMES),
        "item_filter": f"{NewOrUpdated.__module__}.{NewOrUpdated.__qualname__}",
        "uri_params": RUN_URI_PARAMS,
        "overwrite": True,
        "run_feed": True,
    }
    if EXPORT_FORMATS[extension].gzip:
        entry["postprocessing"] = [GZIP]
        entry["gzip_compresslevel"] = GZIP_LEVEL
    return entry


def run_feeds(settings: BaseSettings) -> dict[str, dict[str, Any]]:
    """The per-run ``FEEDS`` entries: URI template (a path under the data directory) → options."""
    directory: Path = data_dir(settings)
    return {
        str(partial_path(feed_path(directory, RUN_ID_PARAMETER, extension))): feed_entry(extension)
        for extension in feed_formats(settings)
    }
