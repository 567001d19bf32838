"""Requests held back until the scheduler runs low, so a first run does not queue every article
of every sitemap at once.

A monthly sitemap lists thousands of articles; Scrapy takes all requests a callback yields into
its in-memory queue straight away, each with its fingerprint, so a first run held every article's
request in memory at once (measured in docs/benchmarks.md). A backlog keeps the sitemap's
entries (much smaller than requests) and makes their requests a few hundred at a time:
the spider tops the scheduler up whenever it holds fewer than ``LOW`` requests, and drains the
rest when the crawl would otherwise go idle. Nothing is dropped; only the moment each request
is made (and its discovery decision counted) moves.
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

    def add(self, requests: Iterable[Any]) -> None:
        """Hold ``requests`` (a lazy iterable: nothing is drawn from it until released)."""
        self._sources.append(iter(requests))

    def take(self, count: int) -> list[Any]:
        """Up to ``count`` requests, the oldest sources first.

        >>> backlog = Backlog()
        >>> backlog.add(iter([1, 2, 3])); backlog.add(iter([4]))
        >>> backlog.take(2), backlog.take(5), backlog.take(1)
        ([1, 2], [3, 4], [])
        """
        taken: list[Any] = []
        while len(taken) < count and self._sources:
            request = next(self._sources[0], None)
            if request is None:
                self._sources.popleft()
            else:
                taken.append(request)
        return taken

    def release(self, queued: int) -> list[Any]:
        """What to schedule when the scheduler holds ``queued`` requests: enough to bring it back
        to ``2 * LOW`` once it fell below ``LOW``, else nothing."""
        return self.take(2 * LOW - queued) if queued < LOW else []
