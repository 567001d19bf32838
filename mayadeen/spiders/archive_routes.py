"""What the ``articles`` spider does with ``-a via=wayback|commoncrawl``: the archive's index pages
become requests for the captures to fetch. Routing only: the queries and their answers are
``mayadeen.sources``, which captures a run fetches ``mayadeen.sources.captures``; the capture's
answer becomes the site's page in ``mayadeen.middlewares.archive_sources`` and is read by the
spider's ``parse_article`` like a page of the site.
"""

from collections.abc import Iterable, Iterator
from typing import Any

import scrapy
from scrapy.http import Response
from twisted.python.failure import Failure

from mayadeen.crawl.frontier import Frontier
from mayadeen.site.archives import index_prefixes
from mayadeen.site.urls import site_root, url_shape
from mayadeen.sources import commoncrawl, wayback
from mayadeen.sources.captures import ORIGIN_META, Capture, Newest, wanted
from mayadeen.spiders.discovery_routes import ARTICLE_PRIORITY, DiscoveryRoutes
from mayadeen.store.origins import cursor, save_cursor, stored_origins

INDEX_PRIORITY = -10
"""Index pages after the captures already listed: a page is read on once its captures are sent,
so the cursor kept one page behind covers every capture not yet fetched."""


class ArchiveRoutes(DiscoveryRoutes):
    """The archive half of the ``articles`` spider (a base class: it has no ``name``)."""

    via: str
    urls_argument: str | None

    def _archive(self, name: str) -> str:
        return site_root(self.settings[name]) + _path(self.settings[name])

    def _meta(self, **extra: Any) -> dict[str, Any]:
        """Requests to an archive: its own download slot (its pace), off the site's host."""
        return {
            "download_slot": self.via,
            "allow_offsite": True,
            "dont_obey_robotstxt": True,
            **extra,
        }

    def _archive_starts(self, exact: list[str] | None = None) -> Iterator[scrapy.Request]:
        """The first index requests: per article path prefix, or each of ``exact`` URL paths."""
        self.stored = stored_origins(self.context.store.db)
        self.listings: dict[str, Newest] = {}
        if exact is not None:
            queries = [(path, True) for path in exact]
        else:
            queries = [(prefix, False) for prefix in index_prefixes(self.arguments.sections)]
        if self.via == "wayback":
            for path, is_exact in queries:
                resume = None if is_exact else cursor(self.context.store.db, self._key(path))
                if resume:
                    self.stat("sources/wayback/resumed")
                yield self._wayback_page(path, is_exact, resume, behind=resume)
        else:
            yield scrapy.Request(
                self._archive("MAYADEEN_COMMONCRAWL_INDEX_URL") + "/collinfo.json",
                callback=self.parse_collinfo,
                errback=self.discovery_failed,
                cb_kwargs={"kind": "commoncrawl-collinfo", "queries": queries},
                meta=self._meta(),
                dont_filter=True,
            )

    def _key(self, path: str, collection: str = "") -> str:
        """A listing's cursor is kept per archive, crawl, prefix and ``since``."""
        return f"{self.via}:{collection}:{path}:{self.arguments.since or ''}"

    # -- the Wayback Machine -----------------------------------------------------------------

    def _wayback_page(
        self, path: str, exact: bool, resume: str | None, behind: str | None = None
    ) -> scrapy.Request:
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
            cb_kwargs={
                "kind": "wayback-index",
                "path": path,
                "exact": exact,
                "resume": resume,
                "behind": behind,
            },
            meta=self._meta(),
            dont_filter=True,
        )

    def parse_wayback_index(
        self,
        response: Response,
        kind: str,
        path: str,
        exact: bool,
        resume: str | None,
        behind: str | None,
    ) -> Iterator[scrapy.Request]:
        page = wayback.read_page(response.body, self.root)
        self.stat("sources/wayback/index_pages")
        self.stat("sources/wayback/listed", len(page.captures))
        newest = self.listings.setdefault(self._key(path), Newest())
        yield from self._captures(newest.feed(page.captures))
        if not exact:  # where a killed run resumes: the page before, whose captures are sent
            save_cursor(self.context.store.db, self._key(path), behind, self.context.clock.now())
        if page.resume_key and not self.max_reached():
            yield self._wayback_page(path, exact, page.resume_key, resume)
            return
        yield from self._captures(newest.end())
        if not exact and not self.max_reached():
            save_cursor(self.context.store.db, self._key(path), None, "")

    # -- Common Crawl ------------------------------------------------------------------------

    def parse_collinfo(
        self, response: Response, kind: str, queries: list[tuple[str, bool]]
    ) -> Iterator[scrapy.Request]:
        crawls = commoncrawl.read_collinfo(
            response.body, self.arguments.since, self.settings.getint("MAYADEEN_COMMONCRAWL_CRAWLS")
        )
        self.stat("sources/commoncrawl/crawls", len(crawls))
        for crawl in crawls:  # newest first: a URL's newest capture is met first
            for path, is_exact in queries:
                start = (
                    0
                    if is_exact
                    else int(cursor(self.context.store.db, self._key(path, crawl.id)) or 0)
                )
                yield self._cc_page(crawl, path, is_exact, start)

    def _cc_page(
        self, crawl: commoncrawl.Crawl, path: str, exact: bool, page: int
    ) -> scrapy.Request:
        url = commoncrawl.query_url(crawl, self.root, path, self.arguments.since, page)
        if exact:
            url = url.replace(f"{path}%2A&", f"{path}&")
        return scrapy.Request(
            url,
            callback=self.parse_cc_index,
            errback=self.discovery_failed,
            priority=INDEX_PRIORITY,
            cb_kwargs={
                "kind": "commoncrawl-index",
                "crawl": crawl,
                "path": path,
                "exact": exact,
                "page": page,
            },
            # 404: no captures; 400: past the last page (cdx_toolkit's get_for_iter).
            meta=self._meta(handle_httpstatus_list=[400, 404]),
            dont_filter=True,
        )

    def parse_cc_index(
        self,
        response: Response,
        kind: str,
        crawl: commoncrawl.Crawl,
        path: str,
        exact: bool,
        page: int,
    ) -> Iterator[scrapy.Request]:
        key = self._key(path, crawl.id)
        if response.status in (400, 404):
            if not exact:
                save_cursor(self.context.store.db, key, None, "")
            return
        captures = commoncrawl.read_page(response.body, crawl, self.root)
        self.stat("sources/commoncrawl/index_pages")
        self.stat("sources/commoncrawl/listed", len(captures))
        newest = Newest()
        yield from self._captures([*newest.feed(captures), *newest.end()])
        if not exact:
            save_cursor(self.context.store.db, key, str(max(page - 1, 0)), self.context.clock.now())
        if captures and not exact and not self.max_reached():
            yield self._cc_page(crawl, path, exact, page + 1)

    # -- captures ----------------------------------------------------------------------------

    def _captures(self, captures: Iterable[Capture]) -> Iterator[scrapy.Request]:
        assert self.frontier is not None
        for capture in captures:
            reason = self._skip(capture, self.frontier)
            self.stat(f"discovery/{capture.via}/{reason or 'new'}")
            if reason is None and not self.max_reached():
                yield self._capture_request(capture)

    def _skip(self, capture: Capture, frontier: Frontier) -> str | None:
        """Why a listed capture is not fetched (None: it is)."""
        full = self.arguments.full or self.urls_argument is not None
        if url_shape(capture.url) not in {"article", "unknown"}:
            return "not_article"
        if not full and capture.url in frontier.non_articles:
            return "known_not_article"
        if capture.url in frontier.requested:
            return "seen"
        if not wanted(capture, self.stored, full):
            return "archived"  # stored from this capture, or a newer one
        frontier.requested.add(capture.url)
        return None

    def _capture_request(self, capture: Capture) -> scrapy.Request:
        if capture.via == "wayback":
            url = wayback.replay_url(self._archive("MAYADEEN_WAYBACK_URL"), capture)
            headers = {}
        else:
            url = commoncrawl.data_url(self._archive("MAYADEEN_COMMONCRAWL_DATA_URL"), capture)
            headers = {"Range": commoncrawl.record_range(capture)}
        return scrapy.Request(
            url,
            headers=headers,
            callback=self.parse_article,
            errback=self.capture_failed,
            priority=ARTICLE_PRIORITY,
            meta=self._meta(**{ORIGIN_META: capture}),
            dont_filter=True,
        )

    def capture_failed(self, failure: Failure) -> None:
        self.fetch_failed(failure)


def _path(url: str) -> str:
    """An archive address's path, without its trailing ``/`` (a loopback copy lives under one)."""
    from urllib.parse import urlsplit

    return urlsplit(str(url).strip()).path.rstrip("/")
