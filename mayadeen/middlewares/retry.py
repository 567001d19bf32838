"""Retries that honour ``Retry-After``.

Scrapy 2.19's RetryMiddleware retries 429 and 503 at once, whatever ``Retry-After`` says
(scrapy/scrapy#3849). This subclass replaces it: when a 429 or 503 states ``Retry-After``
(seconds or an HTTP date), the retry is sent no earlier than that — the wait is awaited without
blocking other requests, and cut short by a shutdown (``mayadeen/middlewares/shutdown.py``) —
and the whole host is slowed down as well. A wait longer than
``MAYADEEN_RETRY_AFTER_MAX`` is not honoured by a retry: the response goes to the spider as the
failure it is, with a clear log line. Everything else is Scrapy's own retry logic.
"""

import logging
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.http import Response
from scrapy.utils.response import response_status_message

from mayadeen.middlewares.backoff import SlotBackoff
from mayadeen.middlewares.shutdown import Shutdown

logger = logging.getLogger(__name__)
RETRY_AFTER_STATUSES = frozenset({429, 503})


def retry_after_seconds(value: bytes | str | None, now: datetime | None = None) -> float | None:
    """Seconds a ``Retry-After`` header asks to wait (never negative), or None if it is absent or
    unreadable.

    >>> retry_after_seconds(b"120")
    120.0
    >>> now = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
    >>> retry_after_seconds("Thu, 01 Jan 2026 12:00:30 GMT", now)
    30.0
    >>> retry_after_seconds("Thu, 01 Jan 2026 11:00:00 GMT", now)
    0.0
    >>> retry_after_seconds("soon") is None
    True
    """
    if value is None:
        return None
    text = (value.decode("latin-1") if isinstance(value, bytes) else value).strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


class RetryAfterMiddleware(RetryMiddleware):
    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "RetryAfterMiddleware":
        middleware = cls(crawler.settings)
        middleware.crawler = crawler
        middleware.max_wait = crawler.settings.getfloat("MAYADEEN_RETRY_AFTER_MAX")
        middleware.backoff = SlotBackoff.of(crawler)
        middleware.shutdown = Shutdown.of(crawler)
        return middleware

    max_wait: float
    backoff: SlotBackoff
    shutdown: Shutdown

    async def process_response(  # type: ignore[override]
        self, request: Request, response: Response
    ) -> Request | Response:
        status = response.status
        if request.meta.get("dont_retry", False) or status not in self.retry_http_codes:
            return response
        wait = None
        if status in RETRY_AFTER_STATUSES:
            wait = retry_after_seconds(response.headers.get(b"Retry-After"))
        if status == 429 or wait is not None:
            self.backoff.slow_down(request, to=wait)
        if wait is None:
            return self._retry(request, response_status_message(status)) or response
        stats = self.crawler.stats
        assert stats is not None
        if wait > self.max_wait:
            stats.inc_value("mayadeen/retry_after/too_long")
            logger.error(
                "%s: HTTP %d asks to retry after %.0f s, more than MAYADEEN_RETRY_AFTER_MAX=%.0f s;"
                " not retried",
                request.url,
                status,
                wait,
                self.max_wait,
            )
            return response
        retry = self._retry(request, response_status_message(status))
        if retry is None:
            return response
        stats.inc_value("mayadeen/retry_after/waits")
        stats.inc_value("mayadeen/retry_after/seconds", round(wait))
        logger.info(
            "%s: HTTP %d, retrying in %.1f s as Retry-After asks", request.url, status, wait
        )
        if not await self.shutdown.wait(wait):  # a stop does not wait the Retry-After out
            raise self.shutdown.drop(retry, "Retry-After")
        return retry
