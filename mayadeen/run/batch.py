"""A run without Scrapy's engine, for a batch job over what is already fetched (``scrapy
reextract``): the same crawler object (settings, stats, signals, extensions: the run, its feeds,
its report), opened and closed by the same signals as a crawl's, but no scheduler, downloader or
scraper between the job and its items.

:class:`BatchCrawler` replaces only ``Crawler.crawl``: the spider is built and the settings
applied as Scrapy does, then ``spider_opened`` (the run opens: ``mayadeen.run.Run.open``), the
spider's ``batch()`` coroutine, ``spider_closed`` with the reason it returns (the run's ordered
close) and ``engine_stopped`` (the summary). :class:`ItemSteps` is what the engine's scraper
would do with each item: the ``ITEM_PIPELINES`` in order, called directly, and the drop log line
and the ``item_dropped`` / ``item_scraped`` signals (the per-run feeds hear the latter).
"""

import asyncio
import logging
from collections.abc import Generator
from typing import Any, Final, Protocol

from scrapy import Spider, signals
from scrapy.crawler import Crawler, CrawlerRunnerBase
from scrapy.exceptions import CloseSpider, DropItem
from scrapy.settings import SETTINGS_PRIORITIES, BaseSettings
from scrapy.utils.conf import build_component_list
from scrapy.utils.defer import deferred_from_coro
from scrapy.utils.deprecate import argument_is_required
from scrapy.utils.log import logformatter_adapter
from scrapy.utils.misc import build_from_crawler, load_object
from twisted.internet.defer import Deferred, inlineCallbacks
from twisted.python.failure import Failure

logger = logging.getLogger(__name__)

ENGINELESS: Final = {"AUTOTHROTTLE_ENABLED": False, "TELNETCONSOLE_ENABLED": False}
"""Extensions of the engine's downloads, meaningless without them (AutoThrottle reads the
engine's downloader when the spider opens): off, whatever the settings say."""


class BatchSpider(Protocol):
    async def batch(self) -> str:
        """Do the job; returns the close reason."""
        ...


class BatchCrawler(Crawler):
    """A crawler whose ``crawl`` runs its spider's ``batch()`` instead of the engine."""

    @classmethod
    def of(cls, process: CrawlerRunnerBase, spidercls: type[Spider]) -> "BatchCrawler":
        """The crawler ``process`` would build for ``spidercls`` (it decides whether the crawler
        installs the reactor), as a batch crawler: the class changes, nothing else does."""
        crawler = process.create_crawler(spidercls)
        crawler.__class__ = cls
        assert isinstance(crawler, cls)
        return crawler

    @inlineCallbacks
    def crawl(self, *args: Any, **kwargs: Any) -> Generator[Deferred[Any], Any, None]:
        yield deferred_from_coro(self.crawl_async(*args, **kwargs))

    stop_requested = False
    """A graceful stop was asked (Ctrl-C, SIGTERM): the job ends after the chunk it is on."""

    async def crawl_async(self, *args: Any, **kwargs: Any) -> None:
        if self._started:
            raise RuntimeError("Cannot run a batch crawler more than once.")
        self.crawling = self._started = True
        self._finished = asyncio.Event()
        try:
            self.spider = self._create_spider(*args, **kwargs)
            for name, value in ENGINELESS.items():
                self.settings.set(name, value, priority=SETTINGS_PRIORITIES["cmdline"] + 10)
            self._apply_settings()
            self._update_root_log_handler()
            await self._run(self.spider)
        finally:
            self.crawling = False
            self._finished.set()

    async def stop_async(self) -> None:
        """Scrapy's graceful stop (its handler of the first Ctrl-C), with no engine to stop: the
        job is asked to end, and this completes once the run is closed (its manifest written),
        before Scrapy stops the reactor."""
        if self.crawling:
            self.stop_requested = True
            await self._finished.wait()

    async def _run(self, spider: Spider) -> None:
        assert self.stats is not None
        self.stats.open_spider()
        opened = await self.signals.send_catch_log_async(
            signals.spider_opened, spider=spider, dont_log=CloseSpider
        )
        refused = [result for _, result in opened if isinstance(result, CloseSpider)]
        reason = refused[0].reason if refused else None
        if reason is None:
            await self.signals.send_catch_log_async(signals.engine_started)
            job: BatchSpider = spider  # type: ignore[assignment]
            try:
                reason = await job.batch()
            except Exception:
                logger.exception("%s: the batch job failed", spider.name)
                reason = "batch_error"
        await self.signals.send_catch_log_async(signals.spider_closed, spider=spider, reason=reason)
        self.stats.close_spider(reason=reason)
        logger.info("Spider closed (%(reason)s)", {"reason": reason}, extra={"spider": spider})
        await self.signals.send_catch_log_async(signals.engine_stopped)


class ItemSteps:
    """The ``ITEM_PIPELINES``, each item through them in order, as Scrapy's scraper sends it."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.pipelines = [
            build_from_crawler(load_object(path), crawler)
            for path in build_component_list(crawler.settings.getwithbase("ITEM_PIPELINES"))
        ]
        self._with_spider = [argument_is_required(p.process_item, "spider") for p in self.pipelines]
        self._log_scraped = _logs_debug(crawler.settings)

    def open(self, spider: Spider) -> None:
        for pipeline in self.pipelines:
            self._call(pipeline, "open_spider", spider)

    def close(self, spider: Spider) -> None:
        for pipeline in self.pipelines:
            self._call(pipeline, "close_spider", spider)

    @staticmethod
    def _call(pipeline: Any, name: str, spider: Spider) -> None:
        method = getattr(pipeline, name, None)
        if method is not None:
            method(spider) if argument_is_required(method, "spider") else method()

    def process(self, item: Any, spider: Spider) -> Any | None:
        """``item`` through every step; the item returned (scraped), or None (dropped)."""
        formatter = self.crawler.logformatter
        try:
            for pipeline, with_spider in zip(self.pipelines, self._with_spider, strict=True):
                item = (
                    pipeline.process_item(item, spider)
                    if with_spider
                    else pipeline.process_item(item)
                )
        except DropItem as error:
            if (logkws := formatter.dropped(item, error, None, spider)) is not None:
                logger.log(*logformatter_adapter(logkws), extra={"spider": spider})
            self.crawler.signals.send_catch_log(
                signals.item_dropped, item=item, response=None, spider=spider, exception=error
            )
            return None
        except Exception:
            logkws = formatter.item_error(item, Exception(), None, spider)
            logger.log(*logformatter_adapter(logkws), extra={"spider": spider}, exc_info=True)
            self.crawler.signals.send_catch_log(
                signals.item_error,
                item=item,
                response=None,
                spider=spider,
                failure=Failure(),  # type: ignore[no-untyped-call]
            )
            return None
        # Scrapy's "Scraped from" line, at DEBUG: not even built otherwise.
        if self._log_scraped and (logkws := formatter.scraped(item, None, spider)) is not None:
            logger.log(*logformatter_adapter(logkws), extra={"spider": spider})
        self.crawler.signals.send_catch_log(
            signals.item_scraped, item=item, response=None, spider=spider
        )
        return item


def _logs_debug(settings: BaseSettings) -> bool:
    """Whether the run's log shows DEBUG lines: Scrapy sets ``LOG_LEVEL`` on its handler, not on
    the loggers, so ``isEnabledFor(DEBUG)`` is true at any level and a line for every item would
    be built only for the handler to drop it."""
    if not settings.getbool("LOG_ENABLED"):
        return False
    level = settings.get("LOG_LEVEL", "DEBUG")
    number = logging.getLevelName(level.upper()) if isinstance(level, str) else level
    return isinstance(number, int) and number <= logging.DEBUG
