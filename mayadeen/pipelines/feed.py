"""The per-run feed for analysts: ``<MAYADEEN_DATA_DIR>/feeds/articles-<run_id>.csv`` (or
``.jsonl`` with ``MAYADEEN_FEED_FORMAT = "jsonl"``) with the articles the store found new or
updated in this run; unchanged ones are passed on but not written.

Rows are written as items arrive. A run with nothing new writes a file with only the header (an
empty ``.jsonl``), as Scrapy's feeds do with ``FEED_STORE_EMPTY`` (default on); with
``FEED_STORE_EMPTY = False`` it writes no file.
"""

import logging
from pathlib import Path
from typing import Any, Self, cast

from scrapy.crawler import Crawler

from mayadeen.exporters import FORMATS, FeedWriter, Format
from mayadeen.run import crawl_run, data_dir

logger = logging.getLogger(__name__)


def feed_path(directory: Path, run_id: str, file_format: str) -> Path:
    """``<data_dir>/feeds/articles-<run_id>.<format>``."""
    return directory / "feeds" / f"articles-{run_id}.{file_format}"


class FeedPipeline:
    def __init__(self, crawler: Crawler) -> None:
        assert crawler.stats is not None
        self.stats = crawler.stats
        self.run = crawl_run(crawler)
        file_format = crawler.settings.get("MAYADEEN_FEED_FORMAT", "csv")
        if file_format not in FORMATS:
            raise ValueError(
                f"MAYADEEN_FEED_FORMAT = {file_format!r}: use one of {', '.join(FORMATS)}"
            )
        self.format = cast(Format, file_format)
        self.store_empty = crawler.settings.getbool("FEED_STORE_EMPTY", True)
        self.path = feed_path(data_dir(crawler), self.run.run_id, self.format)
        self._writer: FeedWriter | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def open_spider(self) -> None:
        if self.store_empty:
            self._writer = FeedWriter.create(self.path, self.format)

    def process_item(self, item: Any) -> Any:
        # Without the store before it, every item counts as new.
        if self.run.verdicts.pop(id(item), "new") == "unchanged":
            return item
        if self._writer is None:
            self._writer = FeedWriter.create(self.path, self.format)
        self._writer.write(item)
        self.stats.inc_value("mayadeen/feed/items")
        return item

    def close_spider(self) -> None:
        if self._writer is not None:
            self._writer.close()
            logger.info("feed: %d articles in %s", self._writer.count, self.path)
            self._writer = None
