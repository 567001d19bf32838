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
"""

import tempfile
from pathlib import Path
from typing import Any, Self

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.squeues import PickleLifoDiskQueue
from scrapy.utils.misc import build_from_crawler

IN_MEMORY = "mayadeen/scheduler/in_memory"
"""Stats key: requests that could not be pickled, so waited in memory."""


class TemporaryDiskQueue:
    """One priority's pending requests, pickled to a temporary file (LIFO)."""

    def __init__(self, crawler: Crawler) -> None:
        self._stats = crawler.stats
        self._directory = tempfile.TemporaryDirectory(prefix="mayadeen-queue-")
        path = str(Path(self._directory.name, "requests"))
        self._disk: Any = build_from_crawler(PickleLifoDiskQueue, crawler, path)
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
