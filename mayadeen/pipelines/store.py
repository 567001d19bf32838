"""The store pipeline: every valid, non-duplicate article into ``<MAYADEEN_DATA_DIR>/articles.sqlite``
through the run's store writer (committed in batches), settled in the run's ledger in the same
batch, with the store's verdict (new, updated or unchanged) written on the article's provenance
for the per-run feeds. A write the store refuses (a full disk) drops the item in one line; the
article stays owed to a later run."""

import dataclasses
import sqlite3
from typing import Self

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from mayadeen.items import ArticleItem
from mayadeen.run import Run


class StorePipeline:
    def __init__(self, run: Run) -> None:
        self.writer = run.writer
        self.owed = run.owed

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(Run.of(crawler))

    def process_item(self, item: ArticleItem) -> ArticleItem:
        try:
            verdict = self.writer.store_article(item)
            self.owed.stored(item.url, verdict, item.provenance.unarchived)
        except sqlite3.Error as error:
            # The write-ahead record of its request keeps the article owed (mayadeen/crawl/owed.py);
            # the writer counted the refusal, which fails the run.
            self.writer.store_refused(item, error)
            raise DropItem(f"not stored: the store refused it ({error})") from None
        item.provenance = dataclasses.replace(item.provenance, verdict=verdict)
        self.writer.commit_if_due()
        return item
