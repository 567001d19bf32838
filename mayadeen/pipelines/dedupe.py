"""Deduplication: the same canonical URL twice in a run, or content already stored under another
URL (same ``content_hash``), is dropped; the run's store writer records the second URL as an alias.

A URL stored by an earlier run is no duplicate: the store updates it or labels it unchanged.
Lookups go to the committed store through a read-only connection (one indexed query per item),
and to what this run has passed on so far, which may not be committed yet.
"""

from typing import Self

from scrapy.crawler import Crawler

from mayadeen.crawl.seen import SeenMap, SeenSet
from mayadeen.items import ArticleItem
from mayadeen.pipelines.drops import DuplicateItem
from mayadeen.run import Run
from mayadeen.store import Store


class DeduplicatePipeline:
    def __init__(self, crawler: Crawler, run: Run) -> None:
        assert crawler.stats is not None
        self.stats = crawler.stats
        self.writer = run.writer
        self.owed = run.owed
        self.store_path = run.store_path
        self.store = Store(None, run.store_path)
        # Both grow with every article of the run: on disk, not in memory (mayadeen.crawl.seen).
        self.urls = SeenSet()
        self.contents = SeenMap()
        """``content_hash`` → the URL that passed with it in this run."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler, Run.of(crawler))

    def open_spider(self) -> None:
        self.store = Store.open(self.store_path, readonly=True)

    def close_spider(self) -> None:
        self.store.close()
        self.urls.close()
        self.contents.close()

    def process_item(self, item: ArticleItem) -> ArticleItem:
        url, content_hash = item.url, item.content_hash
        assert url is not None, "validation passes no item without a URL"
        if url in self.urls:
            self.stats.inc_value("mayadeen/duplicates/url")
            self._duplicate(url, url, content_hash, "url")
            raise DuplicateItem("url", url, url, log_level="DEBUG")
        self.urls.add(url)
        if content_hash is None:
            return item
        original = self.contents.get(content_hash) or self.store.content_owner(content_hash, url)
        if original is not None and not self.store.has_article(url):
            self.stats.inc_value("mayadeen/duplicates/content")
            self._duplicate(url, original, content_hash, "content")
            raise DuplicateItem("content", url, original, log_level="INFO")
        self.contents.setdefault(content_hash, url)
        return item

    def _duplicate(self, url: str, original: str, content_hash: str | None, kind: str) -> None:
        """Counted (the same content under another URL kept as an alias of it), and settled."""
        self.writer.duplicate(url, original, content_hash, kind)
        self.owed.settled([url])
        self.writer.commit_if_due()
