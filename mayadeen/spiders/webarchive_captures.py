"""What the ``articles`` spider does with the captures a web archive's index lists: which are
fetched, how each answer is settled, and where each listing's cursor stands. Routing only: which
captures a run fetches is ``mayadeen.webarchives.captures``, where a killed run resumes
``mayadeen.webarchives.cursor``; a capture's answer becomes the site's page in
``mayadeen.middlewares.webarchives`` and is read like a page of the site (``article_routes``). The
index pages themselves are ``mayadeen.spiders.webarchive_routes``.
"""

from collections.abc import Iterator
from typing import Any

import scrapy
from scrapy.http import Response
from scrapy.settings import BaseSettings
from twisted.python.failure import Failure

from mayadeen.crawl.frontier import Frontier
from mayadeen.items import CURSOR_META, ArticleItem
from mayadeen.run import Run
from mayadeen.site.urls import url_shape
from mayadeen.spiders.article_routes import ArticleRoutes
from mayadeen.spiders.routing import ARTICLE_PRIORITY, Routing, failure_reason
from mayadeen.store.origins import cursor as stored_cursor
from mayadeen.store.origins import same_bytes_later, stored_origins
from mayadeen.webarchives import commoncrawl, wayback
from mayadeen.webarchives.captures import ORIGIN_META, Capture, Newest, wanted
from mayadeen.webarchives.cursor import ListingCursor


def archive_url(settings: BaseSettings, name: str) -> str:
    """The archive's address in setting ``name``, without a trailing slash."""
    return str(settings[name]).strip().rstrip("/")


def archive_meta(via: str, **extra: Any) -> dict[str, Any]:
    """Requests to an archive: its own download slot (its pace), off the site's host."""
    return {"download_slot": via, "allow_offsite": True, "dont_obey_robotstxt": True, **extra}


def capture_location(settings: BaseSettings, capture: Capture) -> tuple[str, dict[str, str]]:
    """Where a capture's bytes are read: the Wayback replay, or Common Crawl's WARC file with the
    ``Range`` header of its record."""
    if capture.via == "wayback":
        return wayback.replay_url(archive_url(settings, "MAYADEEN_WAYBACK_URL"), capture), {}
    data = archive_url(settings, "MAYADEEN_COMMONCRAWL_DATA_URL")
    return commoncrawl.data_url(data, capture), {"Range": commoncrawl.record_range(capture)}


class WebArchiveCaptures:
    """The captures of a web archive's listings: requested, settled, and each listing's cursor
    kept in the store."""

    frontier: Frontier | None = None
    """The store's state, handed over by the spider once loaded (its start); with ``urls`` (no
    discovery) an empty one: which captures were requested, nothing more."""

    def __init__(self, routing: Routing, *, via: str, articles: ArticleRoutes) -> None:
        self.routing = routing
        self.via = via
        """The archive read: ``wayback`` or ``commoncrawl``."""
        self.articles = articles
        self.cursors: dict[str, ListingCursor] = {}
        self.newest: dict[str, Newest] = {}
        self.exact_listings: set[str] = set()
        """Listings of one URL each (``urls``, the fallback): fetched whatever is stored, and
        nothing to resume."""
        self.asked_fetched: set[str] = set()
        self.stored: dict[str, tuple[str, str | None]] | None = None
        """URL → the capture time and digest its stored article was read from (``open``)."""

    @property
    def context(self) -> Run:
        return Run.of(self.routing.crawler)

    def open(self) -> None:
        """Read what the store holds from captures, once, as the first index is asked for (the
        store is open by then): what this run stores later does not change what it fetches."""
        if self.stored is None:
            self.stored = stored_origins(self.context.writer.store.db)

    def _frontier(self) -> Frontier:
        if self.frontier is None:
            self.frontier = Frontier(known={})
        return self.frontier

    # -- listings ----------------------------------------------------------------------------

    def open_listing(self, listing: str, exact: bool) -> str | None:
        """Where an earlier run stopped reading ``listing`` (None: from the start)."""
        self.cursors[listing] = ListingCursor()
        self.newest[listing] = Newest()
        if exact:
            self.exact_listings.add(listing)
            return None
        resume = stored_cursor(self.context.writer.store.db, listing)
        if resume:
            self.routing.stat(f"sources/{self.via}/resumed")
            self.routing.logger.info(
                "%s: resuming where an earlier run stopped (%s)", listing, resume
            )
        return resume

    def listing_read(
        self, listing: str, page: str, found: list[tuple[Capture, str]], next_key: str | None
    ) -> Iterator[scrapy.Request]:
        """A page of ``listing`` was read: its captures requested, the cursor kept."""
        cursor = self.cursors[listing]
        cursor.page_read(page, next_key)
        for capture, began in found:
            reason = self._skip(capture, self._frontier(), listing in self.exact_listings)
            self.routing.stat(f"discovery/{capture.via}/{reason or 'new'}")
            if reason is not None:
                continue
            cursor.listed(began)  # out until settled; max_articles leaves it to the next run
            if not self.routing.quota.reached():
                yield self._request(capture, listing, began)
        self._save(listing)

    def _save(self, listing: str) -> None:
        if listing in self.exact_listings:
            return
        position = self.cursors[listing].position(self.newest[listing].pending)
        self.context.writer.save_cursor(listing, position or None)

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
        full = self.routing.arguments.full
        if not full and capture.url in frontier.non_articles:
            return "known_not_article"
        if capture.url in frontier.requested:
            return "seen"
        assert self.stored is not None
        if reason := wanted(capture, self.stored, full):
            if reason == "same_digest":  # as new as this capture now, with nothing fetched
                same_bytes_later(self.context.writer.store.db, capture.url, capture.captured_at)
            return reason
        frontier.requested.add(capture.url)
        return None

    def _request(self, capture: Capture, listing: str, page: str) -> scrapy.Request:
        url, headers = capture_location(self.routing.crawler.settings, capture)
        return scrapy.Request(
            url,
            headers=headers,
            callback=self.routing.callbacks.parse_capture,
            errback=self.routing.callbacks.capture_failed,
            priority=ARTICLE_PRIORITY,
            cb_kwargs={"listing": listing, "page": page},
            # The article read from it names them (its provenance): the cursor moves past a
            # capture only once its article is written.
            meta=archive_meta(self.via, **{ORIGIN_META: capture, CURSOR_META: (listing, page)}),
            dont_filter=True,
        )

    def parse_capture(self, response: Response, listing: str, page: str) -> Iterator[Any]:
        output = list(self.articles.parse_article(response))
        # Each article is settled when it leaves the pipelines (capture_item_done).
        items = [item for item in output if isinstance(item, ArticleItem) and item.url]
        yield from output
        if items:  # owed until stored, like an article page of the site
            self.context.owed.arrived([response.url], str(items[0].url))
        # A page left unread because max_articles was reached stays owed to the next run.
        elif output or not self.routing.quota.reached(self.routing.quota.in_pipelines):
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
        self.articles.fetch_failed(failure)
        request = failure.request  # type: ignore[attr-defined]
        capture: Capture = request.meta[ORIGIN_META]
        self.context.owed.fetch_failed(capture.url, f"{capture.via}: {failure_reason(failure)}")
        listing, page = request.cb_kwargs["listing"], request.cb_kwargs["page"]
        self.cursors[listing].settled(page)
        self._save(listing)
