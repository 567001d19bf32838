"""Which discovered article URLs a run requests: the incremental rules of the contract.

A known article (its canonical URL is in the store) is not requested again unless ``full=1``, it is
younger than the re-check window (so late edits are caught), or a sitemap states a ``lastmod``
newer than its stored ``modified_at``. Articles are known only once the store committed them, so
a crashed run never makes the next one skip an article. Pure logic: no crawler, no database.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import NamedTuple, Protocol

from mayadeen.pages.dates import parse_datetime
from mayadeen.site.urls import TIMEZONE, section_path, url_shape


class Stored(Protocol):
    """What the store knows of an article (``store.KnownArticle``)."""

    @property
    def published_at(self) -> str | None: ...
    @property
    def modified_at(self) -> str | None: ...
    @property
    def last_seen_at(self) -> str | None: ...


FETCH_REASONS = frozenset({"new", "full", "recheck", "lastmod"})
"""Decisions that request the URL (a ``new`` URL of unknown shape, neither an article's nor a known
non-article's, is fetched once for the page to say what it is); the others (``seen``, ``known``,
``since``, ``section``, ``not_article``, ``known_not_article``: the page said so on an earlier run)
skip it."""


class Decision(NamedTuple):
    reason: str
    unknown: bool
    """Not in the store (a new article, whether or not this run already requested it)."""

    @property
    def fetch(self) -> bool:
        return self.reason in FETCH_REASONS


def moment(value: str | None) -> datetime | None:
    """A stored or sitemap time as an aware datetime; a bare date is its Beirut midnight.

    >>> moment("2022-02-24T14:05:00+02:00").isoformat()
    '2022-02-24T14:05:00+02:00'
    >>> moment("2022-02-24").isoformat()
    '2022-02-24T00:00:00+02:00'
    >>> moment("soon") is None
    True
    """
    if not value:
        return None
    if (stated := parse_datetime(value)) is not None:
        return datetime.fromisoformat(stated)
    try:
        day = date.fromisoformat(value.strip()[:10])
    except ValueError:
        return None
    return datetime(day.year, day.month, day.day, tzinfo=TIMEZONE)


@dataclass
class Frontier:
    """The run's view of what is known, and the decision for each discovered URL."""

    known: Mapping[str, Stored]
    full: bool = False
    recheck: timedelta = timedelta(hours=48)
    since: date | None = None
    sections: tuple[str, ...] = ()
    now: datetime = field(default_factory=lambda: datetime.now(UTC))
    non_articles: Mapping[str, str] = field(default_factory=dict)
    """URLs whose page said on an earlier run that it is not an article → its kind."""
    history_complete: bool = False
    """A previous run finished, so everything older than ``recent`` was seen then: listings may stop
    at the first page with nothing unknown, and old monthly sitemaps may be skipped."""
    recent: datetime | None = None
    """Sitemap months before this one are skipped in incremental runs."""

    def __post_init__(self) -> None:
        self.requested: set[str] = set()
        self.before_since: set[str] = set()
        """URLs a card date or lastmod showed older than ``since``: a related link to one later
        (which states no date) does not fetch it either."""

    @property
    def incremental(self) -> bool:
        return not self.full and self.history_complete

    def consider(
        self,
        url: str,
        lastmod: str | None = None,
        published: date | None = None,
        in_section_listing: bool = False,
    ) -> Decision:
        """Decide for one canonical URL; a URL to fetch is remembered, so it is fetched once.
        ``published`` is a date a listing card shows: with ``since``, an older one prunes it.
        ``in_section_listing``: found on a section listing the run reads, so with ``sections`` an
        unknown shape there (whose URL names no section) belongs to it."""
        dateless = lastmod is None and published is None
        if (dateless and url in self.before_since) or (
            self.since is not None and published is not None and published < self.since
        ):
            self.before_since.add(url)
            return Decision("since", not self.full and url not in self.known)
        decision = self._decide(url, lastmod, in_section_listing)
        if decision.reason == "since":
            self.before_since.add(url)
        if decision.fetch:
            self.requested.add(url)
        return decision

    def _decide(self, url: str, lastmod: str | None, in_section_listing: bool) -> Decision:
        shape = url_shape(url)
        if shape not in {"article", "unknown"}:
            return Decision("not_article", False)
        if not self.full and url in self.non_articles:
            return Decision("known_not_article", False)
        listed = in_section_listing and shape == "unknown"
        if self.sections and section_path(url) not in self.sections and not listed:
            return Decision("section", False)
        stored = None if self.full else self.known.get(url)
        if url in self.requested:
            return Decision("seen", stored is None)
        if self.since is not None and (stated := moment(lastmod)) and stated.date() < self.since:
            return Decision("since", stored is None)
        if stored is None:
            return Decision("full" if self.full and url in self.known else "new", True)
        if self._young(stored):
            return Decision("recheck", False)
        if self._newer(lastmod, stored):
            return Decision("lastmod", False)
        return Decision("known", False)

    def _young(self, stored: Stored) -> bool:
        published = moment(stored.published_at)
        return published is not None and self.now - published < self.recheck

    @staticmethod
    def _newer(lastmod: str | None, stored: Stored) -> bool:
        """The contract's rule: ``lastmod`` newer than the stored ``modified_at``. When the page
        stated no modification, the stored version is as new as its last fetch."""
        stated = moment(lastmod)
        previous = moment(stored.modified_at or stored.last_seen_at or stored.published_at)
        return stated is not None and (previous is None or stated > previous)

    def keep_paging(self, decisions: list[Decision], dates: list[date]) -> bool:
        """Whether to follow a listing's next page: in incremental runs, not past a page that shows
        no unknown article; with ``since``, not past a page whose cards are all older than it."""
        if self.since is not None and dates and max(dates) < self.since:
            return False
        return not self.incremental or any(d.unknown for d in decisions)

    def wants_month(self, year: int, month: int) -> bool:
        """Whether a monthly sitemap may list articles this run wants."""
        if self.since is not None and (year, month) < (self.since.year, self.since.month):
            return False
        if self.incremental and self.recent is not None:
            recent = self.recent.astimezone(TIMEZONE)
            return (year, month) >= (recent.year, recent.month)
        return True

    def too_old(self, published_at: str | None) -> bool:
        """Whether an article was published before ``since`` (its date in the site's time zone)."""
        stated = moment(published_at)
        return self.since is not None and stated is not None and stated.date() < self.since


def recent_cutoff(
    last_run_started: datetime | None, newest_published: datetime | None, recheck: timedelta
) -> datetime | None:
    """How far back an incremental run reads sitemaps: the re-check window before the earlier of
    the last finished run's start and the newest stored article (the site's clock and ours may
    disagree; the earlier one is the safe one).

    >>> str(recent_cutoff(datetime(2026, 5, 3, tzinfo=UTC), datetime(2026, 5, 1, tzinfo=UTC),
    ...                   timedelta(hours=48)))
    '2026-04-29 00:00:00+00:00'
    >>> recent_cutoff(None, datetime(2026, 5, 1, tzinfo=UTC), timedelta(hours=48)) is None
    True
    """
    if last_run_started is None:
        return None
    earliest = min(filter(None, (last_run_started, newest_published)))
    return earliest - recheck
