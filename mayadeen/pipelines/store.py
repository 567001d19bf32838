"""The store pipeline: every valid, non-duplicate article into ``<MAYADEEN_DATA_DIR>/articles.sqlite``
through the run context's write connection (committed in batches), which keeps the store's verdict
on it (new, updated or unchanged) for the per-run feeds. A write the store refuses (a full disk)
drops the item in one line; the article stays owed to a later run."""

import sqlite3
from typing import Self

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from mayadeen.extensions.run_context import RunContext
from mayadeen.items import ArticleItem


class StorePipeline:
    def __init__(self, context: RunContext) -> None:
        self.context = context

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(RunContext.of(crawler))

    def process_item(self, item: ArticleItem) -> ArticleItem:
        try:
            self.context.store_article(item)
        except sqlite3.Error as error:
            # The write-ahead record of its request keeps the article owed (mayadeen/crawl/owed.py);
            # the run context counted the refusal, which fails the run.
            self.context.store_refused(item, error)
            raise DropItem(f"not stored: the store refused it ({error})") from None
        return item
