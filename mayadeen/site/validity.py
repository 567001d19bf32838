"""What a valid article of the site is: the limits items are checked against, and what is wrong
with an item, as stable reason codes.

The limits are chosen so that every real article passes, a one-sentence brief included (a page
that states it is an article and has a title, a date and a body is one whatever its length), and
broken pages do not: a body is only too short when it is plainly not the article's text.

Codes are ``<topic>:<problem>``; stats count each (``mayadeen/quarantine/<code>``) and the
quarantine keeps them with the item, so they are part of what users see: add new ones, never rename.

| code | meaning |
|---|---|
| ``missing:<field>`` | a field the contract requires is null or empty (``title``, ``body``, ...) |
| ``type:<field>`` | a value of the wrong type (a list of non-strings, a string count, ...) |
| ``url:offsite`` | the URL is not on the crawled host (``MAYADEEN_BASE_URL``) |
| ``url:not_article`` | the URL's path is a known non-article's (a listing, ``/videos/...``, ``/authors/...``) |
| ``url:not_canonical`` | a query, fragment, trailing ``/``, or escapes the contract decodes |
| ``date:unparseable`` | ``published_at`` is not ISO-8601 with an offset and seconds |
| ``date:future`` | ``published_at`` is more than a day after the fetch |
| ``date:too_old`` | ``published_at`` is before the site existed (2012) |
| ``modified:unparseable`` | ``modified_at`` is stated but not ISO-8601 with an offset |
| ``content_type:unknown`` | not one of ``news``, ``opinion``, ``analysis``, ``blog``, ``features`` |
| ``language:unexpected`` | not ``en`` |
| ``body:too_short`` | plainly not the article: a placeholder (``Loading...``), a fragment (``is_stub``) |
| ``word_count:mismatch`` | ``word_count`` is not ``len(body.split())`` |
| ``content_hash:mismatch`` | ``content_hash`` is not the SHA-256 of ``title + "\\n" + body`` |
"""

import re
import types
import typing
from datetime import UTC, datetime, timedelta
from typing import Any

from mayadeen.items import ITEM_FIELDS, content_hash
from mayadeen.site.article import DEFAULT_LANGUAGE
from mayadeen.site.sections import ARTICLE_SECTIONS
from mayadeen.site.urls import canonical_url, url_shape

MIN_BODY_WORDS: typing.Final = 20
"""A body this long is text even with no sentence punctuation (a list, a transcript)."""
MIN_SENTENCE_WORDS: typing.Final = 6
"""Fewer words than this is no brief (the site's shortest briefs are one sentence of ten or more)."""
PLACEHOLDERS: typing.Final = re.compile(
    r"\W*(?:loading|please wait|enable javascript|javascript is (?:required|disabled)|"
    r"(?:sign in|subscribe|log in) to (?:read|continue)|content (?:is )?not available|"
    r"no content|coming soon|lorem ipsum|undefined|null|none|n/?a)(?:\W.{0,40})?",
    re.IGNORECASE | re.DOTALL,
)
"""Texts a page shows in place of an article that has not loaded or is not there: the whole body is
the phrase, with at most a few words more ("Loading...", "Please wait while the page loads")."""
_SENTENCE_END = re.compile(r"\w[)\]]?[.!?…][\"'”’»)]*(?:\s|$)")

EARLIEST_PUBLISHED: typing.Final = datetime(2012, 1, 1, tzinfo=UTC)
"""Al Mayadeen went on air in June 2012: an earlier date is a misread one (an epoch, a year 0)."""

FUTURE_TOLERANCE: typing.Final = timedelta(days=1)
"""How far past the fetch time a publication time may lie before it counts as misread (a
day/month swap); generous, since a wrong clock or zone on the CMS must not cost an article."""

CONTENT_TYPES: typing.Final = frozenset({"news", *ARTICLE_SECTIONS})
LANGUAGES: typing.Final = frozenset({DEFAULT_LANGUAGE})

REQUIRED: typing.Final = (
    "url",
    "title",
    "content_type",
    "published_at",
    "body",
    "word_count",
    "language",
    "crawled_at",
    "content_hash",
)
"""Fields the contract types without "or null"."""

DERIVED: typing.Final = {"word_count": ("body",), "content_hash": ("title", "body")}
"""Fields computed from others: missing only says something when their inputs are there."""

_ISO_SECONDS = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}")


def _expected_types() -> dict[str, tuple[type, ...]]:
    expected: dict[str, tuple[type, ...]] = {}
    for item_field in ITEM_FIELDS:
        kind = item_field.type
        if typing.get_origin(kind) in {typing.Union, types.UnionType}:
            kind = next(t for t in typing.get_args(kind) if t is not type(None))
        origin = typing.get_origin(kind) or kind
        expected[item_field.name] = (origin,) if isinstance(origin, type) else (object,)
    return expected


_TYPES = _expected_types()


def parse_time(value: str) -> datetime | None:
    """A time in the contract's form (ISO-8601, seconds, numeric offset), else None.

    >>> parse_time("2022-02-24T14:05:00+02:00").utcoffset().total_seconds()
    7200.0
    >>> parse_time("2022-02-24 14:05"), parse_time("2022-02-24T14:05:00"), parse_time("soon")
    (None, None, None)
    """
    if not _ISO_SECONDS.fullmatch(value):
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _wrong_type(value: Any, expected: tuple[type, ...]) -> bool:
    if isinstance(value, bool) or not isinstance(value, expected):
        return True
    return isinstance(value, list) and not all(isinstance(entry, str) for entry in value)


def _type_problems(values: dict[str, Any]) -> list[str]:
    return [
        f"type:{name}"
        for name, value in values.items()
        if value is not None and name in _TYPES and _wrong_type(value, _TYPES[name])
    ]


def _url_problems(url: str, root: str) -> list[str]:
    if canonical_url(url, root) is None or not url.startswith(root + "/"):
        return ["url:offsite"]
    problems = []
    if url_shape(url) not in {"article", "unknown"}:  # an unknown shape: the page decided
        problems.append("url:not_article")
    if canonical_url(url, root) != url:
        problems.append("url:not_canonical")
    return problems


def _date_problems(values: dict[str, Any]) -> list[str]:
    problems = []
    published = parse_time(values["published_at"]) if values.get("published_at") else None
    if values.get("published_at") and published is None:
        problems.append("date:unparseable")
    crawled = parse_time(values["crawled_at"]) if values.get("crawled_at") else None
    if published is not None:
        if crawled is not None and published > crawled + FUTURE_TOLERANCE:
            problems.append("date:future")
        if published < EARLIEST_PUBLISHED:
            problems.append("date:too_old")
    if values.get("modified_at") and parse_time(values["modified_at"]) is None:
        problems.append("modified:unparseable")
    return problems


def _text_problems(values: dict[str, Any]) -> list[str]:
    problems = []
    body, title = values.get("body"), values.get("title")
    if values.get("content_type") and values["content_type"] not in CONTENT_TYPES:
        problems.append("content_type:unknown")
    if values.get("language") and values["language"] not in LANGUAGES:
        problems.append("language:unexpected")
    if body and body.strip():
        words = len(body.split())
        if is_stub(body):
            problems.append("body:too_short")
        if values.get("word_count") is not None and values["word_count"] != words:
            problems.append("word_count:mismatch")
        if (
            title
            and values.get("content_hash")
            and values["content_hash"] != content_hash(title, body)
        ):
            problems.append("content_hash:mismatch")
    return problems


def is_stub(body: str) -> bool:
    """Whether a body is plainly not an article's text: a placeholder, a fragment without a single
    sentence (a caption, a teaser cut short), or too few words to be even a brief.

    >>> is_stub("Loading..."), is_stub("Photo: Reuters"), is_stub("Only a few words here.")
    (True, True, True)
    >>> is_stub("Israeli occupation forces raided Jenin at dawn. Three young men were arrested.")
    False
    >>> is_stub("None of the 12 people injured in the blast is in a critical condition, doctors said.")
    False
    """
    words = len(body.split())
    if PLACEHOLDERS.fullmatch(body.strip()) or words < MIN_SENTENCE_WORDS:
        return True
    return words < MIN_BODY_WORDS and not _SENTENCE_END.search(body)


def problems(values: dict[str, Any], root: str) -> list[str]:
    """Everything wrong with an item (its fields as a dict), as reason codes; empty when valid.

    ``root`` is the crawled site's root (``site_root(MAYADEEN_BASE_URL)``).

    >>> problems({"url": "https://example.com/x", "title": " ", "body": "Too short.",
    ...           "content_type": "news", "published_at": "2022-02-24T14:05:00+02:00",
    ...           "word_count": 2, "language": "en", "crawled_at": "2026-01-01T00:00:00+00:00"},
    ...          "https://english.almayadeen.net")
    ['missing:title', 'url:offsite', 'body:too_short']
    """
    found = [
        f"missing:{name}"
        for name in REQUIRED
        if _empty(values.get(name))
        and not any(_empty(values.get(source)) for source in DERIVED.get(name, ()))
    ]
    found += _type_problems(values)
    if any(code.startswith("type:") for code in found):
        return found
    if isinstance(values.get("url"), str) and values["url"]:
        found += _url_problems(values["url"], root)
    found += _date_problems(values)
    found += _text_problems(values)
    return found
