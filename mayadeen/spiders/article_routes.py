"""What the ``articles`` spider does with article pages: the pages asked for with ``-a urls=``, each
article page read and handed to the pipelines, and a failed fetch told and owed. Routing only: a
page is read by ``mayadeen.pages.extract``; what is owed is kept by the run's ledger
(``mayadeen.crawl.owed``); the related links an article shows are followed by
``mayadeen.spiders.discovery_routes``.
"""

from collections.abc import Iterator
from typing import Any

import scrapy
from scrapy.http import Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from mayadeen.crawl.arguments import requested_urls
from mayadeen.crawl.frontier import Frontier
from mayadeen.crawl.owed import GONE_STATUSES, OWED_META
from mayadeen.items import Provenance
from mayadeen.middlewares import AlreadyReported, GivenUp
from mayadeen.middlewares.blocks import Blocked, CrawlStopped
from mayadeen.middlewares.reachability import SiteUnreachable
from mayadeen.middlewares.robots import ForbiddenByRobots
from mayadeen.pages.extract import count, extract, taken_tree
from mayadeen.run import Run
from mayadeen.signals import first_url
from mayadeen.site.urls import canonical_url, url_shape
from mayadeen.spiders.discovery_routes import DiscoveryRoutes
from mayadeen.spiders.routing import Routing, failure_reason


class ArticleRoutes:
    """Article pages, of the site or of a web archive's capture, and their failures."""

    frontier: Frontier | None = None
    """The store's state, handed over by the spider once loaded (its start); None with ``urls``
    (no discovery): then no related link is followed and no article is too old."""

    def __init__(
        self, routing: Routing, *, via: str, urls_argument: str | None, discovery: DiscoveryRoutes
    ) -> None:
        self.routing = routing
        self.via = via
        self.urls_argument = urls_argument
        self.discovery = discovery

    @property
    def context(self) -> Run:
        return Run.of(self.routing.crawler)

    def requested(self) -> Iterator[scrapy.Request]:
        """The pages ``urls`` asks for, each fetched whatever the store holds."""
        accepted, rejected = requested_urls(self.urls_argument, self.routing.root)
        for entry in rejected:
            self.routing.logger.error(
                "urls: %r is not a URL of %s; not fetched", entry, self.routing.root
            )
            self.routing.stat("urls/rejected")
        if not accepted:
            self.routing.logger.error("urls: no URL of %s to fetch", self.routing.root)
        for url in accepted:
            self.routing.stat("urls/requested")
            yield scrapy.Request(
                url,
                callback=self.routing.callbacks.parse_article,
                errback=self.routing.callbacks.article_failed,
                dont_filter=True,
            )

    def parse_article(self, response: Response) -> Iterator[Any]:
        if not isinstance(response, TextResponse):
            self.routing.logger.warning(
                "%s: not a text page (%s); skipped", response.url, type(response)
            )
            self.routing.stat("pages/not_text")
            if response.meta.get(OWED_META) and response.request is not None:  # a failed attempt
                self.context.owed.fetch_failed(first_url(response.request), "not a text page")
            return
        extraction = extract(response, self.routing.root, tree=taken_tree(response))
        count(self.routing.crawler.stats, extraction)
        for note in extraction.notes:
            self.routing.logger.info("%s: %s", response.url, note)
        item = extraction.item
        if response.meta.get(OWED_META):  # what is owed moves to the article's URL, or is settled
            requested = [*response.meta.get("redirect_urls", ()), response.url]
            self.context.owed.arrived(requested, item.url if item is not None else None)
        if url_shape(response.url) == "unknown":  # what pages of a new URL family turn out to be
            self.routing.stat(f"unknown_shapes/pages/{extraction.kind}")
        if item is None:
            self.routing.logger.info(
                "%s: a %s page, not an article; no item", response.url, extraction.kind
            )
            if (url := canonical_url(response.url, self.routing.root)) is not None:
                self.context.writer.remember_non_article(url, extraction.kind)
            return
        if self.frontier is not None and self.frontier.too_old(item.published_at):
            self.routing.stat("articles/before_since")
            if item.url:
                self.context.owed.settle(item.url)
            return
        if self.routing.quota.reached(self.routing.quota.in_pipelines):
            self.routing.stat("articles/after_max_articles")
            return
        self.routing.quota.in_pipelines += 1
        item.provenance = Provenance.of(response.meta)
        yield item
        if self.frontier is not None and self.via == "site":
            yield from self.discovery.requests(item.related_urls, "related")
            yield from self.discovery.released()

    def fetch_failed(self, failure: Failure) -> None:
        request = getattr(failure, "request", None)
        if request is not None and request.meta.get(OWED_META):
            self._owe_failure(request, failure)
        url, error = getattr(request, "url", "?"), failure.value
        if isinstance(error, ForbiddenByRobots) and self.urls_argument is not None:
            self.routing.logger.warning("%s: not fetched: robots.txt forbids it", url)
            self.routing.stat("urls/forbidden")
        if isinstance(error, AlreadyReported):  # a block, a content-less page: counted
            return
        if isinstance(error, HttpError) and error.response.status in GONE_STATUSES:
            # The site's answer, not our loss: counted, and gone once it answers so twice.
            self.routing.logger.warning(
                "%s: not fetched: the site answers %s", url, failure_reason(failure)
            )
            self.routing.stat(
                "urls/not_found" if self.urls_argument is not None else "articles/not_found"
            )
            return
        self.routing.logger.error("%s: not fetched: %s", url, failure_reason(failure))
        self.routing.stat("urls/failed" if self.urls_argument is not None else "articles/failed")

    def fallback_url(self, failure: Failure) -> str | None:
        """The article to read from its newest Wayback capture instead, when a request of the
        site was blocked and ``MAYADEEN_ARCHIVE_FALLBACK`` is on (it stays owed until stored)."""
        fallback = (
            self.routing.crawler.settings.getbool("MAYADEEN_ARCHIVE_FALLBACK")
            and self.via == "site"
        )
        request = getattr(failure, "request", None)
        if not (fallback and isinstance(failure.value, Blocked) and request is not None):
            return None
        return canonical_url(first_url(request), self.routing.root)

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
