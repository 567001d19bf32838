"""A graceful shutdown (SIGTERM, Ctrl-C once) does not wait out delays.

Scrapy's graceful stop lets every request already handed to the downloader finish. Some of them
are only waiting: a retry sleeping until its ``Retry-After`` (up to ``MAYADEEN_RETRY_AFTER_MAX``,
300 s), and requests queued in a download slot behind its delay (``DOWNLOAD_DELAY``, AutoThrottle,
the back-off after blocks and 429s: up to ``MAYADEEN_BACKOFF_MAX``, 120 s, each). A stop would
outlast systemd's 90 s stop timeout and end in a SIGKILL. Once the crawler is stopping, those
waits end at once: the Retry-After sleep is cut short (:meth:`Shutdown.wait`) and the slots'
queues are emptied (:class:`ShutdownMiddleware`). Each request so dropped is given up with the
reason ``shutdown`` (:func:`mayadeen.signals.give_up`: counted, and announced for
whatever retries it later); downloads already under way finish as before.
"""

import logging
import time
from typing import ClassVar
from weakref import WeakKeyDictionary

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.utils.asyncio import sleep
from twisted.internet.task import LoopingCall

from mayadeen.middlewares import GivenUp
from mayadeen.signals import give_up

logger = logging.getLogger(__name__)
POLL_SECONDS = 0.2
"""How soon a wait notices a shutdown (Scrapy sends no signal when a stop begins)."""


class NotSentShutdown(GivenUp):
    """Not sent: the crawl shut down while the request was waiting."""


class Shutdown:
    """Whether the crawl is stopping, and waits that a stop cuts short; one per crawler
    (``Shutdown.of(crawler)``)."""

    _instances: ClassVar["WeakKeyDictionary[Crawler, Shutdown]"] = WeakKeyDictionary()

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.given_up = 0
        self.started = False
        crawler.signals.connect(self.engine_started, signal=signals.engine_started)

    def engine_started(self) -> None:
        self.started = True

    @classmethod
    def of(cls, crawler: Crawler) -> "Shutdown":
        if crawler not in cls._instances:
            cls._instances[crawler] = cls(crawler)
        return cls._instances[crawler]

    @property
    def stopping(self) -> bool:
        """A stop was asked for (a signal, or ``Crawler.stop``): Scrapy sets ``crawling`` when the
        crawl starts and clears it the moment a stop begins."""
        return self.started and not self.crawler.crawling

    async def wait(self, seconds: float) -> bool:
        """Sleep ``seconds``, or less if the crawl starts stopping; whether the whole wait passed."""
        deadline = time.monotonic() + seconds
        while not self.stopping:
            left = deadline - time.monotonic()
            if left <= 0:
                return True
            await sleep(min(POLL_SECONDS, left))
        return False

    def drop(self, request: Request, waiting_for: str) -> NotSentShutdown:
        """Give ``request`` up (it was waiting for ``waiting_for``); the exception to fail it with."""
        if not self.given_up:
            logger.warning(
                "Shutting down: requests waiting for %s are not sent (their URLs are counted as "
                "mayadeen/given_up/shutdown)",
                waiting_for,
            )
        self.given_up += 1
        logger.info("%s: not sent, the crawl is shutting down (%s)", request.url, waiting_for)
        give_up(self.crawler, request, "shutdown")
        return NotSentShutdown(f"not sent, shutting down: {request.url}")


class ShutdownMiddleware:
    """Empties the download slots' queues when a stop begins, so that Scrapy's graceful close
    does not send each queued request at the slot's (backed-off) pace first."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.shutdown = Shutdown.of(crawler)
        self.watch = LoopingCall(self._check)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "ShutdownMiddleware":
        middleware = cls(crawler)
        crawler.signals.connect(middleware.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(middleware.spider_closed, signal=signals.spider_closed)
        return middleware

    def spider_opened(self) -> None:
        self.watch.start(POLL_SECONDS, now=False)

    def spider_closed(self) -> None:
        if self.watch.running:
            self.watch.stop()
        if self.shutdown.given_up:
            logger.warning(
                "Shutdown: %d requests that were waiting were not sent "
                "(mayadeen/given_up/shutdown)",
                self.shutdown.given_up,
            )

    def _check(self) -> None:
        engine = self.crawler.engine
        if not self.shutdown.stopping or engine is None:
            return
        for slot in engine.downloader.slots.values():
            while slot.queue:
                request, queued = slot.queue.popleft()
                queued.errback(self.shutdown.drop(request, "a download delay"))
