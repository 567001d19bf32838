"""What the ``articles`` spider does with ``-a via=wayback|commoncrawl``: the archive's index pages
become requests for the captures to fetch. Routing only: the queries and their answers are
``mayadeen.webarchives``; the captures listed are requested and settled, and each listing's cursor
kept, by ``mayadeen.spiders.webarchive_captures``.
"""

from collections.abc import Iterable, Iterator
from urllib.parse import urlsplit

import scrapy
from scrapy.http import Response
from twisted.python.failure import Failure

from mayadeen.crawl.bounds import ARCHIVE_INDEX_LOOP, ARCHIVE_INDEX_PAGES
from mayadeen.site.webarchives import index_prefixes
from mayadeen.spiders.routing import Routing
from mayadeen.spiders.webarchive_captures import WebArchiveCaptures, archive_meta, archive_url
from mayadeen.spiders.webarchive_home import WebArchiveHome
from mayadeen.webarchives import commoncrawl, wayback
from mayadeen.webarchives.captures import INDEX_META, Capture
from mayadeen.webarchives.cursor import FIRST

INDEX_PRIORITY = -10
"""Index pages after the captures already listed: a listing is read as fast as it is fetched."""


class WebArchiveRoutes:
    """The index pages of a web archive: the Wayback Machine's, or Common Crawl's crawl after
    crawl; and the Wayback query for a blocked article of the site (the fallback)."""

    def __init__(
        self,
        routing: Routing,
        *,
        via: str,
        captures: WebArchiveCaptures,
        home: WebArchiveHome | None = None,
    ) -> None:
        self.routing = routing
        self.via = via
        """The archive read: ``via``'s, or the Wayback Machine for the fallback of a site crawl."""
        self.captures = captures
        self.crawls: list[commoncrawl.Crawl] = []
        """Common Crawl's crawls still to list, newest first."""
        self.crawl_queries: list[tuple[str, bool]] = []
        self.crawl_listings_open = 0
        self.home = home
        """The home page's captures, read for their ticker by a backfill (not ``urls``)."""
        self.read_home = False

    def starts(
        self, exact: list[str] | None = None, owed: Iterable[str] = ()
    ) -> Iterator[scrapy.Request]:
        """The first index requests: each of the ``exact`` URL paths; or each ``owed`` article's
        newest capture (what earlier runs could not fetch, from the site or a capture), then
        per article path prefix."""
        self.captures.open()
        self.read_home = exact is None and self.home is not None
        if exact is not None:
            queries = [(path, True) for path in exact]
        else:
            queries = [(urlsplit(url).path, True) for url in owed]
            queries += [
                (prefix, False) for prefix in index_prefixes(self.routing.arguments.sections)
            ]
        if self.via == "wayback":
            if self.read_home and self.home is not None:
                yield self.home.wayback_start()
            for path, is_exact in queries:
                yield self._wayback_page(
                    path, is_exact, self.captures.open_listing(self._key(path), is_exact)
                )
            return
        yield scrapy.Request(
            archive_url(self.routing.crawler.settings, "MAYADEEN_COMMONCRAWL_INDEX_URL")
            + "/collinfo.json",
            callback=self.routing.callbacks.parse_collinfo,
            errback=self.routing.callbacks.discovery_failed,
            cb_kwargs={"kind": "commoncrawl-collinfo", "queries": queries},
            meta=archive_meta(self.via, **{INDEX_META: True}),
            dont_filter=True,
        )

    def _key(self, path: str, collection: str = "") -> str:
        """A listing's cursor is kept per archive, crawl, prefix and ``since``."""
        return f"{self.via}:{collection}:{path}:{self.routing.arguments.since or ''}"

    # -- the Wayback Machine -----------------------------------------------------------------

    def _wayback_page(self, path: str, exact: bool, resume: str | None) -> scrapy.Request:
        url = wayback.query_url(
            archive_url(self.routing.crawler.settings, "MAYADEEN_WAYBACK_URL"),
            self.routing.root,
            path,
            self.routing.arguments.since,
            self.routing.crawler.settings.getint("MAYADEEN_WAYBACK_PAGE_SIZE"),
            resume,
            exact,
        )
        return scrapy.Request(
            url,
            callback=self.routing.callbacks.parse_wayback_index,
            errback=self.routing.callbacks.discovery_failed,
            priority=INDEX_PRIORITY,
            cb_kwargs={"kind": "wayback-index", "path": path, "exact": exact, "resume": resume},
            meta=archive_meta(self.via, **{INDEX_META: True}),
            dont_filter=True,
        )

    def parse_wayback_index(
        self, response: Response, kind: str, path: str, exact: bool, resume: str | None
    ) -> Iterator[scrapy.Request]:
        page = wayback.read_page(response.body, self.routing.root)
        self.routing.stat("sources/wayback/index_pages")
        self.routing.stat("sources/wayback/listed", len(page.captures))
        listing = self._key(path)
        newest, key = self.captures.newest[listing], resume or FIRST
        next_key = page.resume_key
        if next_key is not None and (
            next_key == key or self.captures.cursors[listing].has_read(next_key)
        ):
            self.routing.limit_reached(ARCHIVE_INDEX_LOOP, response.url, next_key)
            next_key = None  # a listing that loops has no further page
        going_on = next_key is not None and self._index_goes_on(listing, response.url)
        found = [*newest.feed(page.captures, key), *(() if going_on else newest.end())]
        yield from self.captures.listing_read(listing, key, found, next_key)
        if going_on:
            yield self._wayback_page(path, exact, next_key)

    def _index_goes_on(self, listing: str, url: str) -> bool:
        """Whether the next index page of ``listing`` is read in this run (the page at ``url``
        just read): not once ``max_articles`` is reached, nor past
        ``MAYADEEN_ARCHIVE_INDEX_MAX_PAGES`` pages (the cursor keeps the next page for the next
        run)."""
        if self.routing.quota.reached():
            return False
        read = self.captures.cursors[listing].pages + 1  # this page's is recorded after
        if read >= self.routing.crawler.settings.getint("MAYADEEN_ARCHIVE_INDEX_MAX_PAGES"):
            self.routing.limit_reached(ARCHIVE_INDEX_PAGES, url, read)
            return False
        return True

    # -- Common Crawl ------------------------------------------------------------------------

    def parse_collinfo(
        self, response: Response, kind: str, queries: list[tuple[str, bool]]
    ) -> Iterator[scrapy.Request]:
        how_many = self.routing.crawler.settings.getint("MAYADEEN_COMMONCRAWL_CRAWLS")
        self.crawls = commoncrawl.read_collinfo(
            response.body, self.routing.arguments.since, how_many
        )
        self.routing.stat("sources/commoncrawl/crawls", len(self.crawls))
        if self.read_home and self.home is not None:
            yield from self.home.commoncrawl_starts(list(self.crawls))
        self.crawl_queries, self.crawl_listings_open = queries, 0
        yield from self._next_crawl()

    def _next_crawl(self) -> Iterator[scrapy.Request]:
        """The next crawl's listings, once the newer crawl's are read: newest first, so a URL's
        newest capture is met (and requested) first, and its older ones are ``seen``."""
        if not self.crawls or self.routing.quota.reached():
            return
        crawl = self.crawls.pop(0)
        self.crawl_listings_open = len(self.crawl_queries)
        for path, is_exact in self.crawl_queries:
            start = self.captures.open_listing(self._key(path, crawl.id), is_exact)
            yield self._cc_page(crawl, path, is_exact, int(start or 0))

    def _crawl_listing_ended(self) -> Iterator[scrapy.Request]:
        self.crawl_listings_open -= 1
        if self.crawl_listings_open == 0:
            yield from self._next_crawl()

    def cc_index_failed(self, failure: Failure) -> Iterator[scrapy.Request]:
        self.routing.callbacks.discovery_failed(failure)
        yield from self._crawl_listing_ended()

    def _cc_page(
        self, crawl: commoncrawl.Crawl, path: str, exact: bool, page: int
    ) -> scrapy.Request:
        url = commoncrawl.query_url(
            crawl, self.routing.root, path, self.routing.arguments.since, page, exact
        )
        return scrapy.Request(
            url,
            callback=self.routing.callbacks.parse_cc_index,
            errback=self.routing.callbacks.cc_index_failed,
            priority=INDEX_PRIORITY,
            cb_kwargs={"kind": "commoncrawl-index", "crawl": crawl, "path": path, "page": page},
            # 404: no captures; 400: past the last page (cdx_toolkit's get_for_iter).
            meta=archive_meta(self.via, handle_httpstatus_list=[400, 404], **{INDEX_META: True}),
            dont_filter=True,
        )

    def parse_cc_index(
        self, response: Response, kind: str, crawl: commoncrawl.Crawl, path: str, page: int
    ) -> Iterator[scrapy.Request]:
        listing = self._key(path, crawl.id)
        exact = not path.endswith("/")
        key = str(page) if page else FIRST
        listed = [] if response.status in (400, 404) else self._cc_captures(response, crawl)
        going_on = bool(listed) and not exact and self._index_goes_on(listing, response.url)
        newest = self.captures.newest[listing]
        found = [*newest.feed(listed, key), *(() if going_on else newest.end())]
        yield from self.captures.listing_read(
            listing, key, found, str(page + 1) if going_on else None
        )
        if going_on:
            yield self._cc_page(crawl, path, exact, page + 1)
        else:
            yield from self._crawl_listing_ended()

    def _cc_captures(self, response: Response, crawl: commoncrawl.Crawl) -> list[Capture]:
        captures = commoncrawl.read_page(response.body, crawl, self.routing.root)
        self.routing.stat("sources/commoncrawl/index_pages")
        self.routing.stat("sources/commoncrawl/listed", len(captures))
        return captures

    def fallback(self, url: str) -> scrapy.Request:
        """The Wayback query for the newest capture of a blocked article of the site."""
        self.captures.open()
        self.routing.stat("sources/fallback/requested")
        path = urlsplit(url).path
        self.routing.logger.info("%s: blocked; reading its newest Wayback capture instead", url)
        return self._wayback_page(path, True, self.captures.open_listing(self._key(path), True))
