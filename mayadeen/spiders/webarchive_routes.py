"""What the ``articles`` spider does with ``-a via=wayback|commoncrawl``: the archive's index pages
become requests for the captures to fetch. Routing only: the queries and their answers are
``mayadeen.webarchives``, which captures a run fetches ``mayadeen.webarchives.captures``, where a killed
run resumes ``mayadeen.webarchives.cursor``; a capture's answer becomes the site's page in
``mayadeen.middlewares.webarchives`` and is read by ``parse_article`` like a page of the site.
"""

from collections.abc import Iterable, Iterator
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy.http import Response
from twisted.python.failure import Failure

from mayadeen.crawl.bounds import ARCHIVE_INDEX_LOOP, ARCHIVE_INDEX_PAGES
from mayadeen.crawl.frontier import Frontier
from mayadeen.items import CURSOR_META, ArticleItem
from mayadeen.site.urls import url_shape
from mayadeen.site.webarchives import index_prefixes
from mayadeen.spiders.discovery_routes import ARTICLE_PRIORITY, DiscoveryRoutes, failure_reason
from mayadeen.store.origins import cursor, same_bytes_later, stored_origins
from mayadeen.webarchives import commoncrawl, wayback
from mayadeen.webarchives.captures import INDEX_META, ORIGIN_META, Capture, Newest, wanted
from mayadeen.webarchives.cursor import FIRST, ListingCursor

INDEX_PRIORITY = -10
"""Index pages after the captures already listed: a listing is read as fast as it is fetched."""


class WebArchiveRoutes(DiscoveryRoutes):
    """The archive half of the ``articles`` spider (a base class: it has no ``name``)."""

    via: str
    urls_argument: str | None
    items_in_pipelines: int

    def _archive(self, name: str) -> str:
        return str(self.settings[name]).strip().rstrip("/")

    @property
    def archive_via(self) -> str:
        """The archive read: ``via``'s, or the Wayback Machine for the fallback of a site crawl."""
        return "wayback" if self.via == "site" else self.via

    def _meta(self, **extra: Any) -> dict[str, Any]:
        """Requests to an archive: its own download slot (its pace), off the site's host."""
        return {
            "download_slot": self.archive_via,
            "allow_offsite": True,
            "dont_obey_robotstxt": True,
            **extra,
        }

    def _archive_state(self) -> None:
        if hasattr(self, "stored"):
            return
        self.stored = stored_origins(self.context.writer.store.db)
        # With urls (no discovery, no frontier): which captures were requested, nothing more.
        self.archive_frontier = self.frontier or Frontier(known={})
        self.cursors: dict[str, ListingCursor] = {}
        self.newest: dict[str, Newest] = {}
        self.exact_listings: set[str] = set()
        """Listings of one URL each (``urls``, the fallback): fetched whatever is stored, and
        nothing to resume."""
        self.asked_fetched: set[str] = set()

    def _archive_starts(
        self, exact: list[str] | None = None, owed: Iterable[str] = ()
    ) -> Iterator[scrapy.Request]:
        """The first index requests: each of the ``exact`` URL paths; or each ``owed`` article's
        newest capture (what earlier runs could not fetch, from the site or a capture), then
        per article path prefix."""
        self._archive_state()
        if exact is not None:
            queries = [(path, True) for path in exact]
        else:
            queries = [(urlsplit(url).path, True) for url in owed]
            queries += [(prefix, False) for prefix in index_prefixes(self.arguments.sections)]
        if self.via == "wayback":
            for path, is_exact in queries:
                yield self._wayback_page(path, is_exact, self._resume(self._key(path), is_exact))
            return
        yield scrapy.Request(
            self._archive("MAYADEEN_COMMONCRAWL_INDEX_URL") + "/collinfo.json",
            callback=self.parse_collinfo,
            errback=self.discovery_failed,
            cb_kwargs={"kind": "commoncrawl-collinfo", "queries": queries},
            meta=self._meta(**{INDEX_META: True}),
            dont_filter=True,
        )

    def _key(self, path: str, collection: str = "") -> str:
        """A listing's cursor is kept per archive, crawl, prefix and ``since``."""
        return f"{self.archive_via}:{collection}:{path}:{self.arguments.since or ''}"

    def _resume(self, listing: str, exact: bool) -> str | None:
        """Where an earlier run stopped reading ``listing`` (None: from the start)."""
        self.cursors[listing] = ListingCursor()
        self.newest[listing] = Newest()
        if exact:
            self.exact_listings.add(listing)
            return None
        resume = cursor(self.context.writer.store.db, listing)
        if resume:
            self.stat(f"sources/{self.archive_via}/resumed")
            self.logger.info("%s: resuming where an earlier run stopped (%s)", listing, resume)
        return resume

    def _listing_read(
        self, listing: str, page: str, found: list[tuple[Capture, str]], next_key: str | None
    ) -> Iterator[scrapy.Request]:
        """A page of ``listing`` was read: its captures requested, the cursor kept."""
        cursor = self.cursors[listing]
        cursor.page_read(page, next_key)
        for capture, began in found:
            reason = self._skip(capture, self.archive_frontier, listing in self.exact_listings)
            self.stat(f"discovery/{capture.via}/{reason or 'new'}")
            if reason is not None:
                continue
            cursor.listed(began)  # out until settled; max_articles leaves it to the next run
            if not self.max_reached():
                yield self._capture_request(capture, listing, began)
        self._save(listing)

    def _save(self, listing: str) -> None:
        if listing in self.exact_listings:
            return
        position = self.cursors[listing].position(self.newest[listing].pending)
        self.context.writer.save_cursor(listing, position or None)

    # -- the Wayback Machine -----------------------------------------------------------------

    def _wayback_page(self, path: str, exact: bool, resume: str | None) -> scrapy.Request:
        url = wayback.query_url(
            self._archive("MAYADEEN_WAYBACK_URL"),
            self.root,
            path,
            self.arguments.since,
            self.settings.getint("MAYADEEN_WAYBACK_PAGE_SIZE"),
            resume,
            exact,
        )
        return scrapy.Request(
            url,
            callback=self.parse_wayback_index,
            errback=self.discovery_failed,
            priority=INDEX_PRIORITY,
            cb_kwargs={"kind": "wayback-index", "path": path, "exact": exact, "resume": resume},
            meta=self._meta(**{INDEX_META: True}),
            dont_filter=True,
        )

    def parse_wayback_index(
        self, response: Response, kind: str, path: str, exact: bool, resume: str | None
    ) -> Iterator[scrapy.Request]:
        page = wayback.read_page(response.body, self.root)
        self.stat("sources/wayback/index_pages")
        self.stat("sources/wayback/listed", len(page.captures))
        listing = self._key(path)
        newest, key = self.newest[listing], resume or FIRST
        next_key = page.resume_key
        if next_key is not None and (next_key == key or self.cursors[listing].has_read(next_key)):
            self._limit_reached(ARCHIVE_INDEX_LOOP, response.url, next_key)
            next_key = None  # a listing that loops has no further page
        going_on = next_key is not None and self._index_goes_on(listing, response.url)
        found = [*newest.feed(page.captures, key), *(() if going_on else newest.end())]
        yield from self._listing_read(listing, key, found, next_key)
        if going_on:
            yield self._wayback_page(path, exact, next_key)

    def _index_goes_on(self, listing: str, url: str) -> bool:
        """Whether the next index page of ``listing`` is read in this run (the page at ``url``
        just read): not once ``max_articles`` is reached, nor past
        ``MAYADEEN_ARCHIVE_INDEX_MAX_PAGES`` pages (the cursor keeps the next page for the next
        run)."""
        if self.max_reached():
            return False
        read = self.cursors[listing].pages + 1  # this page's is recorded after
        if read >= self.settings.getint("MAYADEEN_ARCHIVE_INDEX_MAX_PAGES"):
            self._limit_reached(ARCHIVE_INDEX_PAGES, url, read)
            return False
        return True

    # -- Common Crawl ------------------------------------------------------------------------

    def parse_collinfo(
        self, response: Response, kind: str, queries: list[tuple[str, bool]]
    ) -> Iterator[scrapy.Request]:
        how_many = self.settings.getint("MAYADEEN_COMMONCRAWL_CRAWLS")
        self.crawls = commoncrawl.read_collinfo(response.body, self.arguments.since, how_many)
        self.stat("sources/commoncrawl/crawls", len(self.crawls))
        self.crawl_queries, self.crawl_listings_open = queries, 0
        yield from self._next_crawl()

    def _next_crawl(self) -> Iterator[scrapy.Request]:
        """The next crawl's listings, once the newer crawl's are read: newest first, so a URL's
        newest capture is met (and requested) first, and its older ones are ``seen``."""
        if not self.crawls or self.max_reached():
            return
        crawl = self.crawls.pop(0)
        self.crawl_listings_open = len(self.crawl_queries)
        for path, is_exact in self.crawl_queries:
            start = self._resume(self._key(path, crawl.id), is_exact)
            yield self._cc_page(crawl, path, is_exact, int(start or 0))

    def _crawl_listing_ended(self) -> Iterator[scrapy.Request]:
        self.crawl_listings_open -= 1
        if self.crawl_listings_open == 0:
            yield from self._next_crawl()

    def cc_index_failed(self, failure: Failure) -> Iterator[scrapy.Request]:
        self.discovery_failed(failure)
        yield from self._crawl_listing_ended()

    def _cc_page(
        self, crawl: commoncrawl.Crawl, path: str, exact: bool, page: int
    ) -> scrapy.Request:
        url = commoncrawl.query_url(crawl, self.root, path, self.arguments.since, page, exact)
        return scrapy.Request(
            url,
            callback=self.parse_cc_index,
            errback=self.cc_index_failed,
            priority=INDEX_PRIORITY,
            cb_kwargs={"kind": "commoncrawl-index", "crawl": crawl, "path": path, "page": page},
            # 404: no captures; 400: past the last page (cdx_toolkit's get_for_iter).
            meta=self._meta(handle_httpstatus_list=[400, 404], **{INDEX_META: True}),
            dont_filter=True,
        )

    def parse_cc_index(
        self, response: Response, kind: str, crawl: commoncrawl.Crawl, path: str, page: int
    ) -> Iterator[scrapy.Request]:
        listing = self._key(path, crawl.id)
        exact = not path.endswith("/")
        key = str(page) if page else FIRST
        captures = [] if response.status in (400, 404) else self._cc_captures(response, crawl)
        going_on = bool(captures) and not exact and self._index_goes_on(listing, response.url)
        newest = self.newest[listing]
        found = [*newest.feed(captures, key), *(() if going_on else newest.end())]
        yield from self._listing_read(listing, key, found, str(page + 1) if going_on else None)
        if going_on:
            yield self._cc_page(crawl, path, exact, page + 1)
        else:
            yield from self._crawl_listing_ended()

    def _cc_captures(self, response: Response, crawl: commoncrawl.Crawl) -> list[Capture]:
        captures = commoncrawl.read_page(response.body, crawl, self.root)
        self.stat("sources/commoncrawl/index_pages")
        self.stat("sources/commoncrawl/listed", len(captures))
        return captures

    # -- captures ----------------------------------------------------------------------------

    def _skip(self, capture: Capture, frontier: Frontier, asked: bool) -> str | None:
        """Why a listed capture is not fetched (None: it is). One whose URL was asked for
        (``urls``, the fallback of a blocked page) is fetched whatever is stored or requested."""
        if url_shape(capture.url) not in {"article", "unknown"}:
            return "not_article"
        if asked:
            if capture.url in self.asked_fetched:
                return "seen"
            self.asked_fetched.add(capture.url)
            frontier.requested.add(capture.url)  # not fetched again from a listing
            return None
        full = self.arguments.full
        if not full and capture.url in frontier.non_articles:
            return "known_not_article"
        if capture.url in frontier.requested:
            return "seen"
        if reason := wanted(capture, self.stored, full):
            if reason == "same_digest":  # as new as this capture now, with nothing fetched
                same_bytes_later(self.context.writer.store.db, capture.url, capture.captured_at)
            return reason
        frontier.requested.add(capture.url)
        return None

    def _capture_request(self, capture: Capture, listing: str, page: str) -> scrapy.Request:
        headers = {}
        if capture.via == "wayback":
            url = wayback.replay_url(self._archive("MAYADEEN_WAYBACK_URL"), capture)
        else:
            url = commoncrawl.data_url(self._archive("MAYADEEN_COMMONCRAWL_DATA_URL"), capture)
            headers["Range"] = commoncrawl.record_range(capture)
        return scrapy.Request(
            url,
            headers=headers,
            callback=self.parse_capture,
            errback=self.capture_failed,
            priority=ARTICLE_PRIORITY,
            cb_kwargs={"listing": listing, "page": page},
            # The article read from it names them (its provenance): the cursor moves past a
            # capture only once its article is written.
            meta=self._meta(**{ORIGIN_META: capture, CURSOR_META: (listing, page)}),
            dont_filter=True,
        )

    def fallback(self, url: str) -> scrapy.Request:
        """The Wayback query for the newest capture of a blocked article of the site."""
        self._archive_state()
        self.stat("sources/fallback/requested")
        path = urlsplit(url).path
        self.logger.info("%s: blocked; reading its newest Wayback capture instead", url)
        return self._wayback_page(path, True, self._resume(self._key(path), True))

    def parse_capture(self, response: Response, listing: str, page: str) -> Iterator[Any]:
        output = list(self.parse_article(response))
        # Each article is settled when it leaves the pipelines (capture_item_done).
        items = [item for item in output if isinstance(item, ArticleItem) and item.url]
        yield from output
        if items:  # owed until stored, like an article page of the site
            self.context.owed.arrived([response.url], str(items[0].url))
        # A page left unread because max_articles was reached stays owed to the next run.
        elif output or not self.max_reached(self.items_in_pipelines):
            self.context.owed.arrived([response.url], None)  # not an article, or too old
            self.cursors[listing].settled(page)
            self._save(listing)

    def capture_item_done(self, item: Any) -> None:
        """An article read from a capture was stored, dropped or failed in the pipelines: the
        cursor may move past its capture now, written after the article in the same store
        connection, so a run killed in between never resumes beyond an article it lost."""
        where = item.provenance.cursor if isinstance(item, ArticleItem) else None
        if where is not None:
            listing, page = where
            self.cursors[listing].settled(page)
            self._save(listing)

    def capture_failed(self, failure: Failure) -> None:
        """A capture could not be fetched: its article is owed (the archive's answer never says
        the article is gone from the site), so the next run looks for it again, whatever the
        listing's cursor, which moves on."""
        self.fetch_failed(failure)
        request = failure.request  # type: ignore[attr-defined]
        capture: Capture = request.meta[ORIGIN_META]
        self.context.owed.fetch_failed(capture.url, f"{capture.via}: {failure_reason(failure)}")
        listing, page = request.cb_kwargs["listing"], request.cb_kwargs["page"]
        self.cursors[listing].settled(page)
        self._save(listing)
