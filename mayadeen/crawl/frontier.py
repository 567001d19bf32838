"""Which discovered article URLs a run requests: the incremental rules of the contract.

A known article (its canonical URL is in the store) is not requested again unless ``full=1``, it is
younger than the re-check window (so late edits are caught), or a sitemap states a ``lastmod``
newer than its stored ``modified_at``. An article an earlier run owes (``mayadeen.crawl.owed``) is
requested whatever discovery finds. Articles are known only once the store committed them, so a
crashed run never makes the next one skip an article.

The shortcuts of incremental runs rest on what the store knows was covered, never on how the last
run ended: a monthly sitemap that a trustworthy run read to its end is skipped once the month
closed well before that run; a listing paged to its last page once is paged only while a page
shows an unknown article. Pure logic: no crawler, no store (what the run has requested is kept
in a temporary file, ``mayadeen.crawl.seen``).
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import NamedTuple, Protocol

from mayadeen.crawl.seen import SeenSet
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


FETCH_REASONS = frozenset({"new", "full", "recheck", "lastmod", "owed"})
"""Decisions that request the URL (a ``new`` URL of unknown shape, neither an article's nor a known
non-article's, is fetched once for the page to say what it is); the others (``seen``, ``known``,
``since``, ``section``, ``not_article``, ``gone``, ``forbidden`` (robots.txt, unchanged since,
forbade it), ``known_not_article``: the page said so on an earlier run) skip it."""


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
    covered: Mapping[str, datetime] = field(default_factory=dict)
    """Sitemaps and listings (by URL) that trustworthy runs read to their end, and when."""
    owed: frozenset[str] = frozenset()
    """Article URLs earlier runs owe, due now: requested whatever discovery decides."""
    gone: frozenset[str] = frozenset()
    """Article URLs confirmed gone (404/410 twice): not requested again."""
    forbidden: Mapping[str, str] = field(default_factory=dict)
    """Article URLs robots.txt forbade → the fingerprint of that robots.txt: not requested again
    while the site's robots.txt has the same one (``robots``)."""
    robots: str | None = None
    """The fingerprint of the site's robots.txt as this run read it (None: not read yet, or not
    obeyed: a forbidden URL is then requested, and robots.txt decides again)."""
    newest: datetime | None = None
    """The newest stored article's publication: its month is read whatever was covered (the
    site's clock and ours may disagree, and a site's newest month may lie in the past)."""
    non_articles: Mapping[str, str] = field(default_factory=dict)
    """URLs whose page said on an earlier run that it is not an article → its kind."""

    def __post_init__(self) -> None:
        # Both grow with every URL a run meets: on disk, not in memory (mayadeen.crawl.seen).
        self.requested = SeenSet()
        self.before_since = SeenSet()
        """URLs a card date or lastmod showed older than ``since``: a related link to one later
        (which states no date) does not fetch it either."""

    @property
    def incremental(self) -> bool:
        return not self.full and bool(self.covered)

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
        if url in self.owed:
            return Decision("owed", stored is None)
        if url in self.gone and stored is None:
            return Decision("gone", False)
        if self.robots is not None and self.forbidden.get(url) == self.robots:
            return Decision("forbidden", False)
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

    def keep_paging(self, listing: str, decisions: list[Decision], dates: list[date]) -> bool:
        """Whether to follow the next page of ``listing`` (its first page's URL): with ``since``,
        not past a page whose cards are all older than it; once the listing was paged to its end
        by a trustworthy run, not past a page that shows no unknown article."""
        if self.since is not None and dates and max(dates) < self.since:
            return False
        covered = not self.full and listing in self.covered
        return not covered or any(d.unknown for d in decisions)

    def wants_sitemap(
        self, url: str, month: tuple[int, int] | None, lastmod: str | None = None
    ) -> bool:
        """Whether a sitemap (of ``month``, for a monthly one) may list articles this run wants:
        not a month before ``since``; not a month that closed a re-check window before a
        trustworthy run read its sitemap to the end (and before the newest stored article),
        unless the sitemap index states a ``lastmod`` after that run."""
        if month is None:
            return True
        if self.since is not None and month < (self.since.year, self.since.month):
            return False
        covered_at = None if self.full else self.covered.get(url)
        if covered_at is None or ((stated := moment(lastmod)) and stated > covered_at):
            return True
        anchor = min(covered_at, self.newest) if self.newest else covered_at
        return month_end(*month) + self.recheck > anchor

    def too_old(self, published_at: str | None) -> bool:
        """Whether an article was published before ``since`` (its date in the site's time zone)."""
        stated = moment(published_at)
        return self.since is not None and stated is not None and stated.date() < self.since


def month_end(year: int, month: int) -> datetime:
    """The end of a month on the site's clock (Beirut): the first moment of the next one.

    >>> month_end(2026, 12).isoformat()
    '2027-01-01T00:00:00+02:00'
    """
    following = (year + 1, 1) if month == 12 else (year, month + 1)
    return datetime(*following, 1, tzinfo=TIMEZONE)
