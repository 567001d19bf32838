"""The ``articles`` spider: routes pages; it holds no site rules and reads no page itself.

Discovery pages (home, section listings, sitemaps, RSS, robots.txt) are read by
``mayadeen.pages.discovery``, articles by ``mayadeen.pages.extract``; which URLs to request is decided by
``mayadeen.crawl.frontier`` from the store's state. With ``-a urls=URL1,URL2`` it fetches and parses
exactly those pages, with no discovery; with ``-a via=wayback|commoncrawl`` it reads a web archive's
index instead of the site's pages.

The spider holds its routes, built with the crawler: ``ArticleRoutes`` (article pages, the pages
``urls`` asks for, failed fetches), ``DiscoveryRoutes`` (the discovery pages), ``WebArchiveRoutes``
(a web archive's index pages) and ``WebArchiveCaptures`` (the captures it lists). Here: the
arguments, the starting points, the ``max_articles`` stop, and one thin method per callback, since a
request's callback must be a method of the spider for the scheduler's queues to serialize it
(``mayadeen.spiders.routing``).
"""

from collections.abc import AsyncIterator, Iterator
from typing import Any, Self
from urllib.parse import urlsplit

import scrapy
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.http import Response
from scrapy.utils.defer import deferred_from_coro
from twisted.python.failure import Failure

from mayadeen.crawl.arguments import parse_arguments, parse_via, requested_urls
from mayadeen.crawl.backlog import Backlog
from mayadeen.crawl.bounds import DiscoveryBounds
from mayadeen.crawl.frontier import Frontier
from mayadeen.crawl.state import load_frontier
from mayadeen.middlewares.robots import SharedRobotsTxtMiddleware
from mayadeen.pages import discovery
from mayadeen.run import Run
from mayadeen.site.navigation import ROBOTS_PATH
from mayadeen.site.urls import site_root
from mayadeen.spiders.article_routes import ArticleRoutes
from mayadeen.spiders.discovery_routes import DiscoveryRoutes
from mayadeen.spiders.routing import Quota, Routing
from mayadeen.spiders.webarchive_captures import WebArchiveCaptures
from mayadeen.spiders.webarchive_home import WebArchiveHome
from mayadeen.spiders.webarchive_routes import WebArchiveRoutes
from mayadeen.webarchives import commoncrawl


class ArticlesSpider(scrapy.Spider):
    name = "articles"
    allowed_domains: list[str]
    """The site root's host, for Scrapy's offsite filter (redirects off the site are not followed)."""
    root: str
    articles: ArticleRoutes
    discovery: DiscoveryRoutes
    webarchives: WebArchiveRoutes
    captures: WebArchiveCaptures
    home: WebArchiveHome

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
        self.urls_argument = urls  # read by mayadeen.scaleout.scheduler too
        self.via = parse_via(via)
        self.arguments = parse_arguments(sections, since, max_articles, full)
        self.quota = Quota(self.arguments.max_articles)
        self._closing = False

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> Self:
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.root = site_root(crawler.settings.get("MAYADEEN_BASE_URL"))
        spider.allowed_domains = [urlsplit(spider.root).hostname or ""]
        spider._build_routes(crawler)
        crawler.signals.connect(spider.item_stored, signal=signals.item_scraped)
        for settled in (signals.item_dropped, signals.item_error):
            crawler.signals.connect(spider.item_settled, signal=settled)
        crawler.signals.connect(spider.discovery.drain_backlog, signal=signals.spider_idle)
        return spider

    def _build_routes(self, crawler: Crawler) -> None:
        """Each route is given what all share (``Routing``) and what it needs besides."""
        routing = Routing(
            crawler,
            callbacks=self,
            logger=self.logger,
            root=self.root,
            arguments=self.arguments,
            bounds=DiscoveryBounds.from_settings(crawler.settings),
            quota=self.quota,
        )
        self.discovery = DiscoveryRoutes(routing, backlog=Backlog())
        self.articles = ArticleRoutes(
            routing, via=self.via, urls_argument=self.urls_argument, discovery=self.discovery
        )
        archive = "wayback" if self.via == "site" else self.via  # a site crawl's fallback
        self.captures = WebArchiveCaptures(routing, via=archive, articles=self.articles)
        self.home = WebArchiveHome(routing, via=archive)
        self.webarchives = WebArchiveRoutes(
            routing, via=archive, captures=self.captures, home=self.home
        )

    @property
    def context(self) -> Run:
        return Run.of(self.crawler)

    # -- starting points ---------------------------------------------------------------------

    async def start(self) -> AsyncIterator[Any]:
        if self.via != "site":  # the archive's index instead of the site's pages
            frontier = self._load_frontier()
            exact = None
            if self.urls_argument is not None:
                exact = [
                    urlsplit(url).path for url in requested_urls(self.urls_argument, self.root)[0]
                ]
            owed = sorted(frontier.owed) if exact is None else []
            for request in self.webarchives.starts(exact, owed):
                yield request
            return
        if self.urls_argument is not None:
            for request in self.articles.requested():
                yield request
            return
        frontier = self._load_frontier()
        # robots.txt is read first, once a run, by the middleware. Every request to the site waits
        # for it anyway, and the frontier must know its fingerprint before any page is parsed: a
        # URL it forbade is then not asked again (read later, a home page parsed first asked it).
        robots = self.discovery.robots_middleware()
        parser = None
        if robots is not None:
            parser = await robots.robot_parser(scrapy.Request(self.root + ROBOTS_PATH))
            if isinstance(robots, SharedRobotsTxtMiddleware):  # what it forbade, it still does?
                frontier.robots = robots.fingerprint(urlsplit(self.root).netloc)
        # What earlier runs owe first, whatever discovery finds (mayadeen/crawl/owed.py).
        for request in self.discovery.requests(sorted(frontier.owed), "owed"):
            yield request
        for request in self.discovery.starts():
            yield request
        if robots is not None:  # its parser has the Sitemap lines
            for request in self.discovery.sitemaps(discovery.robots_sitemaps(parser)):
                yield request

    def _load_frontier(self) -> Frontier:
        """The store's state (open once the spider is), handed to the routes that decide by it."""
        frontier = load_frontier(
            self.context.writer.store, self.settings, self.arguments, self.logger
        )
        self.discovery.frontier = frontier
        self.articles.frontier = frontier
        self.captures.frontier = frontier
        return frontier

    # -- callbacks: each hands its answer to its route (routing.py says why they are here) --

    def parse_article(self, response: Response) -> Iterator[Any]:
        return self.articles.parse_article(response)

    def article_failed(self, failure: Failure) -> Iterator[scrapy.Request]:
        """An article request of the site failed; a blocked one is read from its newest Wayback
        capture instead, with ``MAYADEEN_ARCHIVE_FALLBACK``."""
        self.articles.fetch_failed(failure)
        if (url := self.articles.fallback_url(failure)) is not None:
            yield self.webarchives.fallback(url)

    def parse_listing(self, response: Response, kind: str) -> Iterator[scrapy.Request]:
        return self.discovery.parse_listing(response, kind)

    def parse_robots(self, response: Response, kind: str) -> Iterator[scrapy.Request]:
        return self.discovery.parse_robots(response, kind)

    def parse_sitemap(self, response: Response, kind: str) -> Iterator[scrapy.Request]:
        return self.discovery.parse_sitemap(response, kind)

    def parse_rss(self, response: Response, kind: str) -> Iterator[scrapy.Request]:
        return self.discovery.parse_rss(response, kind)

    def discovery_failed(self, failure: Failure) -> None:
        self.discovery.failed(failure)

    def parse_collinfo(
        self, response: Response, kind: str, queries: list[tuple[str, bool]]
    ) -> Iterator[scrapy.Request]:
        return self.webarchives.parse_collinfo(response, kind, queries)

    def parse_wayback_index(
        self, response: Response, kind: str, path: str, exact: bool, resume: str | None
    ) -> Iterator[scrapy.Request]:
        return self.webarchives.parse_wayback_index(response, kind, path, exact, resume)

    def parse_cc_index(
        self, response: Response, kind: str, crawl: commoncrawl.Crawl, path: str, page: int
    ) -> Iterator[scrapy.Request]:
        return self.webarchives.parse_cc_index(response, kind, crawl, path, page)

    def cc_index_failed(self, failure: Failure) -> Iterator[scrapy.Request]:
        return self.webarchives.cc_index_failed(failure)

    def parse_capture(self, response: Response, listing: str, page: str) -> Iterator[Any]:
        return self.captures.parse_capture(response, listing, page)

    def capture_failed(self, failure: Failure) -> None:
        self.captures.capture_failed(failure)

    def parse_home_index(
        self, response: Response, listing: str, page: str
    ) -> Iterator[scrapy.Request]:
        return self.home.parse_index(response, listing, page)

    def home_index_failed(self, failure: Failure) -> None:
        self.home.index_failed(failure)

    def parse_home_capture(
        self, response: Response, listing: str, listed: str
    ) -> Iterator[scrapy.Request]:
        return self.home.parse_capture(response, listing, listed)

    def home_capture_failed(self, failure: Failure) -> None:
        self.home.capture_failed(failure)

    # -- max_articles ------------------------------------------------------------------------

    def item_settled(self, item: Any, **kwargs: Any) -> None:
        self.quota.in_pipelines -= 1
        self.captures.capture_item_done(item)

    def item_stored(self, item: Any, response: Response, spider: scrapy.Spider) -> None:
        self.quota.in_pipelines -= 1
        self.quota.stored += 1
        self.captures.capture_item_done(item)
        if self.quota.reached() and not self._closing:
            self._closing = True
            self.logger.info(
                "max_articles: %s articles stored; stopping", self.arguments.max_articles
            )
            deferred_from_coro(self.crawler.engine.close_spider_async(reason="max_articles"))
