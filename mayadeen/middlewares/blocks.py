"""Blocks: a 403 or a challenge page is counted, never parsed and never retried blindly; the host
is slowed down, and after ``MAYADEEN_MAX_CONSECUTIVE_BLOCKS`` blocks in a row the crawl stops
with the close reason ``blocked``. Content-less pages (JavaScript shells) are counted and dropped.

It sits between decompression (590) and retries (550), so it reads decoded bodies and sees a
challenge served as 503 before RetryMiddleware would retry it.
"""

import logging
from typing import Any

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.http import Response
from scrapy.utils.defer import deferred_from_coro
from scrapy.utils.httpobj import urlparse_cached

from mayadeen.middlewares import AlreadyReported
from mayadeen.middlewares.backoff import SlotBackoff
from mayadeen.site.access import response_block_kind, response_is_contentless

logger = logging.getLogger(__name__)
CLOSE_REASON = "blocked"


class Blocked(AlreadyReported):
    """The site refused the request (HTTP 403 or a challenge page)."""


class ContentlessPage(AlreadyReported):
    """An article-shaped URL answered with a page without any article markup."""


class CrawlStopped(AlreadyReported):
    """Not sent: the crawl is stopping because the site blocks it."""


class BlockMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.limit = crawler.settings.getint("MAYADEEN_MAX_CONSECUTIVE_BLOCKS")
        self.backoff = SlotBackoff.of(crawler)
        self.consecutive = 0
        self.reported: set[str] = set()
        self.stopping: Any = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "BlockMiddleware":
        middleware = cls(crawler)
        crawler.signals.connect(middleware.spider_closed, signal=signals.spider_closed)
        return middleware

    def process_request(self, request: Request) -> None:
        if self.stopping is not None:
            self._count("mayadeen/blocks/not_sent")
            raise CrawlStopped(f"not sent, the crawl is stopping: {request.url}")

    def process_response(self, request: Request, response: Response) -> Response:
        kind = response_block_kind(response)
        if kind is not None:
            self._blocked(request, response, kind)
        if response_is_contentless(response):
            self._count("mayadeen/pages/contentless")
            self._warn_once(
                request,
                "%s: the page has no article markup (content written by JavaScript?); "
                "not parsed. MAYADEEN_BROWSER=fallback renders such pages in Chromium",
                response.url,
            )
            raise ContentlessPage(f"no article markup at {response.url}")
        self.consecutive = 0
        self.backoff.relax(request)
        return response

    def _blocked(self, request: Request, response: Response, kind: str) -> None:
        self._count("mayadeen/blocks/total")
        self._count(f"mayadeen/blocks/{kind}")
        self.consecutive += 1
        delay = self.backoff.slow_down(request)
        self._warn_once(
            request,
            "%s: blocked (%s, HTTP %d): not parsed, not retried; %d in a row; "
            "requests to this host now %.1f s apart",
            response.url,
            kind,
            response.status,
            self.consecutive,
            delay,
        )
        if self.consecutive >= self.limit and self.stopping is None:
            self._stop(urlparse_cached(request).hostname or "the site")
        raise Blocked(f"{kind} (HTTP {response.status}) at {response.url}")

    def _stop(self, host: str) -> None:
        logger.error(
            "Stopping: %d consecutive responses from %s were blocks (HTTP 403 or challenge "
            "pages; see mayadeen/blocks/* in the stats). The site is refusing this crawler. "
            "Try again later, from another address, with -s MAYADEEN_BROWSER=fallback, or "
            "through a proxy (https_proxy environment variable), or read the site's captures "
            "from the Wayback Machine with -a via=wayback (-s MAYADEEN_ARCHIVE_FALLBACK=1 reads "
            "each blocked article from there). "
            "MAYADEEN_MAX_CONSECUTIVE_BLOCKS=%d sets how many blocks in a row stop a run.",
            self.consecutive,
            host,
            self.limit,
        )
        assert self.crawler.engine is not None
        self._drop_queued()
        # Not awaited: closing waits for the downloader to drain, this response included.
        self.stopping = deferred_from_coro(
            self.crawler.engine.close_spider_async(reason=CLOSE_REASON)
        )

    def _drop_queued(self) -> None:
        """Fail the requests already waiting in the downloader's slots: closing the spider would
        otherwise send each of them, at the backed-off pace, to a site that refuses us."""
        assert self.crawler.engine is not None
        for slot in self.crawler.engine.downloader.slots.values():
            while slot.queue:
                request, queued = slot.queue.popleft()
                self._count("mayadeen/blocks/not_sent")
                queued.errback(CrawlStopped(f"not sent: {request.url}"))

    def _warn_once(self, request: Request, message: str, *args: object) -> None:
        if request.url not in self.reported:
            self.reported.add(request.url)
            logger.warning(message, *args)

    def _count(self, key: str) -> None:
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value(key)

    def spider_closed(self) -> None:
        self.reported.clear()
