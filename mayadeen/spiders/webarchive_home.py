"""What the ``articles`` spider does with the home page's captures in a web archive
(``-a via=wayback|commoncrawl``): read for their BREAKING ticker only. Routing only: which
captures are read and where a listing stands is ``mayadeen.webarchives.home``; the ticker of each
is recorded at the capture's time by ``mayadeen.middlewares.ticker``, before the callback here.

A capture of the home page is not an article: it is never owed, yields no item, and is no
``not_article`` of the discovery figures. Each listing (an archive; a Common Crawl crawl) is read
one capture after another, oldest first: its position is the newest capture read, saved after
that capture's lines in the writer's batch, so a killed run reads again at most the capture it was
reading, and a later run none it read. A capture that cannot be fetched stops its listing for this
run (counted ``failed``), so the next run begins with it again rather than leave it out.
"""

from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field

import scrapy
from scrapy.http import Response
from twisted.python.failure import Failure

from mayadeen.crawl.bounds import ARCHIVE_INDEX_LOOP, ARCHIVE_INDEX_PAGES
from mayadeen.run import Run
from mayadeen.site.urls import canonical_url
from mayadeen.spiders.routing import Routing, failure_reason
from mayadeen.spiders.webarchive_captures import archive_meta, archive_url, capture_location
from mayadeen.store.origins import cursors_under
from mayadeen.webarchives import commoncrawl, home, wayback
from mayadeen.webarchives.captures import INDEX_META, ORIGIN_META, Capture

HOME_PRIORITY = -20
"""After the article listings and their captures: the ticker's history is the extra."""


@dataclass
class HomeListing:
    """One listing of the home page's captures, as far as this run has read it."""

    key: str
    via: str
    crawl: commoncrawl.Crawl | None
    per: str
    """``MAYADEEN_TICKER_CAPTURES``: ``all``, ``hour``, ``day``."""
    timeline: home.Timeline
    start: str | None
    """The capture time the index is asked from."""
    queue: deque[Capture] = field(default_factory=deque)
    """Captures listed and chosen, still to read (in order)."""
    next_page: str | None = None
    """The index page that goes on (a Wayback resume key, a Common Crawl page number)."""
    pages: set[str] = field(default_factory=set)


class WebArchiveHome:
    """The home page's captures of the archive ``via``, listing by listing."""

    def __init__(self, routing: Routing, *, via: str) -> None:
        self.routing = routing
        self.via = via
        self.listings: dict[str, HomeListing] = {}

    @property
    def context(self) -> Run:
        return Run.of(self.routing.crawler)

    def _stat(self, what: str, count: int = 1) -> None:
        self.routing.stat(f"ticker/captures/{self.via}/{what}", count)

    def _open(self, crawl: commoncrawl.Crawl | None) -> HomeListing:
        collection = crawl.id if crawl else None
        since = self.routing.arguments.since
        key = home.listing_key(self.via, collection, since)
        known = cursors_under(
            self.context.writer.store.db, home.listing_prefix(self.via, collection)
        )
        full = self.routing.arguments.full  # every capture again, whatever was read
        per = str(self.routing.crawler.settings["MAYADEEN_TICKER_CAPTURES"]).strip().lower()
        read = [] if full else home.spans(known, home.listing_prefix(self.via, collection))
        start = home.start_time(since, None if full else known.get(key))
        listing = HomeListing(key, self.via, crawl, per, home.Timeline(per, read), start)
        self.listings[key] = listing
        return listing

    # -- the index ---------------------------------------------------------------------------

    def wayback_start(self) -> scrapy.Request:
        return self._wayback_page(self._open(None), None)

    def commoncrawl_starts(self, crawls: list[commoncrawl.Crawl]) -> Iterator[scrapy.Request]:
        for crawl in crawls:
            yield self._cc_page(self._open(crawl), 0)

    def _wayback_page(self, listing: HomeListing, resume: str | None) -> scrapy.Request:
        settings = self.routing.crawler.settings
        url = home.wayback_query(
            archive_url(settings, "MAYADEEN_WAYBACK_URL"),
            self.routing.root,
            listing.start,
            listing.per,
            settings.getint("MAYADEEN_WAYBACK_PAGE_SIZE"),
            resume,
        )
        return self._index_request(url, listing, resume or "")

    def _cc_page(self, listing: HomeListing, page: int) -> scrapy.Request:
        assert listing.crawl is not None
        url = home.commoncrawl_query(listing.crawl, self.routing.root, listing.start, page)
        return self._index_request(url, listing, str(page))

    def _index_request(self, url: str, listing: HomeListing, page: str) -> scrapy.Request:
        return scrapy.Request(
            url,
            callback=self.routing.callbacks.parse_home_index,
            errback=self.routing.callbacks.home_index_failed,
            priority=HOME_PRIORITY,
            cb_kwargs={"listing": listing.key, "page": page},
            # 404: no captures; 400: past the last page (Common Crawl).
            meta=archive_meta(self.via, handle_httpstatus_list=[400, 404], **{INDEX_META: True}),
            dont_filter=True,
        )

    def parse_index(self, response: Response, listing: str, page: str) -> Iterator[scrapy.Request]:
        read = self.listings[listing]
        read.pages.add(page)
        self._stat("index_pages")
        captures, next_page = self._page(response, read, page)
        self._stat("listed", len(captures))
        for capture in captures:
            reason = read.timeline.why_not(capture)
            self._stat(reason or "selected")
            if reason is None:
                read.queue.append(capture)
        read.next_page = next_page if self._goes_on(read, response.url, next_page) else None
        yield from self._next(read)

    def _page(
        self, response: Response, listing: HomeListing, page: str
    ) -> tuple[list[Capture], str | None]:
        """The home page's captures an index page lists, and the page after it (None: none)."""
        root = self.routing.root
        site_home = canonical_url(root, root) or root
        if listing.crawl is None:
            answer = wayback.read_page(response.body, root)
            return home.home_captures(answer.captures, site_home), answer.resume_key
        if response.status in (400, 404):
            return [], None
        listed = commoncrawl.read_page(response.body, listing.crawl, root)
        return home.home_captures(listed, site_home), str(int(page or 0) + 1) if listed else None

    def _goes_on(self, listing: HomeListing, url: str, next_page: str | None) -> bool:
        """Whether the listing's next index page is read in this run: not one read already (the
        archive's listing loops), nor past ``MAYADEEN_ARCHIVE_INDEX_MAX_PAGES`` pages."""
        if next_page is None:
            return False
        if next_page in listing.pages:
            self.routing.limit_reached(ARCHIVE_INDEX_LOOP, url, next_page)
            return False
        if len(listing.pages) >= self.routing.crawler.settings.getint(
            "MAYADEEN_ARCHIVE_INDEX_MAX_PAGES"
        ):
            self.routing.limit_reached(ARCHIVE_INDEX_PAGES, url, len(listing.pages))
            return False
        return True

    def index_failed(self, failure: Failure) -> None:
        self._stat("index_failed")
        self.routing.callbacks.discovery_failed(failure)

    # -- the captures ------------------------------------------------------------------------

    def _next(self, listing: HomeListing) -> Iterator[scrapy.Request]:
        """The listing's next capture to read, else its next index page (one request at a time:
        the listing's position is then the newest capture read)."""
        if self.routing.quota.reached():
            return
        if listing.queue:
            yield self._capture_request(listing, listing.queue.popleft())
        elif listing.next_page is not None:
            page, listing.next_page = listing.next_page, None
            if listing.crawl is None:
                yield self._wayback_page(listing, page)
            else:
                yield self._cc_page(listing, int(page))

    def _capture_request(self, listing: HomeListing, capture: Capture) -> scrapy.Request:
        url, headers = capture_location(self.routing.crawler.settings, capture)
        return scrapy.Request(
            url,
            headers=headers,
            callback=self.routing.callbacks.parse_home_capture,
            errback=self.routing.callbacks.home_capture_failed,
            priority=HOME_PRIORITY,
            # The capture listed: a replay redirected to a nearer capture is recorded at that
            # one's time, but the listing stands at the capture it listed.
            cb_kwargs={"listing": listing.key, "listed": capture.timestamp},
            meta=archive_meta(self.via, **{ORIGIN_META: capture}),
            dont_filter=True,
        )

    def parse_capture(
        self, response: Response, listing: str, listed: str
    ) -> Iterator[scrapy.Request]:
        """A capture was read (its ticker recorded by the middleware): the listing stands at it."""
        self._stat("read")
        self.context.writer.save_cursor(listing, listed)
        yield from self._next(self.listings[listing])

    def capture_failed(self, failure: Failure) -> None:
        """The listing stops here for this run; the next begins with this capture again."""
        request = failure.request  # type: ignore[attr-defined]
        capture: Capture = request.meta[ORIGIN_META]
        self._stat("failed")
        self.routing.logger.warning(
            "%s: the home page's capture of %s could not be read (%s); its listing goes on "
            "from it in the next run",
            request.url,
            capture.captured_at,
            failure_reason(failure),
        )
        listing = self.listings[request.cb_kwargs["listing"]]
        listing.queue.clear()
        listing.next_page = None
