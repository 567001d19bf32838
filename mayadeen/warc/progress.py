"""The progress line of ``scrapy reextract`` on stderr: pages read of all, pages per second, the
time remaining. On a terminal one line, rewritten in place a few times a second; elsewhere (a
log file, cron, Scrapyd) a plain line every ``interval`` seconds, or none with 0. Never in the
run's figures: what a run did is in its manifest."""

import sys
import time
from typing import Final, TextIO

REDRAW: Final = 0.25
"""Seconds between redraws on a terminal."""


def remaining(seconds: float) -> str:
    """A duration as the line shows it.

    >>> remaining(5.2), remaining(125), remaining(7322)
    ('5s', '2m05s', '2h02m')
    """
    whole = int(seconds)
    if whole < 60:
        return f"{whole}s"
    if whole < 3600:
        return f"{whole // 60}m{whole % 60:02d}s"
    return f"{whole // 3600}h{whole % 3600 // 60:02d}m"


class Progress:
    def __init__(
        self, total: int, stream: TextIO | None = None, interval: float = 30.0, label: str = ""
    ) -> None:
        self.total = total
        self.done = 0
        self.stream = stream if stream is not None else sys.stderr
        self.tty = self.stream.isatty()
        self.every = REDRAW if self.tty else interval
        self.label = label
        self.started = self._last = time.monotonic()
        self._drawn = False

    def advance(self, count: int) -> None:
        self.done += count
        now = time.monotonic()
        if self.every > 0 and now - self._last >= self.every:
            self._last = now
            self._draw(now)

    def line(self, now: float) -> str:
        elapsed = max(now - self.started, 1e-9)
        rate = self.done / elapsed
        left = (self.total - self.done) / rate if rate > 0 else 0.0
        share = self.done / self.total if self.total else 1.0
        return (
            f"{self.label}{self.done:,}/{self.total:,} pages ({share:.0%}), "
            f"{rate:,.0f} pages/s, {remaining(left)} left"
        )

    def _draw(self, now: float) -> None:
        if self.tty:
            self.stream.write(f"\r\x1b[K{self.line(now)}")
            self._drawn = True
        else:
            self.stream.write(self.line(now) + "\n")
        self.stream.flush()

    def close(self) -> None:
        """The terminal's line cleared (the report follows on stdout)."""
        if self._drawn:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
