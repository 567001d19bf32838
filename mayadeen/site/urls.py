"""The site's hosts and URL rules: canonical URLs, and what a URL alone says of a page (its shape:
an article or not; its section and content type). What the page says of itself decides
(``mayadeen.site.page_kinds``)."""

import re
from functools import lru_cache
from typing import Final
from urllib.parse import quote, urljoin, urlsplit
from zoneinfo import ZoneInfo

from mayadeen.site.sections import ARTICLE_SECTIONS, SECTION_SPELLINGS, SECTIONS_UNDER

LIVE_ROOT: Final = "https://english.almayadeen.net"
TIMEZONE: Final = ZoneInfo("Asia/Beirut")
"""The zone of the times the site states without an offset (meta tags, the visible date)."""
LIVE_HOSTS: Final = frozenset({"english.almayadeen.net", "www.english.almayadeen.net"})

_PERCENT_ESCAPE = re.compile(r"%([0-9A-Fa-f]{2})")
_PATH_NEEDS_WORK = re.compile(r"[^A-Za-z0-9\-._~!$&'()*+,;=:@/]|/$")
_BARE_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")
# RFC 3986 pchar minus "%": characters a path may hold unescaped.
_PATH_LEGAL = frozenset(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~!$&'()*+,;=:@"
)


def normalize_path(path: str) -> str:
    """A URL path with escapes of legal characters decoded, other escapes upper-cased, illegal
    characters escaped and trailing ``/`` removed.

    >>> normalize_path("/news/politics/lukashenko%3a-belarusian-troops/")
    '/news/politics/lukashenko:-belarusian-troops'
    >>> normalize_path("/a%2fb/caf%c3%a9 bar/100%")
    '/a%2Fb/caf%C3%A9%20bar/100%25'
    >>> normalize_path("/")
    ''
    """

    if not _PATH_NEEDS_WORK.search(path):
        return path  # the usual case, already canonical

    def decode_legal(match: re.Match[str]) -> str:
        char = chr(int(match.group(1), 16))
        return char if char in _PATH_LEGAL else "%" + match.group(1).upper()

    path = _PERCENT_ESCAPE.sub(decode_legal, path)
    path = _BARE_PERCENT.sub("%25", path)
    path = quote(path, safe="".join(_PATH_LEGAL) + "/%")
    return path.rstrip("/")


# -- URLs --------------------------------------------------------------------------------------

# First path segment of pages that are never articles, and the kind they are counted as.
NON_ARTICLE_PREFIXES: Final = {
    "videos": "video",
    "infographs": "infograph",
    "in-pictures": "gallery",
    "newscast": "video",
    "authors": "author",
    "tag": "listing",
    "coverage": "listing",
    "region": "listing",
    "live": "page",
    "search": "listing",
    "sitemaps": "page",
    "rss": "page",
}


def site_root(base_url: str) -> str:
    """The scheme and host of ``MAYADEEN_BASE_URL``, lower-case, without a trailing ``/``.

    >>> site_root("HTTPS://English.Almayadeen.net/")
    'https://english.almayadeen.net'
    >>> site_root("http://127.0.0.1:8123")
    'http://127.0.0.1:8123'
    """
    parts = urlsplit(base_url.strip())
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}"


def canonical_url(href: str, root: str, page_url: str | None = None) -> str | None:
    """The contract's canonical form of a link on the site, or None for an off-site or bad link.

    Links to the live host are moved onto ``root`` so that a crawl of a copy stays on the copy.

    >>> root = "https://english.almayadeen.net"
    >>> canonical_url("HTTP://English.Almayadeen.net/news/politics/a%3Ab/?utm_source=x#c", root)
    'https://english.almayadeen.net/news/politics/a:b'
    >>> canonical_url("/news/politics/x", "http://127.0.0.1:8123")
    'http://127.0.0.1:8123/news/politics/x'
    >>> canonical_url("https://twitter.com/x", root) is None
    True
    """
    href = href.strip()
    try:
        absolute = (
            href if href.startswith(("https://", "http://")) else urljoin(page_url or root, href)
        )
    except ValueError:  # an unparsable port or IPv6 literal
        return None
    return _canonical_absolute(absolute, root)


@lru_cache(maxsize=4096)
def _canonical_absolute(absolute: str, root: str) -> str | None:
    """``canonical_url`` of an absolute URL: cached, since a page's links, its item's fields and
    their validation ask for the same URLs again and again (the site's menus repeat on every
    page), and a listing names hundreds of links."""
    try:
        parts = urlsplit(absolute)
        host = (parts.hostname or "").lower()
    except ValueError:  # an unparsable port or IPv6 literal
        return None
    if parts.scheme.lower() not in {"http", "https"}:
        return None
    if host not in LIVE_HOSTS and host != _hostname(root):
        return None
    return root + normalize_path(parts.path)


@lru_cache(maxsize=16)
def _hostname(root: str) -> str | None:
    return urlsplit(root).hostname


@lru_cache(maxsize=256)  # each page asks several questions of the same URL
def path_segments(url: str) -> tuple[str, ...]:
    """The non-empty segments of a URL's path.

    >>> path_segments("https://english.almayadeen.net/news/politics/x/")
    ('news', 'politics', 'x')
    """
    return tuple(segment for segment in urlsplit(url).path.split("/") if segment)


def is_post_id(segment: str) -> bool:
    """Whether a path segment is a CMS post id (2021 URLs carry one before the slug).

    >>> is_post_id("12345"), is_post_id("2024-review")
    (True, False)
    """
    return segment.isdigit()


def is_article_url(url: str) -> bool:
    """Whether the path has an article's shape: ``/news/<section>/<slug>``,
    ``/news/<section>/<post id>/<slug>`` (2021), ``/articles/<sub>/<slug>``.

    >>> is_article_url("https://english.almayadeen.net/articles/opinion/some-slug")
    True
    >>> is_article_url("https://english.almayadeen.net/news/Politics/53151/some-slug")
    True
    >>> is_article_url("https://english.almayadeen.net/news/politics")
    False
    """
    segments = path_segments(url)
    if not segments or segments[0].lower() not in {"news", "articles"}:
        return False
    if len(segments) == 4:
        return segments[0].lower() == "news" and is_post_id(segments[2])
    return len(segments) == 3


@lru_cache(maxsize=4096)  # a page's links, its item's fields and validation ask again
def url_shape(url: str) -> str:
    """What a URL's shape says a page is: ``article``, ``listing``, a kind of
    ``NON_ARTICLE_PREFIXES`` (``video``, ``author``...), ``page`` (one segment) or ``unknown``.

    The shape is only a hint: an ``unknown`` page is fetched once and judged by its own metadata.

    >>> url_shape("https://english.almayadeen.net/news/Economy/x")
    'article'
    >>> url_shape("https://english.almayadeen.net/news/politics?page=2")
    'listing'
    >>> url_shape("https://english.almayadeen.net/videos/x")
    'video'
    >>> url_shape("https://english.almayadeen.net/articles/some-slug")
    'unknown'
    >>> url_shape("https://english.almayadeen.net/about-us")
    'page'
    """
    segments = path_segments(url)
    if is_article_url(url):
        return "article"
    if segments and segments[0].lower() in NON_ARTICLE_PREFIXES:
        return NON_ARTICLE_PREFIXES[segments[0].lower()]
    if len(segments) <= 1:
        return "page"
    lowered = [segment.lower() for segment in segments]
    if len(lowered) == 4 and lowered[2] == "page" and lowered[3].isdigit():
        lowered = lowered[:2]
    if len(lowered) == 2 and lowered[1] in SECTIONS_UNDER.get(lowered[0], {}):
        return "listing"
    return "unknown"


def may_be_article(url: str) -> bool:
    """Whether a page under ``url`` may be an article: an article's shape, or an unknown one
    (which its own metadata will judge). The archive keeps, and re-extraction reads, these.

    >>> may_be_article("https://english.almayadeen.net/articles/some-slug")
    True
    >>> may_be_article("https://english.almayadeen.net/videos/x")
    False
    """
    return url_shape(url) in {"article", "unknown"}


def section_from_url(url: str) -> str | None:
    """The section's display name from the path (segments matched case-insensitively); None for
    an unknown section segment.

    >>> section_from_url("https://english.almayadeen.net/news/economics/x")
    'Economy'
    >>> section_from_url("https://english.almayadeen.net/news/Economy/x")
    'Economy'
    >>> section_from_url("https://english.almayadeen.net/articles/blog/x")
    'Blog'
    """
    segments = path_segments(url)
    if len(segments) < 2:
        return None
    segment = segments[1].lower()
    return SECTIONS_UNDER.get(segments[0].lower(), {}).get(SECTION_SPELLINGS.get(segment, segment))


def section_path(url: str) -> str:
    """The first two path segments in the site's listing spelling (``news/economics``), which is
    what ``-a sections`` names.

    >>> section_path("https://english.almayadeen.net/news/Economy/123/x")
    'news/economics'
    """
    segments = [segment.lower() for segment in path_segments(url)[:2]]
    if len(segments) == 2:
        segments[1] = SECTION_SPELLINGS.get(segments[1], segments[1])
    return "/".join(segments)


def content_type_from_url(url: str) -> str | None:
    """``news`` for ``/news/*``, the ``/articles/<sub>`` segment for the four known subs, else None.

    >>> content_type_from_url("https://english.almayadeen.net/news/sports/x")
    'news'
    >>> content_type_from_url("https://english.almayadeen.net/articles/Analysis/x")
    'analysis'
    >>> content_type_from_url("https://english.almayadeen.net/articles/x") is None
    True
    """
    segments = [segment.lower() for segment in path_segments(url)]
    if segments[:1] == ["news"] and len(segments) > 2:
        return "news"
    if segments[:1] == ["articles"] and len(segments) > 2 and segments[1] in ARTICLE_SECTIONS:
        return segments[1]
    return None
