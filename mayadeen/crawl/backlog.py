"""Requests held back until the scheduler runs low, so a first run does not queue every article
of every sitemap at once.

A monthly sitemap lists thousands of articles; Scrapy takes all requests a callback yields into
its in-memory queue straight away, each with its fingerprint, so a first run held every article's
request in memory at once (measured in docs/benchmarks.md). A backlog keeps the sitemap's
entries (much smaller than requests) and makes their requests a few hundred at a time:
the spider tops the scheduler up whenever it holds fewer than ``LOW`` requests, and drains the
rest when the crawl would otherwise go idle. Nothing is dropped; only the moment each request
is made (and its discovery decision counted) moves.

The monthly sitemaps a sitemap index lists are held back the same way, one at a time: a
sitemap's entries are read whole, and once the article requests ran out Scrapy fetched every
monthly sitemap left at once, so a backfill held the entries of the whole archive (about
400 bytes an article). A held sitemap is released once the backlog has no article left to give
and no released sitemap is still being read, so at most one month's entries wait in memory.
"""

from collections import deque
from collections.abc import Iterable, Iterator
from typing import Any

LOW = 500
"""Queued requests below which the backlog releases more (far more than any concurrency)."""


class Backlog:
    """Lazy sources of requests, released in order, each drawn only when asked for."""

    def __init__(self) -> None:
        self._sources: deque[Iterator[Any]] = deque()
        self._sitemaps: deque[Any] = deque()
        self._reading = 0
        """Sitemaps released and not read yet (their entries not added)."""

    def hold_sitemap(self, request: Any) -> None:
        """Hold a sitemap's request until the articles before it are released."""
        self._sitemaps.append(request)

    def sitemap_read(self) -> None:
        """A released sitemap was read (its entries added) or failed."""
        self._reading = max(0, self._reading - 1)

    def add(self, requests: Iterable[Any]) -> None:
        """Hold ``requests`` (a lazy iterable: nothing is drawn from it until released)."""
        self._sources.append(iter(requests))

    def take(self, count: int, idle: bool = False) -> list[Any]:
        """Up to ``count`` requests, the oldest sources first; once they are all drawn, the next
        held sitemap, unless one released earlier is still being read. ``idle``: the crawl has
        nothing left in flight, so a sitemap released earlier was read or will never be.

        >>> backlog = Backlog()
        >>> backlog.add(iter([1, 2, 3])); backlog.add(iter([4]))
        >>> backlog.hold_sitemap("s1"); backlog.hold_sitemap("s2")
        >>> backlog.take(2), backlog.take(5), backlog.take(1)
        ([1, 2], [3, 4, 's1'], [])
        >>> backlog.sitemap_read(); backlog.add(iter([5])); backlog.take(5)
        [5, 's2']
        >>> backlog.take(5), backlog.take(5, idle=True)
        ([], [])
        """
        if idle:
            self._reading = 0
        taken: list[Any] = []
        while len(taken) < count and self._sources:
            request = next(self._sources[0], None)
            if request is None:
                self._sources.popleft()
            else:
                taken.append(request)
        if len(taken) < count and self._sitemaps and not self._reading:
            self._reading += 1
            taken.append(self._sitemaps.popleft())
        return taken

    def release(self, queued: int) -> list[Any]:
        """What to schedule when the scheduler holds ``queued`` requests: enough to bring it back
        to ``2 * LOW`` once it fell below ``LOW``, else nothing."""
        return self.take(2 * LOW - queued) if queued < LOW else []
