"""Rules for reading the site's BREAKING ticker: where its lines are, and when the text before a
line's first colon names its source (the line's attribution).

What is confirmed (../shared/site/README.md and the stored real pages in ``seeds/``): every page
carries a ticker headed ``BREAKING``, served in the HTML, of one-line urgent reports that change
with the time of the crawl, not the page; most lines open with who says it, then a colon
(``Israeli media: ...``, ``Al Mayadeen's correspondent: ...``, ``Senior Hamas source to Al
Mayadeen: ...``); some have no such opening (``Trump says US could hold talks ...``) and some open
with a place instead (``Occupied Palestine: ...``).

What is a **guess**: the ticker's markup (``div.breaking-news ul.ticker li`` is the reconstructed
samples' choice; the real class names were never seen), and the attribution rule's limits below
(drawn from the real lines we hold, a few dozen). A first live run that finds no ticker shows in
the ``mayadeen/ticker/pages_without`` stat: correct the selectors here.
"""

import re
from typing import Final

TICKER_LINES: Final = (
    "div.breaking-news ul.ticker li",
    ".breaking-news li",
    ".ticker li",
    '[class*="breaking"] li',
)
"""The ticker's lines, one element each; the first selector that matches wins (guesses: the
samples' markup first, then looser ones for a live page that differs)."""

TICKER_LABEL: Final = "BREAKING"
"""The ticker's heading (confirmed): a line whose whole text is this is the label, not a line."""

ATTRIBUTION_MAX_WORDS: Final = 10
ATTRIBUTION_MAX_CHARS: Final = 90
"""An opening longer than this is a sentence, not a source (guess: the longest source opening
among the real lines is 8 words, ``Palestinian Resistance factions in Gaza to Al Mayadeen``)."""

NOT_A_SOURCE: Final = re.compile(r"[.!?\"“”]|\d{1,2}:\d\d")
"""An opening holding sentence punctuation or quotes is a clause of the line (``He said: "..."``),
not a source; a clock time's colon (``At 10:30 ...``) opens nothing."""

DATELINE_PLACES: Final = frozenset(
    {
        "occupied palestine",
        "palestine",
        "gaza",
        "the gaza strip",
        "gaza strip",
        "west bank",
        "the west bank",
        "al-quds",
        "jerusalem",
        "lebanon",
        "south lebanon",
        "southern lebanon",
        "syria",
        "yemen",
        "iraq",
        "iran",
        "sanaa",
        "beirut",
        "damascus",
        "tehran",
        "baghdad",
        "ukraine",
        "russia",
        "red sea",
        "the red sea",
    }
)
"""Openings that are a place, a dateline (``Occupied Palestine: Israeli artillery shelling
targets ...``), not who says the line (confirmed shape, from a real line; the list is a guess,
matched case-insensitively after :data:`DATELINE_QUALIFIERS`)."""

DATELINE_QUALIFIERS: Final = re.compile(
    r"^(?:(?:north|south|east|west)(?:ern)?|central|occupied)\s+", re.IGNORECASE
)
"""Words that qualify a place in a dateline (``Southern Lebanon``, ``Occupied Jerusalem``)."""
