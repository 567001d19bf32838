"""The home page's captures over time, read for the BREAKING ticker (``-a via=wayback|commoncrawl``,
``docs/web-archives.md``): which of them a run reads, and where each listing of them stands.

The home page is listed exactly (one URL), its captures oldest first. A run reads them all, or the
first of each hour or day (``MAYADEEN_TICKER_CAPTURES``), captured on or after ``since``. They are
read one after another, oldest first, so where a listing stands is one capture time: the newest
capture read (kept in ``archive_cursors`` under :func:`listing_key`, with the lines it showed,
in the same batch). A later run asks the index from that time on; the span every earlier listing
of the same archive and crawl read (from its ``since`` to its newest capture) is not read again,
whatever this run's ``since``.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Final
from urllib.parse import urlencode

from mayadeen.webarchives import commoncrawl, wayback
from mayadeen.webarchives.captures import Capture

BUCKET_DIGITS: Final = {"all": 14, "hour": 10, "day": 8}
"""``MAYADEEN_TICKER_CAPTURES``: how many leading digits of a capture's timestamp name its bucket
(one capture read per bucket; ``all``: every distinct second)."""
HOME_PATH: Final = "/"
PREFIX: Final = "ticker"
EARLIEST: Final = "0" * 14


def listing_key(via: str, collection: str | None, since: date | None) -> str:
    """The key of a home-page listing in ``archive_cursors`` (apart from the article listings').

    >>> listing_key("wayback", None, date(2024, 5, 1))
    'ticker:wayback::20240501'
    """
    return f"{listing_prefix(via, collection)}{since.strftime('%Y%m%d') if since else ''}"


def listing_prefix(via: str, collection: str | None) -> str:
    return f"{PREFIX}:{via}:{collection or ''}:"


@dataclass(frozen=True)
class Span:
    """Home-page captures an earlier listing read: from its ``since`` to its newest capture."""

    start: str
    end: str

    def covers(self, timestamp: str) -> bool:
        return self.start <= timestamp <= self.end


def spans(cursors: Mapping[str, str], prefix: str) -> list[Span]:
    """The spans read by the listings under ``prefix`` (their keys' ``since``, their positions).

    >>> spans({"ticker:wayback::": "20240101000000", "ticker:wayback::20250101": "20250102"},
    ...     "ticker:wayback::")
    [Span(start='00000000000000', end='20240101000000'), Span(start='20250101000000', end='20250102')]
    """
    return [
        Span(key.removeprefix(prefix).ljust(14, "0"), position)
        for key, position in sorted(cursors.items())
        if key.startswith(prefix)
    ]


def start_time(since: date | None, read_to: str | None) -> str | None:
    """The capture time a listing is asked from: ``since``, or the newest capture this listing read
    (listed again, and passed over as read), whichever is later; None: from the first.

    >>> start_time(date(2024, 5, 1), None), start_time(date(2024, 5, 1), "20240602101010")
    ('20240501000000', '20240602101010')
    """
    bound = since.strftime("%Y%m%d").ljust(14, "0") if since else None
    if bound is None or (read_to is not None and read_to > bound):
        return read_to
    return bound


class Timeline:
    """Which of a listing's home-page captures a run reads, fed in the index's order (oldest
    first): the first of each bucket (``per``), unless an earlier listing read it.

    >>> def cap(timestamp): return Capture("wayback", "u", "u", timestamp)
    >>> timeline = Timeline("hour", [Span(EARLIEST, "20240101005959")])
    >>> [timeline.why_not(cap(t)) for t in ("20240101003000", "20240101004500", "20240101010000",
    ...     "20240101011500", "20240101020000")]
    ['already_read', 'not_selected', None, 'not_selected', None]
    """

    def __init__(self, per: str, read: Iterable[Span] = ()) -> None:
        self.digits = BUCKET_DIGITS[per]
        self.read = tuple(read)
        self._last_bucket: str | None = None

    def why_not(self, capture: Capture) -> str | None:
        """Why ``capture`` is not read (None: it is): ``not_selected`` (its bucket has a capture
        already), ``already_read`` (an earlier listing read it; its bucket counts as taken)."""
        bucket = capture.timestamp[: self.digits]
        if bucket == self._last_bucket:
            return "not_selected"
        self._last_bucket = bucket
        if any(span.covers(capture.timestamp) for span in self.read):
            return "already_read"
        return None


def wayback_query(
    archive: str, root: str, start: str | None, per: str, limit: int, resume: str | None
) -> str:
    """The CDX query of the home page's captures from ``start`` on; ``hour`` and ``day`` are
    collapsed by the archive too (``collapse=timestamp:N`` keeps the first of each), so a home page
    captured thousands of times lists a row per bucket.

    >>> wayback_query("http://w", "http://h", "20240101000000", "day", 5, None)
    ... # doctest: +NORMALIZE_WHITESPACE
    'http://w/cdx/search/cdx?url=h%2F&matchType=exact&output=json&fl=original%2Ctimestamp%2Cstatuscode%2Cmimetype%2Cdigest&filter=statuscode%3A200&filter=mimetype%3Atext%2Fhtml&limit=5&showResumeKey=true&from=20240101000000&collapse=timestamp%3A8'
    """
    url = wayback.query_url(archive, root, HOME_PATH, None, limit, resume, exact=True)
    extra = [("from", start)] if start else []
    if per != "all":
        extra.append(("collapse", f"timestamp:{BUCKET_DIGITS[per]}"))
    return f"{url}&{urlencode(extra)}" if extra else url


def commoncrawl_query(crawl: commoncrawl.Crawl, root: str, start: str | None, page: int) -> str:
    """A page of the crawl's captures of the home page from ``start`` on."""
    url = commoncrawl.query_url(crawl, root, HOME_PATH, None, page, exact=True)
    return f"{url}&{urlencode([('from', start)])}" if start else url


def home_captures(captures: Iterable[Capture], home: str) -> list[Capture]:
    """The captures of the home page itself (``home``: its canonical URL), oldest first."""
    return sorted((c for c in captures if c.url == home), key=lambda c: c.timestamp)
