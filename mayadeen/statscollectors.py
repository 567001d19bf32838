"""The crawl's stats collector (``STATS_CLASS``): Scrapy's ``MemoryStatsCollector``, the same
stats, without the cost Scrapy 2.19 puts on every access to it.

Scrapy 2.19 deprecates the ``spider`` argument of the collector's methods by overriding
``StatsCollector.__getattribute__``: every attribute read on the collector, its own
``self._stats`` inside each method included, first looks for a cached wrapper and raises and
catches an ``AttributeError`` when there is none. An ``inc_value`` then costs 3.2 µs, 0.5 here,
and a crawl makes about 42 of them a page (Scrapy's core stats, ours), a run of ``scrapy
reextract`` about 6: about 1.5-2% of a crawl's CPU, under 1% of a re-extraction's
(``docs/benchmarks.md``).

Here attributes are read as any object's are, and each of those methods is wrapped once, in the
class: a ``spider`` argument still warns as Scrapy's does (scrapy-redis passes one).
"""

import inspect
import warnings
from collections.abc import Callable
from functools import wraps
from typing import Any, Final

from scrapy.exceptions import ScrapyDeprecationWarning
from scrapy.statscollectors import MemoryStatsCollector as ScrapyMemoryStatsCollector

SPIDER_ARGUMENT_METHODS: Final = (
    *("get_value", "get_stats", "set_value", "set_stats", "inc_value", "max_value"),
    *("min_value", "clear_stats", "open_spider", "close_spider"),
)
"""The methods whose ``spider`` argument Scrapy's ``StatsCollector.__getattribute__`` warns of."""


def _warning_of_spider(method: Callable[..., Any]) -> Callable[..., Any]:
    """``method`` (a function of the class), warning as Scrapy does when given a ``spider``."""
    position = list(inspect.signature(method).parameters).index("spider")

    @wraps(method)
    def checked(*args: Any, **kwargs: Any) -> Any:
        if "spider" in kwargs or len(args) > position:
            warnings.warn(
                f"Passing a 'spider' argument to {method.__qualname__}() is deprecated and "
                "the argument will be removed in a future Scrapy version.",
                category=ScrapyDeprecationWarning,
                stacklevel=2,
            )
        return method(*args, **kwargs)

    return checked


class MemoryStatsCollector(ScrapyMemoryStatsCollector):
    """Scrapy's in-memory stats collector (its stats kept in ``spider_stats`` at the close, dumped
    to the log with ``STATS_DUMP``), read as a plain object."""

    __getattribute__ = object.__getattribute__


for _name in SPIDER_ARGUMENT_METHODS:
    setattr(
        MemoryStatsCollector,
        _name,
        _warning_of_spider(getattr(ScrapyMemoryStatsCollector, _name)),
    )
