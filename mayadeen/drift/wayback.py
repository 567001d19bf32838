"""The canary's and ``scrapy record``'s pages read from the Wayback Machine (``--via wayback``):
each page's newest capture (HTML, status 200), and with ``--sample N`` the newest captures of N
other articles. The first look at the real site's markup for a user whose address the site blocks,
and the first thing to run before a first live crawl (docs/drift.md).

The index query and the replay go through the project's downloader like any page (politeness,
Retry-After, retries); ``mayadeen.middlewares.webarchives`` gives the replay its page's URL.
"""

from collections.abc import AsyncIterator, Iterator, Sequence
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy.http import Response
from twisted.python.failure import Failure

from mayadeen.drift.expectations import NO_CAPTURE
from mayadeen.drift.fetch import Fetched, PageFetcher
from mayadeen.site.urls import site_root, url_shape
from mayadeen.site.webarchives import index_prefixes
from mayadeen.webarchives import wayback
from mayadeen.webarchives.captures import INDEX_META, ORIGIN_META, Capture

SAMPLE_LISTED = 20
"""Captures listed per sampled page wanted: the tail of each prefix's listing (``limit=-N``)."""


class WaybackPageFetcher(PageFetcher):
    """``PageFetcher`` over the newest Wayback capture of each URL, and ``sample`` more."""

    name = "mayadeen-wayback-pages"

    def __init__(
        self,
        urls: Sequence[str] = (),
        results: dict[str, Fetched] | None = None,
        sample: int = 0,
        **kwargs: Any,
    ) -> None:
        super().__init__(urls, results, **kwargs)
        self.sample = sample
        self._pool: dict[str, Capture] = {}
        self._sampling = 0

    @property
    def _wayback(self) -> str:
        return str(self.settings["MAYADEEN_WAYBACK_URL"]).strip().rstrip("/")

    @property
    def _root(self) -> str:
        return site_root(self.settings["MAYADEEN_BASE_URL"])

    def _index(self, path: str, exact: bool, limit: int, **kwargs: Any) -> scrapy.Request:
        url = wayback.query_url(self._wayback, self._root, path, None, limit, exact=exact)
        return scrapy.Request(
            url,
            dont_filter=True,
            meta={"allow_offsite": True, "download_slot": "wayback", INDEX_META: True},
            **kwargs,
        )

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for url in self.urls:
            # limit=-1: the last row, the URL's newest capture (the CDX server's negative limit).
            yield self._index(
                urlsplit(url).path,
                True,
                -1,
                callback=self.listed,
                errback=self.failed,
                cb_kwargs={"requested": url},
            )
        if self.sample > 0:
            for prefix in index_prefixes(()):
                self._sampling += 1
                yield self._index(
                    prefix,
                    False,
                    -self.sample * SAMPLE_LISTED,
                    callback=self.sampled,
                    errback=self.sample_failed,
                )

    def _replay(self, capture: Capture, requested: str) -> scrapy.Request:
        return scrapy.Request(
            wayback.replay_url(self._wayback, capture),
            callback=self.fetched,
            errback=self.failed,
            dont_filter=True,
            cb_kwargs={"requested": requested},
            meta={"allow_offsite": True, "download_slot": "wayback", ORIGIN_META: capture},
        )

    def listed(self, response: Response, requested: str) -> Iterator[scrapy.Request]:
        captures = wayback.read_page(response.body, self._root).captures
        if not captures:
            self.results[requested] = Fetched(requested, failure=NO_CAPTURE)
            return
        yield self._replay(max(captures, key=lambda c: c.timestamp), requested)

    def sampled(self, response: Response) -> Iterator[scrapy.Request]:
        for capture in wayback.read_page(response.body, self._root).captures:
            if url_shape(capture.url) != "article" or capture.url in self.urls:
                continue
            known = self._pool.get(capture.url)
            if known is None or capture.timestamp > known.timestamp:
                self._pool[capture.url] = capture
        yield from self._sample_done()

    def sample_failed(self, failure: Failure) -> Iterator[scrapy.Request]:
        self.logger.error("wayback: sample index not read: %s", failure.value)
        yield from self._sample_done()

    def _sample_done(self) -> Iterator[scrapy.Request]:
        self._sampling -= 1
        if self._sampling > 0:
            return
        newest = sorted(self._pool.values(), key=lambda c: c.timestamp, reverse=True)
        for capture in newest[: self.sample]:
            yield self._replay(capture, capture.url)


def page_fetcher(via: str) -> type[PageFetcher]:
    """The spider that fetches the canary's and ``scrapy record``'s pages ``via`` the site or
    the Wayback Machine."""
    return WaybackPageFetcher if via == "wayback" else PageFetcher
