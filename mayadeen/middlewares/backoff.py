"""Slowing a whole host down when it refuses or rate-limits us, and recovering slowly.

The delay lives on Scrapy's download slot, so every request to the host waits, not only the one
that was refused. AutoThrottle (when enabled) adjusts the same delay on every response; the floor
kept here is re-applied after it, so a success does not undo a back-off at once.
"""

from dataclasses import dataclass
from typing import ClassVar
from weakref import WeakKeyDictionary

from scrapy import Request
from scrapy.core.downloader import Slot
from scrapy.crawler import Crawler

RECOVERY: float = 0.8
"""Each successful response shrinks the back-off floor by this factor."""


@dataclass
class _Floor:
    base: float
    """The slot's delay before the first back-off, restored when the floor has decayed."""
    delay: float


class SlotBackoff:
    """Per-host back-off floors, one instance per crawler (``SlotBackoff.of(crawler)``)."""

    _instances: ClassVar["WeakKeyDictionary[Crawler, SlotBackoff]"] = WeakKeyDictionary()

    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        self.crawler = crawler
        self.start = settings.getfloat("MAYADEEN_BACKOFF_START")
        self.cap = settings.getfloat("MAYADEEN_BACKOFF_MAX")
        self.autothrottle = settings.getbool("AUTOTHROTTLE_ENABLED")
        self.floors: dict[str, _Floor] = {}

    @classmethod
    def of(cls, crawler: Crawler) -> "SlotBackoff":
        if crawler not in cls._instances:
            cls._instances[crawler] = cls(crawler)
        return cls._instances[crawler]

    def slow_down(self, request: Request, to: float | None = None) -> float:
        """Slow the request's host down: to ``to`` seconds between requests when the server said
        how long (Retry-After), else double the delay (from ``MAYADEEN_BACKOFF_START``); never
        beyond ``MAYADEEN_BACKOFF_MAX``. Return the new delay."""
        key, slot = self._slot(request)
        if slot is None:
            return 0.0
        floor = self.floors.setdefault(key, _Floor(base=slot.delay, delay=0.0))
        wanted = max(floor.delay, to) if to is not None else max(floor.delay * 2, self.start)
        floor.delay = min(self.cap, wanted)
        slot.delay = max(slot.delay, floor.delay)
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value("mayadeen/backoff/raised")
        self.crawler.stats.max_value("mayadeen/backoff/max_delay", round(floor.delay, 3))
        return floor.delay

    def relax(self, request: Request) -> None:
        """A response that was not refused: shrink the floor a little, and drop it once it is
        back at the slot's own delay."""
        key, slot = self._slot(request)
        floor = self.floors.get(key)
        if slot is None or floor is None:
            return
        floor.delay *= RECOVERY
        current = slot.delay if self.autothrottle else floor.base
        if floor.delay <= floor.base:
            del self.floors[key]
            slot.delay = current
        else:
            slot.delay = max(current, floor.delay)

    def _slot(self, request: Request) -> tuple[str, Slot | None]:
        engine = self.crawler.engine
        key = request.meta.get("download_slot")
        if engine is None or key is None:
            return "", None
        return key, engine.downloader.slots.get(key)
