"""Browser rendering with scrapy-playwright, installed by :class:`mayadeen.addons.AccessAddon`
when ``MAYADEEN_BROWSER`` is ``always`` or ``fallback`` (never imported when it is ``off``).

``always``: every page request (not robots.txt, sitemaps or RSS) is rendered in Chromium.
``fallback``: a page that came back blocked or content-less over plain HTTP is requested once
more through Chromium; what that gives goes on to the block middleware like any response.
"""

import logging
from typing import Any

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.http import Response

from mayadeen.crawl.configuration import BROWSER_MODES
from mayadeen.site.access import response_block_kind, response_is_contentless, wants_browser

logger = logging.getLogger(__name__)
MODES = BROWSER_MODES
FALLBACK_META = "mayadeen_browser_fallback"
"""Request meta key: why a request was sent again through the browser."""
NEEDLESS_RESOURCES = frozenset({"image", "media", "font", "stylesheet"})


def browser_mode(value: Any) -> str:
    """``MAYADEEN_BROWSER`` checked: one of ``off``, ``fallback``, ``always``.

    >>> browser_mode(" Fallback ")
    'fallback'
    >>> browser_mode(None)
    'off'
    """
    mode = str(value or "off").strip().lower()
    if mode not in MODES:
        raise ValueError(f"MAYADEEN_BROWSER={value!r}: expected one of {', '.join(MODES)}")
    return mode


async def skip_needless_resource(request: Any) -> bool:
    """``PLAYWRIGHT_ABORT_REQUEST``: images, media, fonts and styles are never fetched; the
    article is in the document and its scripts."""
    return bool(request.resource_type in NEEDLESS_RESOURCES)


class BrowserMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.mode = browser_mode(crawler.settings.get("MAYADEEN_BROWSER"))

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "BrowserMiddleware":
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        if self.mode == "always" and wants_browser(request.url):
            request.meta.setdefault("playwright", True)

    def process_response(self, request: Request, response: Response) -> Request | Response:
        reason = response_block_kind(response) or (
            "contentless" if response_is_contentless(response) else None
        )
        if request.meta.get("playwright"):
            if request.meta.get(FALLBACK_META) and reason is None:
                self._count("mayadeen/browser/recovered")
            return response
        if self.mode != "fallback" or reason is None or not wants_browser(request.url):
            return response
        self._count("mayadeen/browser/requests")
        self._count(f"mayadeen/browser/fallback/{reason}")
        logger.info("%s: %s over HTTP; trying again in the browser", request.url, reason)
        return request.replace(
            meta={**request.meta, "playwright": True, FALLBACK_META: reason}, dont_filter=True
        )

    def _count(self, key: str) -> None:
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value(key)
