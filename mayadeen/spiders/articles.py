"""The ``articles`` spider: routes pages to extraction; it holds no site rules of its own.

With ``-a urls=URL1,URL2`` it fetches and parses exactly those pages (no discovery), which is how a
user re-scrapes chosen articles. Without it, it is still a placeholder that fetches the site root:
discovery is built in its own issue, not faked here.
"""

from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import urljoin, urlsplit, urlunsplit

import scrapy
from scrapy.http import Response, TextResponse
from twisted.python.failure import Failure

from mayadeen import site
from mayadeen.extract import count, extract
from mayadeen.items import ArticleItem
from mayadeen.middlewares import AlreadyReported
from mayadeen.processors import unique


def requested_urls(argument: str | None, root: str) -> tuple[list[str], list[str]]:
    """The ``urls`` argument split into URLs to fetch on ``root`` and entries that are rejected.

    A path is taken relative to the root; a live-site URL is moved onto the root, so that the same
    list works against a copy of the site; any other host is rejected. A URL given twice is
    fetched once.

    >>> requested_urls("/news/politics/a, https://english.almayadeen.net/news/x/b?p=1,ftp://x/y,"
    ...                "/news/politics/a#top", "http://127.0.0.1:8123")
    (['http://127.0.0.1:8123/news/politics/a', 'http://127.0.0.1:8123/news/x/b?p=1'], ['ftp://x/y'])
    """
    accepted, rejected = [], []
    root_parts = urlsplit(root)
    for entry in (argument or "").split(","):
        if not (entry := entry.strip()):
            continue
        parts = urlsplit(urljoin(root + "/", entry))
        host = (parts.hostname or "").lower()
        if parts.scheme not in {"http", "https"} or (
            host not in site.LIVE_HOSTS and host != root_parts.hostname
        ):
            rejected.append(entry)
            continue
        accepted.append(urlunsplit((*root_parts[:2], parts.path or "/", parts.query, "")))
    return unique(accepted), rejected


class ArticlesSpider(scrapy.Spider):
    name = "articles"

    def __init__(self, *args: Any, urls: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.urls_argument = urls

    @property
    def root(self) -> str:
        return site.site_root(self.settings.get("MAYADEEN_BASE_URL"))

    async def start(self) -> AsyncIterator[Any]:
        if self.urls_argument is not None:
            for request in self._requested():
                yield request
            return
        yield scrapy.Request(f"{self.root}/", callback=self.parse)

    def _requested(self) -> Iterator[scrapy.Request]:
        accepted, rejected = requested_urls(self.urls_argument, self.root)
        for entry in rejected:
            self.logger.error("urls: %r is not a URL of %s; not fetched", entry, self.root)
            self.crawler.stats.inc_value("mayadeen/urls/rejected")
        if not accepted:
            self.logger.error("urls: no URL of %s to fetch", self.root)
        for url in accepted:
            self.crawler.stats.inc_value("mayadeen/urls/requested")
            yield scrapy.Request(
                url, callback=self.parse_article, errback=self.fetch_failed, dont_filter=True
            )

    def parse_article(self, response: Response) -> Iterator[ArticleItem]:
        if not isinstance(response, TextResponse):
            self.logger.warning("%s: not a text page (%s); skipped", response.url, type(response))
            self.crawler.stats.inc_value("mayadeen/pages/not_text")
            return
        extraction = extract(response, self.root)
        count(self.crawler.stats, extraction)
        for note in extraction.notes:
            self.logger.info("%s: %s", response.url, note)
        if extraction.item is None:
            self.logger.info(
                "%s: a %s page, not an article; no item", response.url, extraction.kind
            )
            return
        yield extraction.item

    def fetch_failed(self, failure: Failure) -> None:
        if isinstance(
            failure.value, AlreadyReported
        ):  # a block, a content-less page: logged and counted
            return
        request = getattr(failure, "request", None)
        response = getattr(failure.value, "response", None)
        reason = f"HTTP {response.status}" if response is not None else failure.getErrorMessage()
        self.logger.error("%s: not fetched: %s", getattr(request, "url", "?"), reason)
        self.crawler.stats.inc_value("mayadeen/urls/failed")

    def parse(self, response: Response, **kwargs: Any) -> Any:
        self.logger.warning(
            "placeholder spider: fetched %s (HTTP %d); discovery is not implemented yet: "
            "use -a urls=URL1,URL2 to fetch chosen articles",
            response.url,
            response.status,
        )
        self.crawler.stats.inc_value("mayadeen/placeholder/pages")
        return []
