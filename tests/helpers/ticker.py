"""The loopback ticker's lines and the attribution each must be read with, and the clock a test
moves between crawls."""

from mayadeen.loopback.ticker import LINES

ATTRIBUTIONS = {
    LINES[0]: "Trump",
    LINES[1]: "US President Donald Trump",
    LINES[2]: "Local sources in Aleppo",
    LINES[3]: "Israeli media",
    LINES[4]: "IOF Spokesperson",
    LINES[5]: None,  # a dateline, not a source
    LINES[6]: None,  # no colon
    LINES[7]: "Al Mayadeen's correspondent",
    LINES[8]: "Palestinian Resistance factions in Gaza to Al Mayadeen",
    LINES[9]: "Senior Hamas source to Al Mayadeen",
}


PERIOD = 600.0
"""Seconds of a ticker bucket in the tests: one line changes per bucket."""


class Clock:
    """The loopback site's clock, moved by the test between crawls."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now
