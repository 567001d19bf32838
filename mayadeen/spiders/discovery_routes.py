"""What the ``articles`` spider does with discovery pages (home, section listings, sitemaps, RSS,
robots.txt): which requests each one yields. Routing only: the pages are read by
``mayadeen.pages.discovery``, the decisions made by ``mayadeen.crawl.frontier``, and the bounds kept
by ``mayadeen.crawl.bounds``. ``mayadeen.spiders.articles`` holds the spider itself.
"""

from collections.abc import Iterable, Iterator, Mapping, Sized
from datetime import date
from typing import Any

import scrapy
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.exceptions import DontCloseSpider
from scrapy.http import Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from mayadeen.crawl.arguments import Arguments
from mayadeen.crawl.backlog import LOW, Backlog
from mayadeen.crawl.bounds import (
    LISTING,
    LISTING_STALE,
    SITEMAP_DEPTH,
    SITEMAP_TOO_DEEP,
    DiscoveryBounds,
    Limit,
)
from mayadeen.crawl.frontier import Decision, Frontier
from mayadeen.crawl.owed import OWED_META
from mayadeen.middlewares import AlreadyReported
from mayadeen.middlewares.reachability import SiteUnreachable
from mayadeen.pages import discovery
from mayadeen.run import Run
from mayadeen.site.navigation import (
    HOME_PATH,
    ROBOTS_PATH,
    RSS_PATHS,
    SECTION_LISTINGS,
    SITEMAP_INDEX_PATHS,
    sitemap_month,
)
from mayadeen.site.urls import canonical_url, path_segments, site_root, url_shape

ARTICLE_PRIORITY = 10
"""Articles before more listing pages: items flow early and the queue of pages stays short."""


class DiscoveryRoutes(scrapy.Spider):
    """The discovery half of the ``articles`` spider (a base class: it has no ``name``)."""

    arguments: Arguments
    frontier: Frontier | None
    backlog: Backlog
    bounds: DiscoveryBounds
    """How deep sitemap indexes and how long stale listings are followed."""
    items_stored: int

    @property
    def root(self) -> str:
        return site_root(self.settings.get("MAYADEEN_BASE_URL"))

    def stat(self, key: str, count: int = 1) -> None:
        self.crawler.stats.inc_value(f"mayadeen/{key}", count)

    @property
    def context(self) -> Run:
        return Run.of(self.crawler)

    @property
    def covers(self) -> bool:
        """Whether what this run reads to its end covers it for later runs: not when the run
        was told to leave articles out (``sections``, ``since``, ``max_articles``)."""
        arguments = self.arguments
        return not (arguments.sections or arguments.since or arguments.max_articles)

    def parse_article(self, response: Response) -> Iterator[Any]:
        raise NotImplementedError  # mayadeen.spiders.articles

    def fetch_failed(self, failure: Failure) -> None:
        raise NotImplementedError  # mayadeen.spiders.articles

    def article_failed(self, failure: Failure) -> Iterator[scrapy.Request]:
        raise NotImplementedError  # mayadeen.spiders.webarchive_routes

    # -- starting points ---------------------------------------------------------------------

    def _discovery_starts(self) -> Iterator[scrapy.Request]:
        root = self.root
        yield self._page(root + HOME_PATH, self.parse_listing, "home")
        for listing in self.arguments.sections or SECTION_LISTINGS:
            yield self._page(f"{root}/{listing}", self.parse_listing, "section")
        if self._robots_middleware() is None:  # ROBOTSTXT_OBEY off: read robots.txt here
            yield self._page(root + ROBOTS_PATH, self.parse_robots, "robots")
        for path in SITEMAP_INDEX_PATHS:
            yield self._page(root + path, self.parse_sitemap, "sitemap")
        for path in RSS_PATHS:
            yield self._page(root + path, self.parse_rss, "rss")

    def _robots_middleware(self) -> RobotsTxtMiddleware | None:
        middlewares = self.crawler.engine.downloader.middleware.middlewares
        return next((m for m in middlewares if isinstance(m, RobotsTxtMiddleware)), None)

    def _sitemaps(self, urls: Iterable[str]) -> Iterator[scrapy.Request]:
        for url in urls:
            if (on_site := canonical_url(url, self.root)) is not None:
                yield self._page(on_site, self.parse_sitemap, "sitemap")

    # -- requests ----------------------------------------------------------------------------

    def _page(
        self, url: str, callback: Any, kind: str, meta: dict[str, Any] | None = None
    ) -> scrapy.Request:
        return scrapy.Request(
            url,
            callback=callback,
            errback=self.discovery_failed,
            cb_kwargs={"kind": kind},
            meta=meta,
        )

    def _articles(
        self,
        entries: Iterable[tuple[str, str | None]],
        source: str,
        dates: Mapping[str, date] | None = None,
    ) -> Iterator[tuple[Decision, scrapy.Request | None]]:
        """Each (URL, sitemap lastmod) with its decision, and the request when it is to be fetched;
        ``dates`` maps a URL to the date its listing card shows."""
        assert self.frontier is not None
        for url, lastmod in entries:
            decision = self.frontier.consider(
                url, lastmod, (dates or {}).get(url), in_section_listing=source == "section"
            )
            self.stat(f"discovery/{source}/{decision.reason}")
            if decision.reason != "seen" and url_shape(url) == "unknown":
                self.stat(f"unknown_shapes/found/{path_segments(url)[0].lower()}")
            request = None
            if decision.fetch and not self.max_reached():
                request = scrapy.Request(
                    url,
                    callback=self.parse_article,
                    errback=self.article_failed,
                    priority=ARTICLE_PRIORITY,
                    meta={
                        OWED_META: True
                    },  # owed in the store once scheduled (mayadeen/run/ledger.py)
                )
            yield decision, request

    def _requests(self, urls: Iterable[str | None], source: str) -> Iterator[scrapy.Request]:
        found = self._articles(((url, None) for url in urls if url), source)
        return (request for _, request in found if request is not None)

    # -- discovery pages ---------------------------------------------------------------------

    def parse_listing(self, response: Response, kind: str) -> Iterator[scrapy.Request]:
        if not isinstance(response, TextResponse):
            self.stat(f"listings/{kind}/not_text")
            return
        page = discovery.read_listing(response, self.root)
        self.stat(f"listings/{kind}/pages")
        decisions = []
        entries = ((url, None) for url in page.articles)
        for decision, request in self._articles(entries, kind, page.card_dates):
            decisions.append(decision)
            if request is not None:
                yield request
        if kind == "home" and not self.arguments.sections:
            for url in page.listings:
                yield self._page(url, self.parse_listing, "section")
        listing = response.meta.get(LISTING, response.url)
        if listing in self.bounds.ended:  # in flight when its paging stopped: no further
            self.stat(f"listings/{kind}/after_end")
            return
        if not page.next_pages:
            self.bounds.listing_ended(listing)
            if self.covers:
                self.context.owed.cover(listing, "listing")
            return
        if not self.bounds.keep_paging(listing, page.articles):
            self._limit_reached(LISTING_STALE, response.url, self.bounds.listing_stale_pages)
            return
        assert self.frontier is not None
        if self.frontier.keep_paging(listing, decisions, page.dates) and not self.max_reached():
            for url in page.next_pages:
                yield self._page(url, self.parse_listing, kind, {LISTING: listing})
        else:
            self.bounds.listing_ended(listing)
            self.stat(f"listings/{kind}/stopped")

    def parse_robots(self, response: Response, kind: str) -> Iterator[scrapy.Request]:
        if isinstance(response, TextResponse):
            yield from self._sitemaps(discovery.read_robots(response))

    def parse_sitemap(self, response: Response, kind: str) -> Iterator[scrapy.Request]:
        assert self.frontier is not None
        if response.meta.get(SITEMAP_DEPTH):  # released by the backlog: the next may follow
            self.backlog.sitemap_read()
        sitemap_kind, entries = discovery.read_sitemap(response)
        self.stat(f"sitemaps/{sitemap_kind}")
        depth = response.meta.get(SITEMAP_DEPTH, 0)
        if sitemap_kind == "sitemapindex" and not self.bounds.follow_index(depth):
            self._limit_reached(SITEMAP_TOO_DEEP, response.url, depth)
        elif sitemap_kind == "sitemapindex":
            for entry in entries:
                url = canonical_url(entry.loc, self.root)
                if url is None or not self.frontier.wants_sitemap(
                    url, sitemap_month(url), entry.lastmod
                ):
                    self.stat("sitemaps/skipped")
                    continue
                self.backlog.hold_sitemap(
                    self._page(url, self.parse_sitemap, "sitemap", {SITEMAP_DEPTH: depth + 1})
                )
            yield from self._released()
        elif sitemap_kind == "urlset":
            located = ((canonical_url(e.loc, self.root), e.lastmod) for e in entries)
            found = self._articles(((url, lastmod) for url, lastmod in located if url), "sitemap")
            self.backlog.add(self._to_its_end(found, response.url))
            yield from self._released()
        else:
            self.logger.warning("%s: not a sitemap (%s); skipped", response.url, sitemap_kind)

    def _to_its_end(
        self, found: Iterable[tuple[Decision, scrapy.Request | None]], sitemap: str
    ) -> Iterator[scrapy.Request]:
        """A sitemap's requests; once every entry is decided (and each one to fetch requested,
        so owed), the sitemap is covered."""
        for _, request in found:
            if request is not None:
                yield request
        if self.covers and not self.max_reached():
            self.context.owed.cover(sitemap, "sitemap")

    def parse_rss(self, response: Response, kind: str) -> Iterator[scrapy.Request]:
        located = (
            (canonical_url(link, self.root), stated)
            for link, stated in discovery.read_feed(response)
        )
        found = self._articles(((url, stated) for url, stated in located if url), "rss")
        yield from (request for _, request in found if request is not None)

    def discovery_failed(self, failure: Failure) -> None:
        request = failure.request  # type: ignore[attr-defined]
        kind = request.cb_kwargs.get("kind", "page")
        self.stat(f"discovery/{kind}/failed")
        if request.meta.get(SITEMAP_DEPTH):  # released by the backlog: the next may follow
            self.backlog.sitemap_read()
        reason = failure_reason(failure)
        if isinstance(failure.value, SiteUnreachable):  # the run's one line says it all
            return
        if kind == "rss":  # from datacenter addresses the site's RSS answers 403: not fatal
            self.logger.warning(
                "RSS not available at %s (%s); going on without it", request.url, reason
            )
        elif not isinstance(failure.value, AlreadyReported):  # blocks are logged where seen
            self.logger.error("%s: %s page not fetched: %s", request.url, kind, reason)

    def _limit_reached(self, limit: Limit, *args: Any) -> None:
        """Count a discovery bound reached (``mayadeen/limits/<name>``); warn the first time."""
        self.stat(f"limits/{limit.name}")
        if self.bounds.first(limit):
            self.logger.warning(
                f"{limit.message}; later ones are counted as mayadeen/limits/{limit.name}", *args
            )

    # -- the backlog of sitemap articles (mayadeen/crawl/backlog.py) --------------------------------

    def _released(self) -> list[scrapy.Request]:
        scheduler = self.crawler.engine.scheduler
        return self.backlog.release(len(scheduler) if isinstance(scheduler, Sized) else 0)

    def drain_backlog(self, spider: scrapy.Spider) -> None:
        """On ``spider_idle``: schedule more of the backlog, and keep the spider open for it."""
        if requests := self.backlog.take(2 * LOW, idle=True):
            for request in requests:
                self.crawler.engine.crawl(request)
            raise DontCloseSpider

    # -- max_articles ------------------------------------------------------------------------

    def max_reached(self, pending: int = 0) -> bool:
        """Whether ``max_articles`` are stored, counting ``pending`` items still in the pipelines
        (they may yet be stored, so none beyond the limit is let through)."""
        limit = self.arguments.max_articles
        return limit is not None and self.items_stored + pending >= limit


def failure_reason(failure: Failure) -> str:
    """``HTTP 503`` for an error status, else the exception's message or name."""
    error = failure.value
    if isinstance(error, HttpError):
        return f"HTTP {error.response.status}"
    return str(error) or type(error).__name__
