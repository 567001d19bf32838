"""What the route collaborators of the ``articles`` spider share: the spider's callbacks they name in
their requests, the ``max_articles`` quota, the figures they count (``Routing``), and how a failure
is told.

The spider (``mayadeen.spiders.articles``) holds its routes (``article_routes``,
``discovery_routes``, ``webarchive_routes``, ``webarchive_captures``); none inherits from another.
A request's callback and errback stay methods of the spider: the scheduler's queues serialize a
request by the name of its callback on the spider (Scrapy's ``Request.to_dict`` and
``request_from_dict``, behind ``JOBDIR``, ``mayadeen.squeues`` and scrapy-redis in
``mayadeen.scaleout``), so the spider keeps one thin method a callback, each handing the answer to
its route.
"""

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Protocol

import scrapy
from scrapy.crawler import Crawler
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from mayadeen.crawl.arguments import Arguments
from mayadeen.crawl.bounds import DiscoveryBounds, Limit
from mayadeen.webarchives import commoncrawl

ARTICLE_PRIORITY = 10
"""Articles before more listing pages: items flow early and the queue of pages stays short."""

Logger = logging.LoggerAdapter[Any] | logging.Logger


class Callbacks(Protocol):
    """The spider's callbacks and errbacks, which the routes name in the requests they make."""

    def parse_article(self, response: Response) -> Iterator[Any]: ...
    def article_failed(self, failure: Failure) -> Iterator[scrapy.Request]: ...
    def parse_listing(self, response: Response, kind: str) -> Iterator[scrapy.Request]: ...
    def parse_robots(self, response: Response, kind: str) -> Iterator[scrapy.Request]: ...
    def parse_sitemap(self, response: Response, kind: str) -> Iterator[scrapy.Request]: ...
    def parse_rss(self, response: Response, kind: str) -> Iterator[scrapy.Request]: ...
    def discovery_failed(self, failure: Failure) -> None: ...
    def parse_collinfo(
        self, response: Response, kind: str, queries: list[tuple[str, bool]]
    ) -> Iterator[scrapy.Request]: ...
    def parse_wayback_index(
        self, response: Response, kind: str, path: str, exact: bool, resume: str | None
    ) -> Iterator[scrapy.Request]: ...
    def parse_cc_index(
        self, response: Response, kind: str, crawl: commoncrawl.Crawl, path: str, page: int
    ) -> Iterator[scrapy.Request]: ...
    def cc_index_failed(self, failure: Failure) -> Iterator[scrapy.Request]: ...
    def parse_capture(self, response: Response, listing: str, page: str) -> Iterator[Any]: ...
    def capture_failed(self, failure: Failure) -> None: ...
    def parse_home_index(
        self, response: Response, listing: str, page: str
    ) -> Iterator[scrapy.Request]: ...
    def home_index_failed(self, failure: Failure) -> None: ...
    def parse_home_capture(
        self, response: Response, listing: str, listed: str
    ) -> Iterator[scrapy.Request]: ...
    def home_capture_failed(self, failure: Failure) -> None: ...


class Quota:
    """``max_articles``: how many articles are stored, and how many are still in the pipelines
    (they may yet be stored, so none beyond the limit is let through)."""

    def __init__(self, limit: int | None) -> None:
        self.limit = limit
        self.stored = 0
        self.in_pipelines = 0

    def reached(self, pending: int = 0) -> bool:
        """Whether ``max_articles`` are stored, counting ``pending`` items still in the
        pipelines."""
        return self.limit is not None and self.stored + pending >= self.limit


@dataclass(frozen=True)
class Routing:
    """What every route of the spider is given: the crawler (its settings, engine and stats), the
    spider's callbacks and logger, the site root, the arguments, and the bounds and quota the
    routes share."""

    crawler: Crawler
    callbacks: Callbacks
    logger: Logger
    root: str
    arguments: Arguments
    bounds: DiscoveryBounds
    """How deep sitemap indexes and how long stale listings are followed (``mayadeen.crawl.bounds``)."""
    quota: Quota

    def stat(self, key: str, count: int = 1) -> None:
        """Count ``mayadeen/<key>`` (the crawler's stats are set once the crawl starts, after the
        spider and its routes are built)."""
        self.crawler.stats.inc_value(f"mayadeen/{key}", count)

    def limit_reached(self, limit: Limit, *args: Any) -> None:
        """Count a bound of discovery or of a web archive's index reached
        (``mayadeen/limits/<name>``); warn the first time."""
        self.stat(f"limits/{limit.name}")
        if self.bounds.first(limit):
            self.logger.warning(
                f"{limit.message}; later ones are counted as mayadeen/limits/{limit.name}", *args
            )


def failure_reason(failure: Failure) -> str:
    """``HTTP 503`` for an error status, else the exception's message or name."""
    error = failure.value
    if isinstance(error, HttpError):
        return f"HTTP {error.response.status}"
    return str(error) or type(error).__name__
