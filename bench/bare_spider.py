"""The bare spider of ``bench/crawl.py``: it follows the links ``scrapy crawl articles`` follows
(the same discovery pages, the same article URLs) and does nothing with an article page.

It reads discovery pages with the project's readers, so both crawls request the same pages, but
it has none of the project's middlewares, extraction, pipelines, store or feed, and runs with
Scrapy's default settings (``bench/harness.py`` runs it where there is no ``scrapy.cfg``), plus
the engine settings both crawls get. Run alone::

    scrapy runspider bench/bare_spider.py -a root=http://127.0.0.1:8123 -s ROBOTSTXT_OBEY=1
"""

from collections.abc import AsyncIterator, Iterable, Iterator
from typing import Any

import scrapy
from scrapy.http import Response, TextResponse

from mayadeen.pages import discovery
from mayadeen.site.navigation import (
    HOME_PATH,
    ROBOTS_PATH,
    RSS_PATHS,
    SECTION_LISTINGS,
    SITEMAP_INDEX_PATHS,
)
from mayadeen.site.urls import canonical_url, is_article_url, site_root

ARTICLE_PRIORITY = 10
"""As the real spider: articles before more listing pages."""


class BareSpider(scrapy.Spider):
    name = "bare"
    custom_settings = {  # noqa: RUF012 (Scrapy's own attribute, read from the class)
        "TELNETCONSOLE_ENABLED": False,
        "REMOTE_CONTROL_ENABLED": False,
    }

    def __init__(self, root: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.root = site_root(root)
        self.seen: set[str] = set()

    async def start(self) -> AsyncIterator[scrapy.Request]:
        yield scrapy.Request(self.root + HOME_PATH, self.parse_home)
        for listing in SECTION_LISTINGS:
            yield scrapy.Request(f"{self.root}/{listing}", self.parse_listing)
        yield scrapy.Request(self.root + ROBOTS_PATH, self.parse_robots)
        for path in SITEMAP_INDEX_PATHS:
            yield scrapy.Request(self.root + path, self.parse_sitemap)
        for path in RSS_PATHS:
            yield scrapy.Request(self.root + path, self.parse_rss)

    def articles(self, urls: Iterable[str | None]) -> Iterator[scrapy.Request]:
        for url in urls:
            if url and is_article_url(url) and url not in self.seen:
                self.seen.add(url)
                yield scrapy.Request(url, self.parse_article, priority=ARTICLE_PRIORITY)

    def parse_home(self, response: Response) -> Iterator[scrapy.Request]:
        yield from self.parse_listing(response)
        if isinstance(response, TextResponse):
            for url in discovery.read_listing(response, self.root).listings:
                yield scrapy.Request(url, self.parse_listing)

    def parse_listing(self, response: Response) -> Iterator[scrapy.Request]:
        if not isinstance(response, TextResponse):
            return
        page = discovery.read_listing(response, self.root)
        yield from self.articles(page.articles)
        for url in page.next_pages:
            yield scrapy.Request(url, self.parse_listing)

    def parse_robots(self, response: Response) -> Iterator[scrapy.Request]:
        if isinstance(response, TextResponse):
            for url in discovery.read_robots(response):
                if (on_site := canonical_url(url, self.root)) is not None:
                    yield scrapy.Request(on_site, self.parse_sitemap)

    def parse_sitemap(self, response: Response) -> Iterator[scrapy.Request]:
        kind, entries = discovery.read_sitemap(response)
        if kind == "sitemapindex":
            for entry in entries:
                if (url := canonical_url(entry.loc, self.root)) is not None:
                    yield scrapy.Request(url, self.parse_sitemap)
        elif kind == "urlset":
            yield from self.articles(canonical_url(e.loc, self.root) for e in entries)

    def parse_rss(self, response: Response) -> Iterator[scrapy.Request]:
        links = discovery.read_rss(response)
        yield from self.articles(canonical_url(link, self.root) for link in links)

    def parse_article(self, response: Response) -> None:
        """Nothing: the page was fetched; reading it is what the real crawl adds."""
