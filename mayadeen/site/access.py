"""How the site (and whatever CDN or bot protection sits in front of it) refuses a crawler, and
which URLs are pages a browser could render.

A **block** is a response that stands in for the page because the client was refused: HTTP 403,
or a challenge/interstitial page of a bot-protection vendor (with any status). The live site's
vendor is not known (../shared/site/README.md, "Access"), so the markers of the common ones are kept
here as data. A **content-less** page is an HTML page at an article-shaped URL with no article
markup at all, as served when the content is written by JavaScript.
"""

import re
from collections.abc import Mapping
from typing import Final
from urllib.parse import urlsplit

from scrapy.http import HtmlResponse, Response

from mayadeen.site.urls import is_article_url

BLOCK_STATUSES: Final = {403: "http_403"}
"""Statuses that mean "refused", and the kind a block with that status is counted as."""

CHALLENGE_TITLES: Final = tuple(
    re.compile(pattern)
    for pattern in (
        r"just a moment\.*",  # Cloudflare managed challenge
        r"attention required!?( \| cloudflare)?",  # Cloudflare captcha
        r"checking your browser.*",
        r"ddos-guard",
        r"one more step",
        r"please wait\.*",
        r"pardon our interruption.*",  # Imperva (Distil)
    )
)
"""Whole ``<title>`` texts (lower-case, whitespace collapsed) of pages that ask the client to prove
itself (JavaScript or captcha): a browser may get through."""

BLOCK_PAGE_TITLES: Final = tuple(
    re.compile(pattern)
    for pattern in (
        r"access denied( \| .*)?",  # Akamai, Cloudflare 1020
        r"request rejected",  # F5
        r"sucuri website firewall.*",
        r"you have been blocked",
        r"error 1020.*",
    )
)
"""Whole ``<title>`` texts of pages that refuse outright, whatever their status."""

CHALLENGE_MARKERS: Final = (
    b"challenge-running",
    b"challenge-platform",  # /cdn-cgi/challenge-platform/
    b"cf-chl",
    b"_cf_chl_opt",
    b"cf_chl_",
    b"cf-browser-verification",
    b"_chl_opt",
    b"checking your browser before accessing",
    b"ddos-guard",
    b"sucuri_cloudproxy_js",
    b"sucuri website firewall",
    b"_incapsula_resource",
    b"incapsula incident id",
    b"errors.edgesuite.net",  # Akamai's block page
    b"captcha-delivery.com",  # DataDome
    b"px-captcha",  # PerimeterX / HUMAN
)
"""Byte strings (lower-case) found in the markup of challenge pages and never in an article."""

CHALLENGE_HEADERS: Final = {"cf-mitigated": "challenge"}
"""Response headers (lower-case name → lower-case value) that announce a challenge."""

ARTICLE_MARKUP: Final = (b"tawsiyat", b"application/ld+json", b"<article", b"<h1")
"""Byte strings (lower-case) of which an article page has at least one."""

ARTICLE_DATA: Final = (b"tawsiyat", b"application/ld+json")
"""Byte strings (lower-case) of the machine-readable article data no challenge page carries."""

SCAN_BYTES: Final = 64 * 1024
"""Markers are looked for in the first this many bytes: challenge pages are small."""

NO_BROWSER_PATHS: Final = re.compile(r"^/(robots\.txt|rss(/.*)?|feed(/.*)?|sitemaps?/.*|.*\.xml)$")
"""Paths that are never rendered in a browser: robots.txt, RSS and sitemaps."""

_TITLE = re.compile(rb"<title[^>]*>(.*?)</title", re.IGNORECASE | re.DOTALL)


def _any_of(markers: tuple[bytes, ...]) -> re.Pattern[bytes]:
    """One case-insensitive search for any of ``markers``: it stops at the first found and
    copies nothing (lowering a whole page, several times per response, cost a crawl CPU: see
    docs/benchmarks.md)."""
    return re.compile(b"|".join(re.escape(marker) for marker in markers), re.IGNORECASE)


_ARTICLE_MARKUP = _any_of(ARTICLE_MARKUP)
_ARTICLE_DATA = _any_of(ARTICLE_DATA)
_CHALLENGE_MARKERS = _any_of(CHALLENGE_MARKERS)


def page_title(body: bytes) -> str:
    """The ``<title>`` text, lower-case with whitespace collapsed, or ``""``.

    >>> page_title(b"<html><head><title> Just a\\n moment...</title>")
    'just a moment...'
    """
    match = _TITLE.search(body, 0, SCAN_BYTES)
    return " ".join(match[1].decode("utf-8", "replace").split()).lower() if match else ""


def has_article_markup(body: bytes) -> bool:
    """Whether a page has any article markup: tawsiyat, JSON-LD, ``<article>`` or ``<h1>``.

    >>> has_article_markup(b'<html><body><h1 class="title">A</h1></body></html>')
    True
    >>> has_article_markup(b'<html><body><div id="app">Loading...</div></body></html>')
    False
    """
    return _ARTICLE_MARKUP.search(body) is not None


def is_challenge(body: bytes, headers: Mapping[str, str] | None = None) -> bool:
    """Whether a body (or a header) looks like a bot-protection challenge or block page.

    >>> is_challenge(b"<title>Just a moment...</title><div id='challenge-running'></div>")
    True
    >>> is_challenge(b"<title>Access denied: the report | Al Mayadeen English</title><h1>x</h1>")
    False
    >>> is_challenge(b"", {"cf-mitigated": "challenge"})
    True
    """
    for name, value in (headers or {}).items():
        if CHALLENGE_HEADERS.get(name.lower()) == value.strip().lower():
            return True
    if any(pattern.fullmatch(page_title(body)) for pattern in CHALLENGE_TITLES):
        return True
    return _CHALLENGE_MARKERS.search(body, 0, SCAN_BYTES) is not None


def block_kind(status: int, body: bytes, headers: Mapping[str, str] | None = None) -> str | None:
    """The kind of block a response is, or None when it is not one: ``challenge`` (a page asking
    the client to prove itself), ``http_403``, or ``block_page`` (a refusal page with another
    status).

    A challenge page is recognised whatever its status; a 200 page that carries article data
    (tawsiyat, JSON-LD) is never one, so an article that mentions a vendor is not a block.

    >>> block_kind(403, b"<h1>Access denied</h1><p>You have been blocked.</p>")
    'http_403'
    >>> block_kind(503, b"<title>Just a moment...</title>")
    'challenge'
    >>> block_kind(200, b"<html><head><title>Just a moment...</title></head><h1>Checking</h1>")
    'challenge'
    >>> block_kind(200, b'<h1>DDoS-Guard explained</h1><script type="text/tawsiyat">{}</script>')
    >>> block_kind(200, b"<html><head><title>Access Denied</title></head><body>Ref 18</body>")
    'block_page'
    >>> block_kind(503, b"<h1>Error 503</h1>") is None
    True
    """
    no_article = status != 200 or _ARTICLE_DATA.search(body) is None
    if no_article and is_challenge(body, headers):
        return "challenge"
    if status in BLOCK_STATUSES:
        return BLOCK_STATUSES[status]
    if no_article and any(pattern.fullmatch(page_title(body)) for pattern in BLOCK_PAGE_TITLES):
        return "block_page"
    return None


def is_contentless(url: str, status: int, body: bytes) -> bool:
    """Whether a 200 page at an article-shaped URL has no article markup at all (JavaScript shell).

    >>> is_contentless("https://english.almayadeen.net/news/politics/x", 200,
    ...                b'<html><body><div id="app">Loading...</div><script>x()</script></body></html>')
    True
    >>> is_contentless("https://english.almayadeen.net/news/politics", 200, b"<html></html>")
    False
    """
    return status == 200 and is_article_url(url) and not has_article_markup(body)


def response_headers(response: Response) -> dict[str, str]:
    """A response's headers as lower-case names to their first value, decoded."""
    return {
        name.decode("latin-1").lower(): (values[0] if values else b"").decode("latin-1")
        for name, values in response.headers.items()
    }


def response_block_kind(response: Response) -> str | None:
    """:func:`block_kind` of a Scrapy response."""
    return block_kind(response.status, response.body, response_headers(response))


def response_is_contentless(response: Response) -> bool:
    """:func:`is_contentless` of a Scrapy response; only HTML responses can be."""
    return isinstance(response, HtmlResponse) and is_contentless(
        response.url, response.status, response.body
    )


def wants_browser(url: str) -> bool:
    """Whether a URL is a page a browser may render (not robots.txt, RSS or a sitemap).

    >>> [wants_browser(f"https://english.almayadeen.net{path}") for path in
    ...  ("/news/politics/x", "/", "/robots.txt", "/rss", "/sitemaps/all.xml", "/sitemap-2024-1.xml")]
    [True, True, False, False, False, False]
    """
    return not NO_BROWSER_PATHS.match(urlsplit(url).path or "/")


__all__ = [
    "ARTICLE_DATA",
    "ARTICLE_MARKUP",
    "BLOCK_PAGE_TITLES",
    "BLOCK_STATUSES",
    "CHALLENGE_HEADERS",
    "CHALLENGE_MARKERS",
    "CHALLENGE_TITLES",
    "NO_BROWSER_PATHS",
    "block_kind",
    "has_article_markup",
    "is_challenge",
    "is_contentless",
    "page_title",
    "response_block_kind",
    "response_headers",
    "response_is_contentless",
    "wants_browser",
]
