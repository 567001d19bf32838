"""Discovery stops somewhere: how deep sitemap indexes are followed, and how long a listing may
page on without showing anything new.

A site can chain sitemap indexes without end (one was followed 5,348 deep in 150 s) or serve a
"next page" forever on a listing that shows no new article (an out-of-range ``?page=N`` answered
with the last page, or an empty one). Both are bounded by settings
(``MAYADEEN_SITEMAP_MAX_DEPTH``, ``MAYADEEN_LISTING_MAX_STALE_PAGES``; docs/crawling.md); the
spider counts and warns when a bound is reached. A web archive's index listing is bounded too:
``MAYADEEN_ARCHIVE_INDEX_MAX_PAGES`` pages per listing and run (the cursor resumes it next run),
and a resume key that comes round again ends it (``mayadeen.spiders.webarchive_routes``). Pure
logic: no crawler.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import NamedTuple

from scrapy.settings import BaseSettings

from mayadeen.crawl.seen import SeenSet

SITEMAP_DEPTH = "sitemap_depth"
"""``Request.meta`` key: how many sitemap indexes led to this sitemap (0 for a starting one)."""
LISTING = "listing"
"""``Request.meta`` key: the first page of the listing a listing page belongs to."""


class Limit(NamedTuple):
    """A bound: its name in the stats (``mayadeen/limits/<name>``) and its log line."""

    name: str
    message: str


SITEMAP_TOO_DEEP = Limit(
    "sitemap_depth",
    "%s: a sitemap index %d indexes below a starting sitemap; its sitemaps are not read "
    "(MAYADEEN_SITEMAP_MAX_DEPTH)",
)
LISTING_STALE = Limit(
    "listing_stale_pages",
    "%s: %d listing pages in a row without an article link new to the listing; not paging "
    "further (MAYADEEN_LISTING_MAX_STALE_PAGES)",
)

ARCHIVE_INDEX_PAGES = Limit(
    "archive_index_pages",
    "%s: %d index pages of one listing read in this run; the next run goes on from here "
    "(MAYADEEN_ARCHIVE_INDEX_MAX_PAGES)",
)
ARCHIVE_INDEX_LOOP = Limit(
    "archive_index_loop",
    "%s: the web archive's listing gave a resume key it gave before (%r); reading it no further",
)


@dataclass
class _Trail:
    """How one listing's paging goes (what it has shown: ``DiscoveryBounds.shown``)."""

    stale: int = 0
    """Pages in a row that showed no article link new to this listing."""


@dataclass
class DiscoveryBounds:
    sitemap_depth: int
    """Sitemap indexes nested deeper than this below a starting sitemap are not read."""
    listing_stale_pages: int
    """A listing stops after this many pages in a row without an article link new to it."""
    trails: dict[str, _Trail] = field(default_factory=dict)
    ended: set[str] = field(default_factory=set)
    """Listings whose paging stopped (their end, a bound, the frontier): a page of one still in
    flight (two next-page links lead to two pages at once) pages no further, or the trail it
    would start afresh, forgetting what the listing showed, would page on without end."""
    reached: set[str] = field(default_factory=set)
    shown: SeenSet = field(default_factory=SeenSet)
    """``listing\\nURL`` of each article link a listing being paged has shown so far: a first run
    pages the listings of the whole archive, so on disk, not in memory (``mayadeen.crawl.seen``)."""

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> "DiscoveryBounds":
        return cls(
            settings.getint("MAYADEEN_SITEMAP_MAX_DEPTH"),
            settings.getint("MAYADEEN_LISTING_MAX_STALE_PAGES"),
        )

    def follow_index(self, depth: int) -> bool:
        """Whether the children of a sitemap index at ``depth`` are read.

        >>> bounds = DiscoveryBounds(sitemap_depth=2, listing_stale_pages=3)
        >>> [bounds.follow_index(depth) for depth in range(4)]
        [True, True, False, False]
        """
        return depth < self.sitemap_depth

    def keep_paging(self, listing: str, links: Iterable[str]) -> bool:
        """Record a page of ``listing`` showing ``links``; whether its next page is worth a
        request (fewer than ``listing_stale_pages`` pages in a row showed nothing new).

        >>> bounds = DiscoveryBounds(sitemap_depth=2, listing_stale_pages=2)
        >>> [bounds.keep_paging("/news", page) for page in (["a", "b"], ["b"], ["c"], [], ["a"])]
        [True, True, True, True, False]
        >>> bounds.keep_paging("/news", ["a"]), bounds.keep_paging("/news", ["d"])  # in flight
        (False, False)
        """
        if listing in self.ended:
            return False
        trail = self.trails.setdefault(listing, _Trail())
        new = [link for link in links if self.shown.add(f"{listing}\n{link}")]
        trail.stale = 0 if new else trail.stale + 1
        if trail.stale >= self.listing_stale_pages:
            self.listing_ended(listing)
            return False
        return True

    def first(self, limit: Limit) -> bool:
        """Whether ``limit`` is reached for the first time in the run (it is warned of once)."""
        first = limit.name not in self.reached
        self.reached.add(limit.name)
        return first

    def listing_ended(self, listing: str) -> None:
        """The listing has no next page (or paging stopped for another reason): forget what it
        showed, and page it no further in this run."""
        self.ended.add(listing)
        self.trails.pop(listing, None)
        self.shown.discard_prefix(f"{listing}\n")
