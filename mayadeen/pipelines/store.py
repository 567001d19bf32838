"""The store pipeline: every valid, non-duplicate article into ``<MAYADEEN_DATA_DIR>/articles.sqlite``
through the run context's write connection (committed in batches), which keeps the store's verdict
on it (new, updated or unchanged) for the per-run feeds."""

from typing import Self

from scrapy.crawler import Crawler

from mayadeen.extensions.run_context import RunContext
from mayadeen.items import ArticleItem


class StorePipeline:
    def __init__(self, context: RunContext) -> None:
        self.context = context

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(RunContext.of(crawler))

    def process_item(self, item: ArticleItem) -> ArticleItem:
        self.context.store_article(item)
        return item
