"""A run's one write connection to the store, committing in batches.

Writes are committed every ``batch_size`` writes, at least every ``interval`` seconds (a killed
crawl loses no more; a timer commits a quiet batch too), and when the run ends. Only committed rows
are visible to other connections, so an article is *known* (to the next run, to an incremental
crawl reading the store) once its batch is committed.
"""

import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol, Self

from scrapy.utils.asyncio import AsyncioLoopingCall, create_looping_call
from twisted.internet.task import LoopingCall

from mayadeen.items import ArticleItem
from mayadeen.pages.dates import iso_seconds
from mayadeen.store.db import Store, Verdict


class Counter(Protocol):
    def inc_value(self, key: str, count: int = 1, start: int = 0) -> None: ...


class Clock:
    """The current UTC time in the store's form, worked out once per second, not once per item."""

    def __init__(self) -> None:
        self._second = -1
        self._text = ""

    def now(self) -> str:
        second = int(time.time())
        if second != self._second:
            self._second = second
            self._text = iso_seconds(datetime.fromtimestamp(second, UTC))
        return self._text


class StoreWriter:
    """The store at ``path`` opened for writing, with the commit policy of a crawl."""

    def __init__(self, store: Store, batch_size: int, interval: float, stats: Counter) -> None:
        self.store = store
        self.stats = stats
        self.batch_size = max(1, batch_size)
        self.interval = interval
        self.clock = Clock()
        self._last_commit = time.monotonic()
        self._timer: AsyncioLoopingCall | LoopingCall | None = None

    @classmethod
    def open(cls, path: Path, batch_size: int, interval: float, stats: Counter) -> Self:
        return cls(Store.open(path), batch_size, interval, stats)

    def start_timer(self) -> None:
        """Commit on the interval even while no item arrives (needs the running event loop)."""
        if self.interval > 0:
            self._timer = create_looping_call(self.commit_if_due)
            self._timer.start(self.interval, now=False)

    # -- writes ------------------------------------------------------------------------------

    def claim_run(self, run_id: str, started_at: str) -> str:
        """Record the run's start under ``run_id`` or the first free variant of it (committed
        at once); returns the id used."""
        return self.store.claim_run(run_id, started_at)

    def put(self, item: ArticleItem) -> Verdict:
        verdict = self.store.put(item, self.clock.now())
        self.commit_if_due()
        return verdict

    def add_alias(self, alias_url: str, url: str, content_hash: str | None) -> None:
        self.store.add_alias(alias_url, url, content_hash, self.clock.now())
        self.commit_if_due()

    def quarantine(self, values: dict[str, Any], reasons: Sequence[str], run_id: str) -> None:
        self.store.quarantine(values, reasons, run_id, self.clock.now())
        self.commit_if_due()

    def finish_run(self, run_id: str, reason: str, counts: dict[str, int]) -> None:
        """Commit what is pending and record how the run ended, with its counters."""
        self.commit()
        self.store.finish_run(run_id, self.clock.now(), reason, counts)

    # -- commits -----------------------------------------------------------------------------

    def commit_if_due(self) -> None:
        if not self.store.pending:
            return
        if (
            self.store.pending >= self.batch_size
            or time.monotonic() - self._last_commit >= self.interval
        ):
            self.commit()

    def commit(self) -> None:
        if self.store.commit():
            self.stats.inc_value("mayadeen/store/commits")
        self._last_commit = time.monotonic()

    def close(self) -> None:
        if self._timer is not None and self._timer.running:
            self._timer.stop()
        self.store.close()
