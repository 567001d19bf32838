"""The project's stats collector keeps Scrapy's stats and Scrapy's deprecation warning, read as a
plain object (``mayadeen/statscollectors.py``)."""

import inspect
import logging
import warnings
from pathlib import Path
from typing import Any

import pytest
from scrapy import Spider
from scrapy.exceptions import ScrapyDeprecationWarning
from scrapy.statscollectors import MemoryStatsCollector as ScrapyMemoryStatsCollector
from scrapy.statscollectors import StatsCollector

from mayadeen.statscollectors import SPIDER_ARGUMENT_METHODS, MemoryStatsCollector
from tests.helpers.pipeline import make_crawler


def _calls(stats: StatsCollector) -> list[Any]:
    """A run of every method, and what each read gave."""
    stats.open_spider()
    stats.inc_value("pages")
    stats.inc_value("pages", 2)
    stats.inc_value("bytes", 10, start=5)
    stats.max_value("largest", 3)
    stats.max_value("largest", 1)
    stats.min_value("smallest", 3)
    stats.min_value("smallest", 7)
    stats.set_value("status", "ok")
    read = [stats.get_value("pages"), stats.get_value("absent", "none"), dict(stats.get_stats())]
    stats.set_stats({**stats.get_stats(), "set": 1})
    read.append(dict(stats.get_stats()))
    stats.clear_stats()
    read.append(dict(stats.get_stats()))
    stats.set_value("after", 1)
    return read


def test_the_project_crawls_with_it(tmp_path: Path) -> None:
    assert isinstance(make_crawler(tmp_path).stats, MemoryStatsCollector)


def test_its_stats_are_scrapys(tmp_path: Path) -> None:
    ours = MemoryStatsCollector(make_crawler(tmp_path))
    scrapys = ScrapyMemoryStatsCollector(make_crawler(tmp_path))
    assert _calls(ours) == _calls(scrapys)
    assert ours.get_stats() == scrapys.get_stats()
    assert ours.get_stats()["after"] == 1


def test_it_keeps_and_dumps_a_closed_spiders_stats(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    crawler = make_crawler(tmp_path, STATS_DUMP=True)
    stats, spider = MemoryStatsCollector(crawler), Spider("articles")
    crawler.spider = spider
    stats.open_spider()
    stats.inc_value("pages", 4)
    with caplog.at_level(logging.INFO, logger="scrapy.statscollectors"):
        stats.close_spider(reason="finished")
    assert stats.spider_stats == {"articles": {"pages": 4}}
    assert "'pages': 4" in caplog.text


def _spider_methods() -> list[str]:
    """Scrapy's collector methods that take a ``spider`` argument: the ones it warns of."""
    return sorted(
        name
        for name, method in inspect.getmembers(StatsCollector, inspect.isfunction)
        if "spider" in inspect.signature(method).parameters
    )


def test_it_wraps_every_method_that_takes_a_spider() -> None:
    assert sorted(SPIDER_ARGUMENT_METHODS) == _spider_methods()


@pytest.mark.parametrize("positional", [False, True])
def test_a_spider_argument_warns_as_scrapys_does(tmp_path: Path, positional: bool) -> None:
    stats, spider = MemoryStatsCollector(make_crawler(tmp_path)), Spider("articles")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        stats.inc_value("pages")
        stats.get_value("pages")
        if positional:
            stats.inc_value("pages", 1, 0, spider)
        else:
            stats.inc_value("pages", spider=spider)
    assert [warning.category for warning in caught] == [ScrapyDeprecationWarning]
    assert "'spider' argument to StatsCollector.inc_value()" in str(caught[0].message)
    assert caught[0].filename == __file__  # the caller's line, as Scrapy's names it
    assert stats.get_value("pages") == 2
