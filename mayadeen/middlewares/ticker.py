"""The BREAKING ticker of every HTML page of the site a run receives, into the ``breaking`` table.

A spider middleware, closest to the callback (``SPIDER_MIDDLEWARES`` 950): it sees each page as
the callback does, once every downloader middleware has made it the site's page (a web archive's
capture included, seen at the capture's time, with the archive as its origin), and the tree it
parses is kept in the request's meta for the callback's extraction right after, so a page is
parsed once and no more than one tree waits at a time (parsed as the response was downloaded,
every response queued for the spider would hold its tree). Redirects, blocks and error statuses
are answers of no page: only a 200 HTML page of the site is read. Home page, listings, articles
and other pages alike: the ticker is on each, whatever the spider makes of it. A page our
archive kept is seen at its capture's time (``scrapy reextract`` rebuilds the table from the
captures). The lines are written through the run's store writer (``Run.of(crawler).writer``),
committed with its batches; the spider and the items know nothing of them.
"""

from typing import Self

from scrapy.crawler import Crawler
from scrapy.http import HtmlResponse, Request, Response

from mayadeen.items import CAPTURE_META
from mayadeen.pages.extract import kept_tree
from mayadeen.pages.ticker import read_ticker
from mayadeen.run import Run
from mayadeen.site.urls import site_root
from mayadeen.store.breaking import Sighting
from mayadeen.store.origins import SITE
from mayadeen.warc.index import captured_at
from mayadeen.warc.responses import seen_at
from mayadeen.webarchives.captures import INDEX_META, ORIGIN_META, Capture


class TickerMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        assert crawler.stats is not None
        self.crawler = crawler
        self.stats = crawler.stats
        self._run: Run | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def process_spider_input(self, response: Response) -> None:
        request = response.request
        if response.status != 200 or not isinstance(response, HtmlResponse) or request is None:
            return
        run = self._run = self._run or self.crawler.get_extension(Run)
        if run is None or not run.writer.connected or request.meta.get(INDEX_META):
            return
        if site_root(response.url) != run.root:
            return  # another host's page (a redirect refused later, an archive's own)
        lines = read_ticker(kept_tree(response, request.meta))  # kept for the extraction
        self.stats.inc_value("mayadeen/ticker/pages")
        if not lines:  # the selectors (mayadeen/site/ticker.py) may no longer fit the site
            self.stats.inc_value("mayadeen/ticker/pages_without")
            return
        self.stats.inc_value("mayadeen/ticker/lines_read", len(lines))
        run.writer.see_breaking(lines, sighting(request, response, self._now(request, run)))

    @staticmethod
    def _now(request: Request, run: Run) -> str:
        """The time of the page's capture when our archive kept it (the WARC-Date, to the
        second), so that ``scrapy reextract`` rebuilds the same sighting from the archive."""
        capture = request.meta.get(CAPTURE_META)
        if isinstance(capture, int) and (moment := captured_at(run.writer.store.db, capture)):
            return seen_at(moment)
        return run.writer.clock.now()


def sighting(request: Request, response: Response, now: str) -> Sighting:
    """Where and when the page was seen: the archive's capture time for an archived page."""
    capture = request.meta.get(ORIGIN_META)
    if isinstance(capture, Capture):
        return Sighting(response.url, capture.captured_at, capture.via)
    return Sighting(response.url, now, SITE)
