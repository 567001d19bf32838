"""The per-run feeds through Scrapy's ``FEEDS``: ``<MAYADEEN_DATA_DIR>/feeds/articles-<run_id>.csv``
and ``.jsonl.gz`` (``MAYADEEN_FEED_FORMAT``) with the articles the store found new or updated.

Each is an ordinary ``FEEDS`` entry, added by :class:`mayadeen.addons.RunFeedsAddon` beside any the
user has (``-o``, Scrapyd's ``items_dir``), so Scrapy's storages, post-processing and batches work
for them as for any feed. What makes an entry per-run is two options, usable in an entry of your own
(say, an S3 URI)::

    "item_filter": "mayadeen.extensions.run_feeds.NewOrUpdated",
    "uri_params": "mayadeen.extensions.run_feeds.run_uri_params",  # %(run_id)s in the URI

A run with nothing new writes the header only (``FEED_STORE_EMPTY``, on by default in Scrapy).
"""

import logging
from pathlib import Path
from typing import IO, Any, Self

from scrapy import Spider
from scrapy.crawler import Crawler
from scrapy.extensions.feedexport import FeedExporter as ScrapyFeedExporter
from scrapy.extensions.feedexport import FeedSlot, FileFeedStorage, ItemFilter
from scrapy.settings import BaseSettings
from scrapy.utils.defer import ensure_awaitable
from scrapy.utils.misc import build_from_crawler, load_object

from mayadeen.exporters import EXPORT_FORMATS
from mayadeen.extensions.feed_files import final_path, partial_path
from mayadeen.extensions.run_context import RunContext
from mayadeen.extensions.run_paths import data_dir, feed_formats, feed_path
from mayadeen.items import FIELD_NAMES
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
    return {**params, "run_id": RunContext.of(spider.crawler).run_id}


class NewOrUpdated(ItemFilter):
    """``FEEDS`` ``item_filter``: the articles the store found new or updated in this run (an item
    the store never saw, with no store pipeline, counts as new). Scrapy's own feed exporter builds
    filters from the feed's options alone; ``FeedExporter`` below builds this one
    with the crawler."""

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


RUN_URI_PARAMS: str = f"{run_uri_params.__module__}.{run_uri_params.__qualname__}"


class FeedExporter(ScrapyFeedExporter):
    """Scrapy's feed exporter, with two changes for the per-run feeds:

    - item filters may have a ``from_crawler`` (Scrapy's own build them from the feed's options
      alone), so a filter can ask the run context (``NewOrUpdated``);
    - a per-run feed that fails to write an item is not written to again, and never completed
      (``mayadeen.extensions.feed_files``); at the close, the per-run feeds also list what earlier
      runs' feeds owed, then get their final names through the run context.
    """

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self._failed: list[FeedSlot] = []
        self._stored: list[FeedSlot] = []
        """Per-run feeds written whole: logged under their final names once they have them."""

    def open_spider(self, spider: Spider) -> None:
        # A crawl whose store could not be opened has no run (nor id to name its feeds by), and
        # is closed before it fetches anything: nothing to export.
        if RunContext.of(self.crawler).opened:
            super().open_spider(spider)

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

    async def close_spider(self, spider: Spider) -> None:
        context = RunContext.of(self.crawler)
        if not context.opened:
            await super().close_spider(spider)
            return
        own = self._run_slots()
        try:
            for item in context.owed.feed_backlog:
                for slot in own:
                    self._export(slot, item)
            await super().close_spider(spider)
        finally:
            whole = all(slot not in self._failed for slot in own)
            context.owed.feeds_closed([Path(slot.uri) for slot in own if slot.file], whole)
            if context.owed.feeds_complete:  # else one error line named the .partial files
                for slot in self._stored:
                    final = final_path(Path(slot.uri))
                    logger.info(
                        "Stored %s feed (%d items) in: %s", slot.format, slot.itemcount, final
                    )

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
            if not slot.itemcount and (
                not slot.store_empty or RunContext.of(self.crawler).unreachable
            ):  # none wanted; or the site was never reached, when it would read as a quiet day
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

    def _load_filter(self, feed_options: dict[str, Any]) -> ItemFilter:
        filter_class = load_object(feed_options.get("item_filter", ItemFilter))
        if hasattr(filter_class, "from_crawler"):
            item_filter: ItemFilter = build_from_crawler(filter_class, self.crawler, feed_options)
            return item_filter
        return super()._load_filter(feed_options)


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
