"""The ``articles`` spider: routes pages; it holds no site rules and reads no page itself.

Discovery pages (home, section listings, sitemaps, RSS, robots.txt) are read by
``mayadeen.pages.discovery``, articles by ``mayadeen.pages.extract``; which URLs to request is decided by
``mayadeen.crawl.frontier`` from the store's state. With ``-a urls=URL1,URL2`` it fetches and parses
exactly those pages, with no discovery. Here: the arguments, the starting points, the article pages
and their failures; what each discovery page yields is in ``mayadeen.spiders.discovery_routes``.
"""

from collections.abc import AsyncIterator, Iterator
from typing import Any, Self
from urllib.parse import urlsplit

import scrapy
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.http import Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.defer import deferred_from_coro
from twisted.python.failure import Failure

from mayadeen.crawl.arguments import parse_arguments, parse_via, requested_urls
from mayadeen.crawl.backlog import Backlog
from mayadeen.crawl.bounds import DiscoveryBounds
from mayadeen.crawl.frontier import Frontier
from mayadeen.crawl.owed import GONE_STATUSES, OWED_META
from mayadeen.crawl.state import load_frontier
from mayadeen.items import Provenance
from mayadeen.middlewares import AlreadyReported, GivenUp
from mayadeen.middlewares.blocks import Blocked, CrawlStopped
from mayadeen.middlewares.reachability import SiteUnreachable
from mayadeen.middlewares.robots import ForbiddenByRobots, SharedRobotsTxtMiddleware
from mayadeen.pages import discovery
from mayadeen.pages.extract import count, extract
from mayadeen.signals import first_url
from mayadeen.site.navigation import ROBOTS_PATH
from mayadeen.site.urls import canonical_url, url_shape
from mayadeen.spiders.discovery_routes import failure_reason
from mayadeen.spiders.webarchive_routes import WebArchiveRoutes


class ArticlesSpider(WebArchiveRoutes):
    name = "articles"
    allowed_domains: list[str]
    """The site root's host, for Scrapy's offsite filter (redirects off the site are not followed)."""

    def __init__(
        self,
        *args: Any,
        urls: str | None = None,
        sections: str | None = None,
        since: str | None = None,
        max_articles: str | None = None,
        full: str | None = None,
        via: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.urls_argument = urls
        self.via = parse_via(via)
        self.arguments = parse_arguments(sections, since, max_articles, full)
        self.frontier: Frontier | None = None
        self.items_in_pipelines = 0
        self.items_stored = 0
        self.backlog = Backlog()

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> Self:
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.allowed_domains = [urlsplit(spider.root).hostname or ""]
        spider.bounds = DiscoveryBounds.from_settings(crawler.settings)
        crawler.signals.connect(spider.item_stored, signal=signals.item_scraped)
        for settled in (signals.item_dropped, signals.item_error):
            crawler.signals.connect(spider.item_settled, signal=settled)
        crawler.signals.connect(spider.drain_backlog, signal=signals.spider_idle)
        return spider

    # -- starting points ---------------------------------------------------------------------

    async def start(self) -> AsyncIterator[Any]:
        if self.via != "site":  # the archive's index instead of the site's pages
            self.frontier = load_frontier(
                self.context.writer.store, self.settings, self.arguments, self.logger
            )
            exact = None
            if self.urls_argument is not None:
                exact = [
                    urlsplit(url).path for url in requested_urls(self.urls_argument, self.root)[0]
                ]
            owed = sorted(self.frontier.owed) if exact is None else []
            for request in self._archive_starts(exact, owed):
                yield request
            return
        if self.urls_argument is not None:
            for request in self._requested():
                yield request
            return
        self.frontier = load_frontier(
            self.context.writer.store, self.settings, self.arguments, self.logger
        )
        # What earlier runs owe first, whatever discovery finds (mayadeen/crawl/owed.py).
        for request in self._requests(sorted(self.frontier.owed), "owed"):
            yield request
        for request in self._discovery_starts():
            yield request
        if (robots := self._robots_middleware()) is not None:
            # robots.txt is fetched once a run, by the middleware: its parser has the Sitemap lines.
            parser = await robots.robot_parser(scrapy.Request(self.root + ROBOTS_PATH))
            if isinstance(robots, SharedRobotsTxtMiddleware):  # what it forbade, it still does?
                self.frontier.robots = robots.fingerprint(urlsplit(self.root).netloc)
            for request in self._sitemaps(discovery.robots_sitemaps(parser)):
                yield request

    def _requested(self) -> Iterator[scrapy.Request]:
        accepted, rejected = requested_urls(self.urls_argument, self.root)
        for entry in rejected:
            self.logger.error("urls: %r is not a URL of %s; not fetched", entry, self.root)
            self.stat("urls/rejected")
        if not accepted:
            self.logger.error("urls: no URL of %s to fetch", self.root)
        for url in accepted:
            self.stat("urls/requested")
            yield scrapy.Request(
                url,
                callback=self.parse_article,
                errback=self.article_failed,
                dont_filter=True,
            )

    # -- articles ----------------------------------------------------------------------------

    def parse_article(self, response: Response) -> Iterator[Any]:
        if not isinstance(response, TextResponse):
            self.logger.warning("%s: not a text page (%s); skipped", response.url, type(response))
            self.stat("pages/not_text")
            if response.meta.get(OWED_META) and response.request is not None:  # a failed attempt
                self.context.owed.fetch_failed(first_url(response.request), "not a text page")
            return
        extraction = extract(response, self.root)
        count(self.crawler.stats, extraction)
        for note in extraction.notes:
            self.logger.info("%s: %s", response.url, note)
        item = extraction.item
        if response.meta.get(OWED_META):  # what is owed moves to the article's URL, or is settled
            requested = [*response.meta.get("redirect_urls", ()), response.url]
            self.context.owed.arrived(requested, item.url if item is not None else None)
        if url_shape(response.url) == "unknown":  # what pages of a new URL family turn out to be
            self.stat(f"unknown_shapes/pages/{extraction.kind}")
        if item is None:
            self.logger.info(
                "%s: a %s page, not an article; no item", response.url, extraction.kind
            )
            if (url := canonical_url(response.url, self.root)) is not None:
                self.context.writer.remember_non_article(url, extraction.kind)
            return
        if self.frontier is not None and self.frontier.too_old(item.published_at):
            self.stat("articles/before_since")
            if item.url:
                self.context.owed.settle(item.url)
            return
        if self.max_reached(self.items_in_pipelines):
            self.stat("articles/after_max_articles")
            return
        self.items_in_pipelines += 1
        item.provenance = Provenance.of(response.meta)
        yield item
        if self.frontier is not None and self.via == "site":
            yield from self._requests(item.related_urls, "related")
            yield from self._released()

    def fetch_failed(self, failure: Failure) -> None:
        request = getattr(failure, "request", None)
        if request is not None and request.meta.get(OWED_META):
            self._owe_failure(request, failure)
        url, error = getattr(request, "url", "?"), failure.value
        if isinstance(error, ForbiddenByRobots) and self.urls_argument is not None:
            self.logger.warning("%s: not fetched: robots.txt forbids it", url)
            self.stat("urls/forbidden")
        if isinstance(error, AlreadyReported):  # a block, a content-less page: counted
            return
        if isinstance(error, HttpError) and error.response.status in GONE_STATUSES:
            # The site's answer, not our loss: counted, and gone once it answers so twice.
            self.logger.warning(
                "%s: not fetched: the site answers %s", url, failure_reason(failure)
            )
            self.stat("urls/not_found" if self.urls_argument is not None else "articles/not_found")
            return
        self.logger.error("%s: not fetched: %s", url, failure_reason(failure))
        self.stat("urls/failed" if self.urls_argument is not None else "articles/failed")

    def article_failed(self, failure: Failure) -> Iterator[scrapy.Request]:
        """An article request of the site failed; a blocked one is read from its newest Wayback
        capture instead, with ``MAYADEEN_ARCHIVE_FALLBACK`` (it stays owed until stored)."""
        self.fetch_failed(failure)
        fallback = self.settings.getbool("MAYADEEN_ARCHIVE_FALLBACK") and self.via == "site"
        request = getattr(failure, "request", None)
        if not (fallback and isinstance(failure.value, Blocked) and request is not None):
            return
        if (url := canonical_url(first_url(request), self.root)) is not None:
            yield self.fallback(url)

    def _owe_failure(self, request: scrapy.Request, failure: Failure) -> None:
        """An article request failed: a failed attempt for the ledger, unless a middleware gave
        it up (and told the ledger) or it was never sent because the crawl is stopping."""
        error = failure.value
        if isinstance(error, GivenUp | CrawlStopped | SiteUnreachable):  # not a failed attempt
            return
        if isinstance(error, ForbiddenByRobots):  # settled: the site's answer, not a failure
            self.context.owed.forbidden(first_url(request), error.robots)
            return
        status = error.response.status if isinstance(error, HttpError) else None
        reason = "blocked" if isinstance(error, AlreadyReported) else failure_reason(failure)
        self.context.owed.fetch_failed(first_url(request), reason, status)

    # -- max_articles ------------------------------------------------------------------------

    def item_settled(self, item: Any, **kwargs: Any) -> None:
        self.items_in_pipelines -= 1
        self.capture_item_done(item)

    def item_stored(self, item: Any, response: Response, spider: scrapy.Spider) -> None:
        self.items_in_pipelines -= 1
        self.items_stored += 1
        self.capture_item_done(item)
        if self.max_reached() and not getattr(self, "_closing", False):
            self._closing = True
            self.logger.info(
                "max_articles: %s articles stored; stopping", self.arguments.max_articles
            )
            deferred_from_coro(self.crawler.engine.close_spider_async(reason="max_articles"))
