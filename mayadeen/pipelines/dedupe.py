"""Deduplication: the same canonical URL twice in a run, or content already stored under another
URL (same ``content_hash``), is dropped; the store records the second URL as an alias.

A URL stored by an earlier run is no duplicate: the store updates it or labels it unchanged.
Lookups go to the committed store through a read-only connection (one indexed query per item),
and to what this run has passed on so far, which may not be committed yet.
"""

from typing import Any, Self

from scrapy.crawler import Crawler

from mayadeen.pipelines.drops import DuplicateItem
from mayadeen.run import data_dir
from mayadeen.store import Store, store_path


def _field(item: Any, name: str) -> Any:
    return item.get(name) if isinstance(item, dict) else getattr(item, name, None)


class DeduplicatePipeline:
    def __init__(self, crawler: Crawler) -> None:
        assert crawler.stats is not None
        self.stats = crawler.stats
        self.path = store_path(data_dir(crawler))
        self.store = Store(None, self.path)
        self.urls: set[str] = set()
        self.contents: dict[str, str] = {}
        """``content_hash`` → the URL that passed with it in this run."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def open_spider(self) -> None:
        self.store = Store.open(self.path, readonly=True)

    def close_spider(self) -> None:
        self.store.close()

    def process_item(self, item: Any) -> Any:
        url, content_hash = _field(item, "url"), _field(item, "content_hash")
        if url in self.urls:
            self.stats.inc_value("mayadeen/duplicates/url")
            raise DuplicateItem("url", url, url, content_hash, log_level="DEBUG")
        self.urls.add(url)
        if content_hash is None:
            return item
        original = self.contents.get(content_hash) or self.store.content_owner(content_hash, url)
        if original is not None and not self.store.has_article(url):
            self.stats.inc_value("mayadeen/duplicates/content")
            raise DuplicateItem("content", url, original, content_hash, log_level="INFO")
        self.contents.setdefault(content_hash, url)
        return item
