"""Building pipelines as a crawl does (``from_crawler``, the project's settings and extensions),
driving them as Scrapy's engine does, and items as extraction gives them."""

import asyncio
import dataclasses
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from scrapy.pipelines import ItemPipelineManager
from scrapy.utils.test import get_crawler

from mayadeen import settings as project_settings
from mayadeen.items import ArticleItem
from mayadeen.loopback import GeneratedSite, load_fixtures
from mayadeen.loopback.anatomy import LIVE_ROOT
from mayadeen.run import Run

CRAWLED_AT = "2026-11-21T10:00:00+00:00"
PROJECT = {name: value for name, value in vars(project_settings).items() if name.isupper()}


def make_crawler(data_dir: Path, **settings: Any) -> Crawler:
    """A crawler with the project's settings and ``settings``, its extensions built."""
    return get_crawler(
        settings_dict={
            **PROJECT,
            "MAYADEEN_DATA_DIR": str(data_dir),
            "MAYADEEN_BASE_URL": LIVE_ROOT,
            **settings,
        }
    )


class PipelineRun:
    """One crawl's item pipelines and extensions driven as Scrapy's engine drives them: the
    pipelines opened, then ``spider_opened``; each item through the pipelines, then
    ``item_scraped`` or ``item_dropped``; the pipelines closed, then ``spider_closed``. Nothing
    is downloaded. Run it in a running asyncio loop (:func:`run_pipelines`, ``asyncio.run``)."""

    def __init__(self, data_dir: Path, **settings: Any) -> None:
        # AutoThrottle adjusts the downloader, which a run without downloads does not have.
        self.crawler = make_crawler(data_dir, **{"AUTOTHROTTLE_ENABLED": False, **settings})
        self.spider = Spider.from_crawler(self.crawler, name="articles")
        self.crawler.spider = self.spider
        self.pipelines = ItemPipelineManager.from_crawler(self.crawler)

    @property
    def run(self) -> Run:
        return Run.of(self.crawler)

    def stats(self) -> dict[str, Any]:
        return stats(self.crawler)

    async def send(self, signal: object, **arguments: Any) -> None:
        await self.crawler.signals.send_catch_log_async(signal, spider=self.spider, **arguments)

    async def open(self) -> None:
        await self.pipelines.open_spider_async()
        await self.send(signals.spider_opened)

    async def process(self, item: Any) -> Any:
        """The item the pipelines passed on, or the ``DropItem`` they raised."""
        try:
            passed = await self.pipelines.process_item_async(item)
        except DropItem as drop:
            await self.send(signals.item_dropped, item=item, response=None, exception=drop)
            return drop
        await self.send(signals.item_scraped, item=passed, response=None)
        return passed

    async def close(self, reason: str = "finished") -> None:
        await self.pipelines.close_spider_async()
        await self.send(signals.spider_closed, reason=reason)


def run_pipelines(
    data_dir: Path,
    items: list[Any],
    during: Callable[[PipelineRun], Awaitable[None]] | None = None,
    **settings: Any,
) -> dict[str, Any]:
    """One crawl's pipelines over ``items`` (then ``during``, before the close); its stats."""

    async def crawl() -> PipelineRun:
        run = PipelineRun(data_dir, **settings)
        await run.open()
        for item in items:
            await run.process(item)
        if during is not None:
            await during(run)
        await run.close()
        return run

    return asyncio.run(crawl()).stats()


@contextmanager
def opened_run(data_dir: Path, **settings: Any) -> Iterator[PipelineRun]:
    """A crawl's pipelines and extensions opened, for a test to call a pipeline's
    ``process_item`` directly; closed when the block ends."""
    loop = asyncio.new_event_loop()
    run = PipelineRun(data_dir, **settings)
    loop.run_until_complete(run.open())
    try:
        yield run
    finally:
        loop.run_until_complete(run.close())
        loop.close()


def fixture_items(kind: str = "article") -> dict[str, ArticleItem]:
    """The fixtures' expected items of a kind, by fixture name, as extraction yields them."""
    return {
        fixture.name: ArticleItem(**{**expected, "crawled_at": CRAWLED_AT})
        for fixture in load_fixtures()
        if fixture.kind == kind and (expected := fixture.expected()) is not None
    }


def generated_items(site: GeneratedSite) -> list[ArticleItem]:
    return [
        ArticleItem(**site.expected_item(article), crawled_at=CRAWLED_AT)
        for article in site.articles_by_index
    ]


def changed(item: ArticleItem, **values: Any) -> ArticleItem:
    return dataclasses.replace(item, **values)


def stats(crawler: Crawler) -> dict[str, Any]:
    assert crawler.stats is not None
    return crawler.stats.get_stats()
