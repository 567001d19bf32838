"""Small pure functions that turn raw page values into item values.

Each takes one value and returns the cleaned value, or None (or an empty list) when there is
nothing usable, so that a loader can fall through to the next source. None of them raises on bad
input. Dates are in ``mayadeen.pages.dates``.
"""

import html
import re
from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

from w3lib.url import safe_url_string

T = TypeVar("T")

_INVISIBLE = re.compile("[\u200b\u200e\u200f\ufeff\u00ad]")
_BYLINE_PREFIX = re.compile(r"^by\s*:?\s+", re.IGNORECASE)
_SOURCE_PREFIX = re.compile(r"^source\s*:\s*", re.IGNORECASE)
_NAME_SEPARATOR = re.compile(r"\s*(?:,|&|\band\b)\s*", re.IGNORECASE)
_READ_TIME = re.compile(r"\b(\d{1,3})\s*min(?:ute)?s?\b", re.IGNORECASE)
_URL_UNSAFE = re.compile(r"[^\x21-\x7e]|[\"<>\\^`{|}]")


def collapse_whitespace(text: str) -> str:
    """Every run of whitespace (``&nbsp;``, tabs, newlines included) becomes one space; the ends
    are trimmed and invisible format characters removed.

    >>> collapse_whitespace("  Iraqi\\u00a0and\\n\\tTurkish\\u200b  officials ")
    'Iraqi and Turkish officials'
    """
    if _INVISIBLE.search(text):  # rare: searching first is much cheaper than always replacing
        text = _INVISIBLE.sub("", text)
    return " ".join(text.split())


def clean_text(value: Any) -> str | None:
    """Text from JSON, a meta tag or the DOM: entities decoded (again, when the CMS escaped twice),
    whitespace collapsed; None when empty or not text at all (a number where a title should be).

    >>> clean_text("Iraqi &amp; Turkish officials&#8217; &quot;talks&quot;")
    'Iraqi & Turkish officials’ "talks"'
    >>> clean_text(" \\u00a0 ") is None, clean_text(7) is None
    (True, True)
    """
    if not isinstance(value, str):
        return None
    text = collapse_whitespace(html.unescape(value))
    return text or None


def strip_pattern(text: str, pattern: re.Pattern[str]) -> str | None:
    """The text without what ``pattern`` matches; None if nothing is left.

    >>> strip_pattern("Gaza truce holds | Al Mayadeen English", re.compile(r"\\s*\\|.*$"))
    'Gaza truce holds'
    """
    return pattern.sub("", text).strip() or None


def strip_byline_prefix(text: str) -> str:
    """``By Al Mayadeen Net`` → ``Al Mayadeen Net``.

    >>> strip_byline_prefix("By Leila Haddad")
    'Leila Haddad'
    >>> strip_byline_prefix("Bylines Weekly")
    'Bylines Weekly'
    """
    return _BYLINE_PREFIX.sub("", text.strip())


def split_names(text: str) -> list[str]:
    """A byline naming several people, split into names.

    >>> split_names("Leila Haddad and Karim Nasser")
    ['Leila Haddad', 'Karim Nasser']
    >>> split_names("Al Mayadeen English")
    ['Al Mayadeen English']
    """
    return [name for name in _NAME_SEPARATOR.split(text) if name]


def respell(name: str, spellings: Mapping[str, str]) -> str:
    """The house spelling of a name matched case-insensitively, else the name unchanged.

    >>> respell("Al Mayadeen net", {"al mayadeen net": "Al Mayadeen Net"})
    'Al Mayadeen Net'
    >>> respell("Leila Haddad", {"al mayadeen net": "Al Mayadeen Net"})
    'Leila Haddad'
    """
    return spellings.get(collapse_whitespace(name).casefold(), name)


def known_spelling(value: str, spellings: Mapping[str, str]) -> str | None:
    """The spelling of a value matched case-insensitively, None for a value not in the table.

    >>> known_spelling("Opinion", {"opinion": "opinion"}), known_spelling("Press", {})
    ('opinion', None)
    """
    return spellings.get(collapse_whitespace(value).casefold())


def source_line(text: str) -> str | None:
    """The source named by a Source line, with or without its ``Source:`` label; None if empty.

    >>> source_line("Source:\\u00a0Yemeni Armed Forces - Military Media")
    'Yemeni Armed Forces - Military Media'
    >>> source_line("Agencies")
    'Agencies'
    >>> source_line("Source: ") is None
    True
    """
    return _SOURCE_PREFIX.sub("", collapse_whitespace(text)) or None


def read_time_minutes(text: str) -> int | None:
    """The minutes of a displayed read time.

    >>> read_time_minutes("3 Min Read")
    3
    >>> read_time_minutes("12 minutes read")
    12
    >>> read_time_minutes("Read") is None
    True
    """
    match = _READ_TIME.search(text)
    return int(match.group(1)) if match else None


def split_keywords(value: Any) -> list[str]:
    """Keywords given as one comma-joined string (tawsiyat, meta) or as a list (JSON-LD).

    >>> split_keywords("Belarus, Russia,,Ukraine ")
    ['Belarus', 'Russia', 'Ukraine']
    >>> split_keywords(["Iraq", "Water, Climate"])
    ['Iraq', 'Water', 'Climate']
    """
    items = value if isinstance(value, list) else [value]
    words = (
        clean_text(word) for item in items if isinstance(item, str) for word in item.split(",")
    )
    return [word for word in words if word]


def unique(values: Iterable[T]) -> list[T]:
    """Exact duplicates removed, first-seen order kept.

    >>> unique(["Aleppo", "aleppo", "Aleppo", "Syria"])
    ['Aleppo', 'aleppo', 'Syria']
    """
    return list(dict.fromkeys(values))


def language_code(value: str) -> str | None:
    """The primary language subtag, lower-case.

    >>> language_code("en-US")
    'en'
    >>> language_code("EN")
    'en'
    """
    code = value.strip().replace("_", "-").split("-")[0].lower()
    return code if code.isalpha() and 2 <= len(code) <= 3 else None


def post_id(value: Any) -> str | None:
    """A CMS post id as a digit string (ids come as strings or numbers; schema.org may wrap them).

    >>> post_id("28107"), post_id(28107), post_id({"@type": "PropertyValue", "value": "28107"})
    ('28107', '28107', '28107')
    >>> post_id("") is None, post_id(True) is None
    (True, True)
    """
    if isinstance(value, dict):
        value = value.get("value")
    if isinstance(value, bool) or not isinstance(value, str | int):
        return None
    text = str(value).strip()
    return text or None


def safe_url(url: str) -> str:
    """A URL with the characters a URL may not hold raw (spaces, non-ASCII) percent-escaped.

    >>> safe_url("https://english.almayadeen.net/Content/uploadsmedia/2024/1/2/a photo é.jpg")
    'https://english.almayadeen.net/Content/uploadsmedia/2024/1/2/a%20photo%20%C3%A9.jpg'
    """
    return safe_url_string(url) if _URL_UNSAFE.search(url) else url
