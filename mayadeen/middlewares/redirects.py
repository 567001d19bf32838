"""Redirects stay on the site: Scrapy's redirect middlewares (HTTP 3xx and meta refresh), with
every redirect checked before it is followed.

A capture's Wayback replay may redirect to another replay on the archive (the capture it holds
nearest to the time asked): followed, the page's origin being that capture; a capture's request
that redirects anywhere else (the live site) is refused as off the archive. Any other redirect is
followed only to the site itself, by scheme, host and port (``on_site`` in
``mayadeen/site/origin.py``, against ``MAYADEEN_BASE_URL``): a page on the same host but another
port or scheme is another site's and must never be stored as ours. A redirect back to a URL the
request already went through, or one more than ``REDIRECT_MAX_TIMES``, is a loop. Either is given
up loudly: one WARNING naming both URLs, a counter (``mayadeen/redirects/offsite``,
``mayadeen/redirects/loop``) and :func:`mayadeen.signals.give_up`. Scrapy itself
would drop them at DEBUG level (its offsite filter, its duplicate filter, "max redirections
reached"), and OffsiteMiddleware even lets off-site redirects through for ``dont_filter``
requests (the spider's ``urls``).
"""

import logging
import re
from collections.abc import Callable
from dataclasses import replace
from typing import Self

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.redirect import (
    BaseRedirectMiddleware,
    MetaRefreshMiddleware,
    RedirectMiddleware,
)
from scrapy.exceptions import IgnoreRequest

from mayadeen.middlewares import GivenUp
from mayadeen.signals import first_url, give_up
from mayadeen.site.origin import on_site
from mayadeen.site.urls import site_root
from mayadeen.webarchives.captures import ORIGIN_META, Capture

logger = logging.getLogger(__name__)
_REPLAY = re.compile(r"/web/(\d{14})id_/")


def replay_timestamp(url: str) -> str | None:
    """The capture time a Wayback replay URL names.

    >>> replay_timestamp("https://web.archive.org/web/20240102030405id_/https://h/news/a")
    '20240102030405'
    """
    match = _REPLAY.search(url)
    return match[1] if match else None


def archive_redirect(request: Request, redirected: Request) -> bool:
    """Whether a capture's replay redirects to another replay on the same archive (the Wayback
    Machine answers a capture's time with the nearest capture it holds): followed."""
    capture = request.meta.get(ORIGIN_META)
    return (
        isinstance(capture, Capture)
        and site_root(redirected.url) == site_root(request.url)
        and replay_timestamp(redirected.url) is not None
    )


class OffsiteRedirect(GivenUp):
    """A redirect pointed off the site; it was not followed."""


class RedirectLoop(GivenUp):
    """A redirect led back where the request had been, or too many redirects in a row."""


class RedirectGuard:
    """The check both redirect middlewares make before following a redirect."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.root = site_root(crawler.settings.get("MAYADEEN_BASE_URL"))

    def follow(
        self, redirected: Request, request: Request, redirect: Callable[[], Request]
    ) -> Request:
        """``redirect()`` (Scrapy's following of the redirect) if ``redirected`` stays on the
        site and is no loop; else the request is given up."""
        within_archive = archive_redirect(request, redirected)
        # A capture's replay that redirects out of the archive (to the live site) is refused: its
        # page would be recorded as the archive's capture though the site served it.
        reading_capture = isinstance(request.meta.get(ORIGIN_META), Capture)
        allowed = within_archive if reading_capture else on_site(redirected.url, self.root)
        if not allowed:
            self._give_up(
                request, "offsite", "redirects off the site to %s; not followed", redirected
            )
            raise OffsiteRedirect(f"redirect off the site to {redirected.url}")
        if redirected.url in {*request.meta.get("redirect_urls", ()), request.url}:
            self._give_up(request, "loop", "redirects in a loop (back to %s); given up", redirected)
            raise RedirectLoop(f"redirect loop at {redirected.url}")
        try:
            followed = redirect()
        except IgnoreRequest:  # Scrapy's "max redirections reached"
            self._give_up(
                request,
                "loop",
                "redirected more than REDIRECT_MAX_TIMES times (last to %s); given up",
                redirected,
            )
            raise RedirectLoop(f"too many redirects at {redirected.url}") from None
        if within_archive:  # the replay of another capture: the page's origin is that one
            capture = request.meta[ORIGIN_META]
            followed.meta[ORIGIN_META] = replace(
                capture, timestamp=replay_timestamp(redirected.url) or capture.timestamp
            )
        return followed

    def _give_up(self, request: Request, kind: str, message: str, redirected: Request) -> None:
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value(f"mayadeen/redirects/{kind}")
        logger.warning("%s: " + message, first_url(request), redirected.url)
        give_up(self.crawler, request, f"redirect_{kind}")


class GuardedRedirects(BaseRedirectMiddleware):
    """What both of Scrapy's redirect middlewares get: every hop checked by a ``RedirectGuard``
    before it is followed."""

    guard: RedirectGuard

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        middleware = super().from_crawler(crawler)
        middleware.guard = RedirectGuard(crawler)
        return middleware

    def _redirect(self, redirected: Request, request: Request, reason: object) -> Request:
        return self.guard.follow(
            redirected,
            request,
            lambda: super(GuardedRedirects, self)._redirect(
                redirected,
                request,
                reason,
            ),
        )


class OnSiteRedirectMiddleware(GuardedRedirects, RedirectMiddleware):
    """Scrapy's RedirectMiddleware (HTTP 3xx), following redirects on the site only."""


class OnSiteMetaRefreshMiddleware(GuardedRedirects, MetaRefreshMiddleware):
    """Scrapy's MetaRefreshMiddleware, following refreshes on the site only."""
