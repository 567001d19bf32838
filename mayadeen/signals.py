"""The project's own Scrapy signals: the one place a request the crawl gives up on without a
page to parse is reported.

A redirect off the site or around in a loop, and a request still waiting (for its ``Retry-After``,
a back-off or the download delay) when a shutdown cancels the wait: each is handed to
:func:`give_up` with its reason, which counts it (``mayadeen/given_up/<reason>``, shown in the run
manifest and summary) and sends the Scrapy signal :data:`request_given_up`. Whatever must become
of such a URL later (retrying it in a later run) connects to that signal; nothing else needs to
know where requests are given up.
"""

from typing import Final

from scrapy import Request
from scrapy.crawler import Crawler

REASONS: Final = {
    "redirect_offsite": "redirected off the site (another scheme, host or port)",
    "redirect_loop": "redirected in a loop, or more than REDIRECT_MAX_TIMES times",
    "shutdown": "still waiting to be sent (Retry-After, back-off) when the crawl shut down",
}
"""Why a request is given up → what that means, for docs and log lines."""

request_given_up: Final = object()
"""Scrapy signal sent by :func:`give_up`; handlers get ``request``, ``url`` (the URL first
requested, before any redirect) and ``reason`` (a key of :data:`REASONS`)."""


def first_url(request: Request) -> str:
    """The URL the spider asked for, before any redirect led to ``request``.

    >>> first_url(Request("https://a.example/b", meta={"redirect_urls": ["https://a.example/a"]}))
    'https://a.example/a'
    >>> first_url(Request("https://a.example/b"))
    'https://a.example/b'
    """
    redirected_from: list[str] = request.meta.get("redirect_urls") or []
    return redirected_from[0] if redirected_from else request.url


def give_up(crawler: Crawler, request: Request, reason: str) -> None:
    """Count ``request`` as given up for ``reason`` and tell whoever listens
    (:data:`request_given_up`). The caller logs it and drops the request."""
    assert reason in REASONS, reason
    assert crawler.stats is not None
    crawler.stats.inc_value(f"mayadeen/given_up/{reason}")
    crawler.signals.send_catch_log(
        signal=request_given_up, request=request, url=first_url(request), reason=reason
    )
