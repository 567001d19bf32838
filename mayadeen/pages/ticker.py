"""Reading the BREAKING ticker of a page: its lines, each with its attribution.

A line's text is what a reader sees: entities decoded, every run of whitespace (``&nbsp;``
included) one space, invisible format characters removed. Lines repeated on one page are read
once. The site's rules (selectors, what names a source) are in ``mayadeen.site.ticker``.
"""

from dataclasses import dataclass
from typing import Any

from scrapy.http import TextResponse

from mayadeen.pages.extract import page_tree
from mayadeen.pages.processors import collapse_whitespace
from mayadeen.pages.sources import compile_css, element_text, first_match
from mayadeen.site.ticker import (
    ATTRIBUTION_MAX_CHARS,
    ATTRIBUTION_MAX_WORDS,
    DATELINE_PLACES,
    DATELINE_QUALIFIERS,
    NOT_A_SOURCE,
    TICKER_LABEL,
    TICKER_LINES,
)

_LINES = tuple(compile_css(css) for css in TICKER_LINES)


@dataclass(frozen=True, slots=True)
class TickerLine:
    text: str
    attribution: str | None
    """Who the line says says it (the text before its first colon), or None."""


def attribution(text: str) -> str | None:
    """The text before the line's first colon when it names a source, else None.

    >>> attribution("Israeli media: Interceptor missiles fired in an attempt to shoot down the drone")
    'Israeli media'
    >>> attribution("Trump says US could hold talks with Venezuelan President Nicolas Maduro") is None
    True
    >>> attribution("Occupied Palestine: Israeli artillery shelling targets eastern Khan Younis") is None
    True
    """
    opening, colon, rest = text.partition(":")
    opening = opening.strip()
    if not colon or not opening or not rest.strip():
        return None
    if len(opening) > ATTRIBUTION_MAX_CHARS or len(opening.split()) > ATTRIBUTION_MAX_WORDS:
        return None
    if NOT_A_SOURCE.search(f"{opening}:{rest[:3]}") or is_dateline(opening):
        return None
    return opening


def is_dateline(opening: str) -> bool:
    """Whether a line's opening is a place (a dateline), not a source.

    >>> is_dateline("Southern Lebanon"), is_dateline("Local sources in Aleppo")
    (True, False)
    """
    unqualified = DATELINE_QUALIFIERS.sub("", opening)
    return opening.lower() in DATELINE_PLACES or unqualified.lower() in DATELINE_PLACES


def read_ticker(tree: Any) -> list[TickerLine]:
    """The ticker lines of a parsed page, in the page's order, each once (none: no ticker)."""
    lines: dict[str, TickerLine] = {}
    for element in first_match(_LINES, tree):
        text = collapse_whitespace(element_text(element))
        if text and text.upper() != TICKER_LABEL and text not in lines:
            lines[text] = TickerLine(text, attribution(text))
    return list(lines.values())


def ticker_lines(response: TextResponse) -> list[TickerLine]:
    """The ticker lines of a page the site sent."""
    return read_ticker(page_tree(response))
