"""Captures an archive's index lists, and which of them a run fetches.

An index lists every capture of a URL, in URL order (its SURT key) and then by time: the newest
capture of a URL is known once the next URL begins. ``Newest`` keeps that running group across
the index's pages. A capture is fetched when its article is unknown to the store, or was stored
from an older capture (``article_origins``, ``mayadeen.store.schema``).
"""

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final

ORIGIN_META: Final = "mayadeen_origin"
"""The request meta key holding the ``Capture`` a request fetches from an archive."""
INDEX_META: Final = "mayadeen_archive_index"
"""Marks a request for a page of an archive's index (not archived as a page of the site)."""


@dataclass(frozen=True)
class Capture:
    """One capture of a page in an archive, as its index lists it."""

    via: str
    """``wayback`` or ``commoncrawl``."""
    url: str
    """The canonical URL of the page on the site root the crawl uses."""
    original: str
    """The URL as the archive has it (the replay URL is built from it)."""
    timestamp: str
    """The archive's capture time, ``YYYYMMDDhhmmss`` (UTC)."""
    digest: str = ""
    collection: str | None = None
    """Common Crawl's crawl id (``CC-MAIN-2024-10``); None for the Wayback Machine."""
    filename: str | None = None
    offset: int | None = None
    length: int | None = None

    @property
    def captured_at(self) -> str:
        return timestamp_iso(self.timestamp)


def timestamp_iso(timestamp: str) -> str:
    """An archive's 14-digit UTC timestamp in the store's form (shorter ones are padded).

    >>> timestamp_iso("20240102030405")
    '2024-01-02T03:04:05+00:00'
    >>> timestamp_iso("2024")
    '2024-01-01T00:00:00+00:00'
    """
    digits = (timestamp + "0101000000"[len(timestamp) - 4 :])[:14]
    return datetime.strptime(digits, "%Y%m%d%H%M%S").replace(tzinfo=UTC).isoformat()


class Newest:
    """The newest capture of each URL of an index listed in URL order, across its pages, with
    the page (its key) where the URL's group began."""

    def __init__(self) -> None:
        self._current: Capture | None = None
        self.pending: str | None = None
        """The page where the group being read began (None: no group is)."""

    def feed(self, captures: Iterable[Capture], page: str) -> Iterator[tuple[Capture, str]]:
        """The newest capture of each URL whose group ended within ``captures`` (of ``page``)."""
        for capture in captures:
            current = self._current
            if current is not None and current.url != capture.url:
                yield current, page if self.pending is None else self.pending
                current = None
            if current is None:
                self.pending = page
            if current is None or capture.timestamp >= current.timestamp:
                self._current = capture

    def end(self) -> Iterator[tuple[Capture, str]]:
        """The last URL's newest capture, once the index has no more pages."""
        if self._current is not None:
            yield self._current, self.pending or ""  # "": the first page
        self._current, self.pending = None, None


def wanted(
    capture: Capture, stored: Mapping[str, tuple[str, str | None]], full: bool
) -> str | None:
    """Why ``capture`` is not fetched (None: it is): its article is stored from this capture or
    a newer one (``archived``), or from a capture with the same payload digest (``same_digest``:
    the same bytes, so the same item).

    >>> c = Capture("wayback", "http://h/news/a", "http://h/news/a", "20240102030405", "D")
    >>> wanted(c, {}, False), wanted(c, {c.url: ("2024-01-01T00:00:00+00:00", None)}, False)
    (None, None)
    >>> wanted(c, {c.url: ("2024-01-02T03:04:05+00:00", None)}, False)
    'archived'
    >>> wanted(c, {c.url: ("2024-01-01T00:00:00+00:00", "D")}, False)
    'same_digest'
    """
    known = stored.get(capture.url)
    if full or known is None:
        return None
    if capture.captured_at <= known[0]:
        return "archived"
    if capture.digest and capture.digest == known[1]:
        return "same_digest"
    return None
