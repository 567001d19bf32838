"""The loopback site's BREAKING ticker, changing over time like the real one, deterministically.

Time is cut in buckets of ``period`` seconds from the epoch; bucket ``b`` shows ``size`` lines of
:data:`LINES` from line ``b`` on (wrapping round), newest first. So the next bucket drops one line
and brings one: two crawls a bucket apart see every line but one again, and one new line. The
clock is the server's to give (a test's own clock, advanced between crawls; ``time.time`` for
the command line's site), so what a crawl sees is known from the time it was given.

The lines are real ones (the stored real pages' tickers, ../shared/site/seeds/), written as HTML
with the noise a CMS leaves (entities, ``&nbsp;``, line breaks in the markup).
"""

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from html import escape

LINES: tuple[str, ...] = (
    "Trump: Technical teams will meet again on Monday in Egypt to discuss and clarify the final "
    "details, and the first phase is scheduled to be completed this week",
    "US President Donald Trump: Talks with Hamas have been very successful and are moving at a "
    "rapid pace",
    "Local sources in Aleppo: Violent clashes erupt between the SDF and factions affiliated with "
    "the transitional authority on the Deir Hafer and Tishrin Dam fronts",
    "Israeli media: Interceptor missiles fired in an attempt to shoot down the drone",
    'IOF Spokesperson: Sirens sounded amid suspected "enemy aircraft" infiltrating the Eilat area',
    "Occupied Palestine: Israeli artillery shelling targets eastern Khan Younis in the southern "
    "Gaza Strip",
    "Trump says US could hold talks with Venezuelan President Nicolas Maduro",
    "Al Mayadeen's correspondent: An Israeli drone strike targeted the town of al-Mansouri in the "
    "Tyre district, south Lebanon",
    "Palestinian Resistance factions in Gaza to Al Mayadeen: Any foreign intervention in Gaza is a "
    "violation of our national sovereignty",
    "Senior Hamas source to Al Mayadeen: The movement & the factions will respond to the proposal "
    "within days",
)
"""The ticker's lines as a reader sees them (plain text, whitespace collapsed)."""

_TICKER = re.compile(rb'(<ul class="ticker">).*?(</ul>)', re.DOTALL)


def line_html(text: str, noise: int) -> str:
    """A line as the CMS may write it: escaped, and one kind of noise of three by ``noise``."""
    html = escape(text)
    if noise % 3 == 1:
        return html.replace(" ", "&nbsp;", 1)
    if noise % 3 == 2:
        return "\n  " + html.replace(": ", ":\n  ", 1) + "\n"
    return html


@dataclass
class Ticker:
    clock: Callable[[], float] = time.time
    period: float = 600.0
    """Seconds a bucket lasts: one line changes per bucket."""
    size: int = 4
    lines: tuple[str, ...] = field(default=LINES)

    def bucket(self, at: float | None = None) -> int:
        """The bucket of ``at`` (seconds from the epoch; now, by default)."""
        return int((self.clock() if at is None else at) // self.period)

    def shown(self, bucket: int | None = None) -> tuple[str, ...]:
        """The lines shown in ``bucket`` (now, by default), newest first.

        >>> ticker = Ticker(lines=("a", "b", "c"), size=2)
        >>> ticker.shown(0), ticker.shown(1), ticker.shown(2)
        (('b', 'a'), ('c', 'b'), ('a', 'c'))
        """
        number = self.bucket() if bucket is None else bucket
        window = [self.lines[(number + i) % len(self.lines)] for i in range(self.size)]
        return tuple(reversed(window))

    def html(self, bucket: int | None = None) -> bytes:
        """The ticker's ``<li>`` elements for ``bucket``."""
        shown = self.shown(bucket)
        return "".join(
            f"<li>{line_html(text, self.lines.index(text))}</li>" for text in shown
        ).encode()

    def replace(self, body: bytes, bucket: int | None = None) -> bytes:
        """``body`` with its ticker's lines replaced by the lines of ``bucket`` (now, by default;
        unchanged without a ticker)."""
        lines = self.html(bucket)
        return _TICKER.sub(lambda match: match[1] + lines + match[2], body, count=1)
