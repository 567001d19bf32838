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
from twisted.python.failure import Failure

from mayadeen.crawl.backlog import LOW, Backlog
from mayadeen.crawl.bounds import (
    LISTING,
    LISTING_STALE,
    SITEMAP_DEPTH,
    SITEMAP_TOO_DEEP,
)
from mayadeen.crawl.frontier import Decision, Frontier
from mayadeen.crawl.owed import OWED_META
from mayadeen.middlewares import AlreadyReported
from mayadeen.middlewares.reachability import SiteUnreachable
from mayadeen.pages import discovery
from mayadeen.pages.extract import taken_tree
from mayadeen.run import Run
from mayadeen.site.navigation import (
    HOME_PATH,
    ROBOTS_PATH,
    RSS_PATHS,
    SECTION_LISTINGS,
    SITEMAP_INDEX_PATHS,
    sitemap_month,
)
from mayadeen.site.urls import canonical_url, path_segments, url_shape
from mayadeen.spiders.routing import ARTICLE_PRIORITY, Routing, failure_reason


class DiscoveryRoutes:
    """The discovery pages of a site crawl: the starting points, what each page yields, the backlog
    of sitemap articles (``mayadeen.crawl.backlog``)."""

    frontier: Frontier | None = None
    """The store's state, handed over by the spider once loaded (its start)."""

    def __init__(self, routing: Routing, *, backlog: Backlog) -> None:
        self.routing = routing
        self.backlog = backlog

    @property
    def context(self) -> Run:
        return Run.of(self.routing.crawler)

    @property
    def covers(self) -> bool:
        """Whether what this run reads to its end covers it for later runs: not when the run
        was told to leave articles out (``sections``, ``since``, ``max_articles``)."""
        arguments = self.routing.arguments
        return not (arguments.sections or arguments.since or arguments.max_articles)

    # -- starting points ---------------------------------------------------------------------

    def starts(self) -> Iterator[scrapy.Request]:
        root = self.routing.root
        yield self._page(root + HOME_PATH, self.routing.callbacks.parse_listing, "home")
        for listing in self.routing.arguments.sections or SECTION_LISTINGS:
            yield self._page(f"{root}/{listing}", self.routing.callbacks.parse_listing, "section")
        if self.robots_middleware() is None:  # ROBOTSTXT_OBEY off: read robots.txt here
            yield self._page(root + ROBOTS_PATH, self.routing.callbacks.parse_robots, "robots")
        for path in SITEMAP_INDEX_PATHS:
            yield self._page(root + path, self.routing.callbacks.parse_sitemap, "sitemap")
        for path in RSS_PATHS:
            yield self._page(root + path, self.routing.callbacks.parse_rss, "rss")

    def robots_middleware(self) -> RobotsTxtMiddleware | None:
        middlewares = self.routing.crawler.engine.downloader.middleware.middlewares
        return next((m for m in middlewares if isinstance(m, RobotsTxtMiddleware)), None)

    def sitemaps(self, urls: Iterable[str]) -> Iterator[scrapy.Request]:
        for url in urls:
            if (on_site := canonical_url(url, self.routing.root)) is not None:
                yield self._page(on_site, self.routing.callbacks.parse_sitemap, "sitemap")

    # -- requests ----------------------------------------------------------------------------

    def _page(
        self, url: str, callback: Any, kind: str, meta: dict[str, Any] | None = None
    ) -> scrapy.Request:
        return scrapy.Request(
            url,
            callback=callback,
            errback=self.routing.callbacks.discovery_failed,
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
            self.routing.stat(f"discovery/{source}/{decision.reason}")
            if decision.reason != "seen" and url_shape(url) == "unknown":
                self.routing.stat(f"unknown_shapes/found/{path_segments(url)[0].lower()}")
            request = None
            if decision.fetch and not self.routing.quota.reached():
                request = scrapy.Request(
                    url,
                    callback=self.routing.callbacks.parse_article,
                    errback=self.routing.callbacks.article_failed,
                    priority=ARTICLE_PRIORITY,
                    meta={
                        OWED_META: True
                    },  # owed in the store once scheduled (mayadeen/run/ledger.py)
                )
            yield decision, request

    def requests(self, urls: Iterable[str | None], source: str) -> Iterator[scrapy.Request]:
        found = self._articles(((url, None) for url in urls if url), source)
        return (request for _, request in found if request is not None)

    # -- discovery pages ---------------------------------------------------------------------

    def parse_listing(self, response: Response, kind: str) -> Iterator[scrapy.Request]:
        if not isinstance(response, TextResponse):
            self.routing.stat(f"listings/{kind}/not_text")
            return
        page = discovery.read_listing(response, self.routing.root, taken_tree(response))
        self.routing.stat(f"listings/{kind}/pages")
        decisions = []
        entries = ((url, None) for url in page.articles)
        for decision, request in self._articles(entries, kind, page.card_dates):
            decisions.append(decision)
            if request is not None:
                yield request
        if kind == "home" and not self.routing.arguments.sections:
            for url in page.listings:
                yield self._page(url, self.routing.callbacks.parse_listing, "section")
        listing = response.meta.get(LISTING, response.url)
        if listing in self.routing.bounds.ended:  # in flight when its paging stopped: no further
            self.routing.stat(f"listings/{kind}/after_end")
            return
        if not page.next_pages:
            self.routing.bounds.listing_ended(listing)
            if self.covers:
                self.context.owed.cover(listing, "listing")
            return
        if not self.routing.bounds.keep_paging(listing, page.articles):
            self.routing.limit_reached(
                LISTING_STALE, response.url, self.routing.bounds.listing_stale_pages
            )
            return
        assert self.frontier is not None
        if (
            self.frontier.keep_paging(listing, decisions, page.dates)
            and not self.routing.quota.reached()
        ):
            for url in page.next_pages:
                yield self._page(
                    url, self.routing.callbacks.parse_listing, kind, {LISTING: listing}
                )
        else:
            self.routing.bounds.listing_ended(listing)
            self.routing.stat(f"listings/{kind}/stopped")

    def parse_robots(self, response: Response, kind: str) -> Iterator[scrapy.Request]:
        if isinstance(response, TextResponse):
            yield from self.sitemaps(discovery.read_robots(response))

    def parse_sitemap(self, response: Response, kind: str) -> Iterator[scrapy.Request]:
        assert self.frontier is not None
        if response.meta.get(SITEMAP_DEPTH):  # released by the backlog: the next may follow
            self.backlog.sitemap_read()
        sitemap_kind, entries = discovery.read_sitemap(response)
        self.routing.stat(f"sitemaps/{sitemap_kind}")
        depth = response.meta.get(SITEMAP_DEPTH, 0)
        if sitemap_kind == "sitemapindex" and not self.routing.bounds.follow_index(depth):
            self.routing.limit_reached(SITEMAP_TOO_DEEP, response.url, depth)
        elif sitemap_kind == "sitemapindex":
            for entry in entries:
                url = canonical_url(entry.loc, self.routing.root)
                if url is None or not self.frontier.wants_sitemap(
                    url, sitemap_month(url), entry.lastmod
                ):
                    self.routing.stat("sitemaps/skipped")
                    continue
                self.backlog.hold_sitemap(
                    self._page(
                        url,
                        self.routing.callbacks.parse_sitemap,
                        "sitemap",
                        {SITEMAP_DEPTH: depth + 1},
                    )
                )
            yield from self.released()
        elif sitemap_kind == "urlset":
            located = ((canonical_url(e.loc, self.routing.root), e.lastmod) for e in entries)
            found = self._articles(((url, lastmod) for url, lastmod in located if url), "sitemap")
            self.backlog.add(self._to_its_end(found, response.url))
            yield from self.released()
        else:
            self.routing.logger.warning(
                "%s: not a sitemap (%s); skipped", response.url, sitemap_kind
            )

    def _to_its_end(
        self, found: Iterable[tuple[Decision, scrapy.Request | None]], sitemap: str
    ) -> Iterator[scrapy.Request]:
        """A sitemap's requests; once every entry is decided (and each one to fetch requested,
        so owed), the sitemap is covered."""
        for _, request in found:
            if request is not None:
                yield request
        if self.covers and not self.routing.quota.reached():
            self.context.owed.cover(sitemap, "sitemap")

    def parse_rss(self, response: Response, kind: str) -> Iterator[scrapy.Request]:
        located = (
            (canonical_url(link, self.routing.root), stated)
            for link, stated in discovery.read_feed(response)
        )
        found = self._articles(((url, stated) for url, stated in located if url), "rss")
        yield from (request for _, request in found if request is not None)

    def failed(self, failure: Failure) -> None:
        request = failure.request  # type: ignore[attr-defined]
        kind = request.cb_kwargs.get("kind", "page")
        self.routing.stat(f"discovery/{kind}/failed")
        if request.meta.get(SITEMAP_DEPTH):  # released by the backlog: the next may follow
            self.backlog.sitemap_read()
        reason = failure_reason(failure)
        if isinstance(failure.value, SiteUnreachable):  # the run's one line says it all
            return
        if kind == "rss":  # from datacenter addresses the site's RSS answers 403: not fatal
            self.routing.logger.warning(
                "RSS not available at %s (%s); going on without it", request.url, reason
            )
        elif not isinstance(failure.value, AlreadyReported):  # blocks are logged where seen
            self.routing.logger.error("%s: %s page not fetched: %s", request.url, kind, reason)

    # -- the backlog of sitemap articles (mayadeen/crawl/backlog.py) --------------------------------

    def released(self) -> list[scrapy.Request]:
        scheduler = self.routing.crawler.engine.scheduler
        return self.backlog.release(len(scheduler) if isinstance(scheduler, Sized) else 0)

    def drain_backlog(self, spider: scrapy.Spider) -> None:
        """On ``spider_idle``: schedule more of the backlog, and keep the spider open for it."""
        if requests := self.backlog.take(2 * LOW, idle=True):
            for request in requests:
                self.routing.crawler.engine.crawl(request)
            raise DontCloseSpider
