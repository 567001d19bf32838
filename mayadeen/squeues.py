"""Scrapy's scheduler queue with its requests on disk, not in memory, also without ``JOBDIR``.

Scrapy keeps a crawl's pending requests in memory unless a ``JOBDIR`` is set. A first run of a
large site discovers articles (through listings and related links) far faster than it fetches
them: at 100,000 articles about 9,000 requests waited in the queue after 24,000 pages (each a
``Request`` with its headers, URL, meta and fingerprint: over a kilobyte), so the queue, and the
peak memory, grew with the archive (docs/benchmarks.md, "Memory"). ``SCHEDULER_MEMORY_QUEUE``
names this class: Scrapy's own pickled LIFO disk queue (``PickleLifoDiskQueue``, what ``JOBDIR``
uses) in a private temporary directory that goes when the queue is closed or the process ends.
The order is the memory queue's (LIFO within a priority); a request that cannot be pickled (a
callback that is not the spider's, an object in its meta) waits in memory as before.

Every queue that serializes a request (this one, ``JOBDIR``'s ``SCHEDULER_DISK_QUEUE``, the
Redis queue of ``mayadeen.scaleout``) turns it into a dict with ``request_dict``: Scrapy's
``Request.to_dict`` finds the callback's name with ``inspect.getmembers(spider)`` for every
request pushed, which ``CallbackNames`` does once per callback (issue 27).
"""

import inspect
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, Self

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.squeues import PickleLifoDiskQueue as ScrapyPickleLifoDiskQueue

IN_MEMORY = "mayadeen/scheduler/in_memory"
"""Stats key: requests that could not be pickled, so waited in memory."""


class CallbackNames:
    """The names of a spider's methods used as callbacks, each looked up once: what
    ``Request.to_dict(spider=...)`` looks up with ``inspect.getmembers`` every time."""

    def __init__(self, spider: Spider | None) -> None:
        self.spider = spider
        self._names: dict[Any, str] = {}
        """A method's function → its name on the spider."""

    def name(self, method: Callable[..., Any]) -> str:
        function = getattr(method, "__func__", None)
        if function is None or self.spider is None:
            return _scrapy_name(self.spider, method)  # raises Scrapy's ValueError
        name = self._names.get(function)
        if name is None:
            name = self._names[function] = _scrapy_name(self.spider, method)
        return name


def _scrapy_name(spider: Spider | None, method: Callable[..., Any]) -> str:
    """Scrapy's own lookup (``scrapy.http.request._find_method``): the first member of the
    spider, by name, that is a method of the same function; ValueError when there is none."""
    if spider is not None and hasattr(method, "__func__"):
        for name, member in inspect.getmembers(spider, predicate=inspect.ismethod):
            if member.__func__ is method.__func__:
                return name
    raise ValueError(f"Function {method} is not an instance method in: {spider}")


def request_dict(request: Request, names: CallbackNames) -> dict[str, Any]:
    """``request.to_dict(spider=names.spider)``, the callback and errback named through
    ``names`` (the same dict: ``tests/unit/test_squeues.py`` compares them)."""
    callback, errback = request.callback, request.errback
    data: dict[str, Any] = {
        "url": request.url,
        "callback": names.name(callback) if callable(callback) else callback,
        "errback": names.name(errback) if callable(errback) else errback,
        "headers": dict(request.headers),
    }
    for attribute in request.attributes:
        data.setdefault(attribute, getattr(request, attribute))
    if type(request) is not Request:
        data["_class"] = f"{type(request).__module__}.{type(request).__name__}"
    return data


class PickleLifoDiskQueue(ScrapyPickleLifoDiskQueue):  # type: ignore[misc,valid-type]
    """Scrapy's ``PickleLifoDiskQueue`` (``JOBDIR``'s), its requests' callbacks named once."""

    def __init__(self, crawler: Crawler, key: str) -> None:
        super().__init__(crawler, key)
        self.callback_names = CallbackNames(self.spider)

    def push(self, request: Request) -> None:
        # Past Scrapy's push (which calls ``to_dict``) to the queue that pickles the dict.
        queue: Any = super(ScrapyPickleLifoDiskQueue, self)
        queue.push(request_dict(request, self.callback_names))


class TemporaryDiskQueue:
    """One priority's pending requests, pickled to a temporary file (LIFO)."""

    def __init__(self, crawler: Crawler) -> None:
        self._stats = crawler.stats
        self._directory = tempfile.TemporaryDirectory(prefix="mayadeen-queue-")
        path = str(Path(self._directory.name, "requests"))
        self._disk: Any = PickleLifoDiskQueue(crawler, path)
        self._memory: list[Request] = []

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> Self:
        return cls(crawler)

    def push(self, request: Request) -> None:
        try:
            self._disk.push(request)
        except ValueError:  # Scrapy's queue raises it for a request it cannot serialize
            self._memory.append(request)
            if self._stats is not None:
                self._stats.inc_value(IN_MEMORY)

    def pop(self) -> Request | None:
        if self._memory:
            return self._memory.pop()
        request: Request | None = self._disk.pop()
        return request

    def peek(self) -> Request | None:
        if self._memory:
            return self._memory[-1]
        request: Request | None = self._disk.peek()
        return request

    def __len__(self) -> int:
        return len(self._disk) + len(self._memory)

    def close(self) -> None:
        self._disk.close()
        self._directory.cleanup()
