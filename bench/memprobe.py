"""A probe of where a crawl's memory goes, for ``bench/memory.py --probe`` (never in the project's
settings): samples of the process's memory every ``MEMPROBE_EVERY`` items, and a tracemalloc
comparison between two item counts of one crawl (``MEMPROBE_AT = "A,B"``).

tracemalloc starts only at item A (so the crawl runs at full speed up to there and Python's
allocations before A are not traced): the snapshot at B holds exactly what was allocated between A
and B and is still alive at B, i.e. what grows, grouped by the line that allocated it and by its
call stack. Each sample gives the resident set (``/proc/self/status``), malloc's bytes in use
(``mallinfo2``: Python's objects over 512 bytes, lxml, SQLite), SQLite's own bytes
(``sqlite3_memory_used``), Python's allocated blocks and the scheduler's queue.

Enabled with ``-s EXTENSIONS=...`` holding the project's extensions plus this one (the harness
builds it) and ``-s MEMPROBE_FILE=PATH``; everything is written to that file.
"""

import ctypes
import ctypes.util
import gc
import sys
import time
import tracemalloc
from collections import Counter
from pathlib import Path
from typing import Any, Self

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured


class _Mallinfo2(ctypes.Structure):
    _fields_ = [
        (name, ctypes.c_size_t)
        for name in (
            "arena",
            "ordblks",
            "smblks",
            "hblks",
            "hblkhd",
            "usmblks",
            "fsmblks",
            "uordblks",
            "fordblks",
            "keepcost",
        )
    ]


def _libc() -> Any:
    libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
    libc.mallinfo2.restype = _Mallinfo2
    return libc


def _sqlite() -> Any:
    import _sqlite3  # noqa: F401  (loads the shared library the sqlite3 module uses)

    name = ctypes.util.find_library("sqlite3") or "libsqlite3.so.0"
    library = ctypes.CDLL(name)
    library.sqlite3_memory_used.restype = ctypes.c_int64
    library.sqlite3_memory_highwater.restype = ctypes.c_int64
    return library


def _resident_kib() -> tuple[int, int]:
    fields = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines())
    return int(fields["VmRSS"].split()[0]), int(fields["VmHWM"].split()[0])


class MemProbe:
    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        path = settings.get("MEMPROBE_FILE")
        if not path:
            raise NotConfigured("MEMPROBE_FILE not set")
        self.crawler = crawler
        self.out = Path(path).open("a", encoding="utf-8")  # noqa: SIM115
        self.every = settings.getint("MEMPROBE_EVERY", 1000)
        at = [int(a) for a in str(settings.get("MEMPROBE_AT", "")).split(",") if a.strip()]
        self.start, self.stop = [*at, 0, 0][:2]
        self.items = 0
        self.frames = settings.getint("MEMPROBE_FRAMES", 12)
        self.types_at_start: Counter[str] = Counter()
        self.libc = _libc()
        self.sqlite = _sqlite()
        self.began = time.monotonic()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        probe = cls(crawler)
        crawler.signals.connect(probe.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(probe.spider_closed, signal=signals.spider_closed)
        return probe

    def write(self, line: str) -> None:
        self.out.write(line + "\n")
        self.out.flush()

    def sample(self, label: str) -> None:
        rss, peak = _resident_kib()
        malloc = self.libc.mallinfo2()
        engine = self.crawler.engine
        queued = len(engine._slot.scheduler) if engine and engine._slot else -1  # type: ignore[union-attr]
        self.write(
            f"{label} items={self.items} t={time.monotonic() - self.began:.0f}s"
            f" rss={rss / 1024:.1f}MiB hwm={peak / 1024:.1f}MiB"
            f" malloc_used={malloc.uordblks / 2**20:.1f}MiB"
            f" malloc_free={malloc.fordblks / 2**20:.1f}MiB"
            f" mmapped={malloc.hblkhd / 2**20:.1f}MiB"
            f" sqlite={self.sqlite.sqlite3_memory_used() / 2**20:.1f}MiB"
            f" blocks={sys.getallocatedblocks()} queued={queued}"
            f" traced={tracemalloc.get_traced_memory()[0] / 2**20:.1f}MiB"
        )

    @staticmethod
    def types() -> Counter[str]:
        return Counter(type(o).__name__ for o in gc.get_objects())

    def item_scraped(self) -> None:
        self.items += 1
        if self.every and self.items % self.every == 0:
            self.sample("sample")
        if self.items == self.start:
            gc.collect()
            self.sample("start")
            self.types_at_start = self.types()
            tracemalloc.start(self.frames)
        elif self.items == self.stop and tracemalloc.is_tracing():
            gc.collect()
            self.sample("stop")
            self.report()

    def report(self) -> None:
        snapshot = tracemalloc.take_snapshot().filter_traces(
            [tracemalloc.Filter(False, tracemalloc.__file__)]
        )
        tracemalloc.stop()
        items = self.stop - self.start
        stats = snapshot.statistics("lineno")
        total = sum(s.size for s in stats)
        self.write(
            f"alive at item {self.stop}, allocated since item {self.start}:"
            f" {total / 2**20:.2f} MiB = {total / items:.0f} B per item"
        )
        for stat in stats[:40]:
            self.write(
                f"  {stat.size / items:8.1f} B/item {stat.count:8d} blocks  {stat.traceback[0]}"
            )
        self.write("by call stack:")
        for stat in snapshot.statistics("traceback")[:25]:
            self.write(f"  {stat.size / items:8.1f} B/item {stat.count:8d} blocks")
            for frame in stat.traceback.format(limit=30, most_recent_first=True)[::2][:14]:
                self.write(f"      {frame.strip()}")
        grown = self.types() - self.types_at_start
        self.write("objects of each type, more at the stop than at the start:")
        for name, count in grown.most_common(30):
            self.write(f"  {count:8d} {name}")

    def spider_closed(self) -> None:
        self.sample("closed")
        self.out.close()
