"""Redirects stay on the site: a redirect (HTTP 3xx or meta refresh) to another host is not
followed. Scrapy's OffsiteMiddleware lets such redirects through for requests with
``dont_filter=True`` (as the spider's ``urls`` requests are), so this checks every redirected
request against ``MAYADEEN_BASE_URL`` itself."""

import logging

from scrapy import Request
from scrapy.crawler import Crawler

from mayadeen.middlewares import AlreadyReported
from mayadeen.site.access import on_site
from mayadeen.site.urls import site_root

logger = logging.getLogger(__name__)


class OffsiteRedirect(AlreadyReported):
    """A redirect pointed off the site; it was not followed."""


class OnSiteRedirectMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.root = site_root(crawler.settings.get("MAYADEEN_BASE_URL"))

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "OnSiteRedirectMiddleware":
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        redirected_from = request.meta.get("redirect_urls")
        if not redirected_from or on_site(request.url, self.root):
            return
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value("mayadeen/redirects/offsite")
        logger.warning(
            "%s: redirects off the site to %s; not followed", redirected_from[0], request.url
        )
        raise OffsiteRedirect(f"redirect off the site to {request.url}")
