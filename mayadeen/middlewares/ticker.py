"""The BREAKING ticker of every HTML page of the site a run receives, into the ``breaking`` table.

Placed below the web-archive middleware (597) and the decompression (590) in the chain of
responses, so it reads the page as the site sent it, an archived capture's included (seen at the
capture's time, with the archive as its origin); above the retries (550). Redirects, blocks and
error statuses are answers of no page: only a 200 HTML page of the site is read. Home page,
listings, articles and other pages alike: the ticker is on each, whatever the spider makes of it.
A page our archive kept is seen at its capture's time (``scrapy reextract`` rebuilds the table
from the captures). The lines are written through the run's store writer (``Run.of(crawler).writer``), committed with
its batches; the spider and the items know nothing of them.
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

    def process_response(self, request: Request, response: Response) -> Response:
        if response.status != 200 or not isinstance(response, HtmlResponse):
            return response
        run = self._run = self._run or self.crawler.get_extension(Run)
        if run is None or not run.writer.connected or request.meta.get(INDEX_META):
            return response
        if site_root(response.url) != run.root:
            return response  # another host's page (a redirect refused later, an archive's own)
        lines = read_ticker(kept_tree(response, request.meta))  # the tree kept for the page's extraction
        self.stats.inc_value("mayadeen/ticker/pages")
        if not lines:  # the selectors (mayadeen/site/ticker.py) may no longer fit the site
            self.stats.inc_value("mayadeen/ticker/pages_without")
            return response
        self.stats.inc_value("mayadeen/ticker/lines_read", len(lines))
        run.writer.see_breaking(lines, sighting(request, response, self._now(request, run)))
        return response

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
