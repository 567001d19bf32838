"""Every rule of english.almayadeen.net in one place: URLs, page kinds, names and selectors.

What is confirmed about the live site and what is guessed is listed in ../shared/site/README.md.
The machine-readable sources (tawsiyat JSON, JSON-LD, meta tags) are confirmed or likely; the DOM
selectors are guesses kept as the last fallback, each a tuple tried in order. When a first live run
shows a shift in the ``mayadeen/field/<field>/<source>`` stats, this module is what to correct.
"""

import re
from functools import lru_cache
from typing import Final
from urllib.parse import urljoin, urlsplit
from zoneinfo import ZoneInfo

from mayadeen.processors import normalize_path

LIVE_ROOT: Final = "https://english.almayadeen.net"
TIMEZONE: Final = ZoneInfo("Asia/Beirut")
"""The zone of the times the site states without an offset (meta tags, the visible date)."""
LIVE_HOSTS: Final = frozenset({"english.almayadeen.net", "www.english.almayadeen.net"})

# -- URLs --------------------------------------------------------------------------------------

NEWS_SECTIONS: Final = {
    "politics": "Politics",
    "economics": "Economy",
    "sports": "Sports",
    "arts-culture": "Arts & Culture",  # nav label "Arts&Culture"; the CMS category says "Arts & Culture"
    "health": "Health",
    "miscellaneous": "Miscellaneous",
    "technology": "Technology",
    "environment": "Environment",
}
ARTICLE_SECTIONS: Final = {
    "opinion": "Opinion",
    "analysis": "Analysis",
    "blog": "Blog",
    "features": "Features",
}
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
}
NON_ARTICLE_KINDS: Final = frozenset(
    {"video", "infograph", "gallery", "author", "listing", "page", "other"}
)


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
        parts = urlsplit(absolute)
        host = (parts.hostname or "").lower()
    except ValueError:  # an unparsable port or IPv6 literal
        return None
    if parts.scheme.lower() not in {"http", "https"}:
        return None
    if host not in LIVE_HOSTS and host != urlsplit(root).hostname:
        return None
    return root + normalize_path(parts.path)


@lru_cache(maxsize=256)  # each page asks several questions of the same URL
def path_segments(url: str) -> tuple[str, ...]:
    """The non-empty segments of a URL's path.

    >>> path_segments("https://english.almayadeen.net/news/politics/x/")
    ('news', 'politics', 'x')
    """
    return tuple(segment for segment in urlsplit(url).path.split("/") if segment)


def is_article_url(url: str) -> bool:
    """Whether the path has an article's shape: ``/news/<section>/<slug>``, ``/articles/<sub>/<slug>``.

    >>> is_article_url("https://english.almayadeen.net/articles/opinion/some-slug")
    True
    >>> is_article_url("https://english.almayadeen.net/news/politics")
    False
    """
    segments = path_segments(url)
    return len(segments) == 3 and segments[0] in {"news", "articles"}


def section_from_url(url: str) -> str | None:
    """The section's display name from the path; None for an unknown section segment.

    >>> section_from_url("https://english.almayadeen.net/news/economics/x")
    'Economy'
    >>> section_from_url("https://english.almayadeen.net/articles/blog/x")
    'Blog'
    """
    segments = path_segments(url)
    if len(segments) < 2:
        return None
    names = {"news": NEWS_SECTIONS, "articles": ARTICLE_SECTIONS}.get(segments[0], {})
    return names.get(segments[1])


def content_type_from_url(url: str) -> str | None:
    """``news`` for ``/news/*``, the ``/articles/<sub>`` segment for the four known subs, else None.

    >>> content_type_from_url("https://english.almayadeen.net/news/sports/x")
    'news'
    >>> content_type_from_url("https://english.almayadeen.net/articles/analysis/x")
    'analysis'
    """
    segments = path_segments(url)
    if segments[:1] == ("news",):
        return "news"
    if segments[:1] == ("articles",) and len(segments) > 1 and segments[1] in ARTICLE_SECTIONS:
        return segments[1]
    return None


def page_kind(url: str, tawsiyat_type: str | None, posttype: str | None) -> str:
    """What a page is: ``article`` or one of ``NON_ARTICLE_KINDS``.

    The URL decides first; tawsiyat's ``type`` and ``posttype`` class can still turn an article-shaped
    URL into a video, infograph or plain page.

    >>> page_kind("https://english.almayadeen.net/news/politics/x", "article", "News")
    'article'
    >>> page_kind("https://english.almayadeen.net/news/politics/x", "videoobject", None)
    'video'
    >>> page_kind("https://english.almayadeen.net/about-us", "page", None)
    'page'
    """
    segments = path_segments(url)
    if segments and segments[0] in NON_ARTICLE_PREFIXES:
        return NON_ARTICLE_PREFIXES[segments[0]]
    declared = (tawsiyat_type or "").strip().lower()
    kind_of_post = (posttype or "").strip().lower()
    if declared == "videoobject" or kind_of_post in {"video", "videos", "newscast"}:
        return "video"
    if kind_of_post in {"infograph", "infographs", "infographic"}:
        return "infograph"
    if declared == "page":
        return "page"
    if is_article_url(url):
        return "article"
    return "listing" if len(segments) <= 2 else "other"


# -- Names -------------------------------------------------------------------------------------

HOUSE_BYLINES: Final = {
    "al mayadeen net": "Al Mayadeen Net",
    "al mayadeen english": "Al Mayadeen English",
}
"""House bylines, matched case-insensitively (whitespace collapsed), and how they are written."""

TITLE_SITE_NAME: Final = re.compile(r"\s+[|\-–—]\s+Al ?Mayadeen(?: English| Net)?$", re.IGNORECASE)
"""A site name a page title may carry (``... | Al Mayadeen English``): never part of a headline."""

DEFAULT_LANGUAGE: Final = "en"

# -- Field sources -----------------------------------------------------------------------------

TRUST_ORDER: Final = ("tawsiyat", "jsonld", "meta", "dom")
FIELD_SOURCES: Final[dict[str, tuple[str, ...]]] = {
    "url": ("tawsiyat", "jsonld", "meta", "served"),
    "article_id": ("tawsiyat", "jsonld"),
    "title": TRUST_ORDER,
    "summary": ("dom", "tawsiyat", "jsonld", "meta"),  # the lead paragraph beats the description
    "authors": TRUST_ORDER,
    "source": ("dom",),
    "section": ("url", "tawsiyat", "jsonld", "dom"),
    "content_type": ("url",),
    "published_at": TRUST_ORDER,
    "modified_at": ("tawsiyat", "jsonld", "meta"),  # the DOM shows one date: publication
    "read_time_minutes": ("dom",),
    "tags": TRUST_ORDER,
    "coverage": ("tawsiyat", "dom"),
    "image_url": TRUST_ORDER,
    "image_caption": ("dom",),
    "language": ("tawsiyat", "jsonld", "meta", "default"),
}
"""Per field, the sources tried in order; the first that states a usable value wins."""

TAWSIYAT_KEYS: Final = {
    "url": "url",
    "article_id": "postid",
    "title": "title",
    "summary": "description",
    "authors": "author",
    "published_at": "published_time",
    "modified_at": "last_updated",
    "tags": "keywords",
    "image_url": "thumbnail",
    "language": "lang",
}
TAWSIYAT_CLASSES: Final = {"coverage": "coverage", "section": "category"}
"""Fields read from tawsiyat's ``classes`` list: field → ``mapping`` value."""

JSONLD_KEYS: Final = {
    "url": "url",
    "article_id": "identifier",
    "title": "headline",
    "summary": "description",
    "authors": "author",
    "published_at": "datePublished",
    "modified_at": "dateModified",
    "tags": "keywords",
    "image_url": "image",
    "section": "articleSection",
    "language": "inLanguage",
}
JSONLD_ARTICLE_TYPE: Final = re.compile(r"(Article|BlogPosting|Report)$")

META_KEYS: Final = {
    "url": ("canonical", "og:url"),
    "title": ("og:title",),
    "summary": ("description", "og:description"),
    "published_at": ("article:published_time",),
    "modified_at": ("article:modified_time",),
    "tags": ("keywords", "article:tag"),
    "image_url": ("og:image",),
    "language": ("html:lang",),
}
"""Meta names or properties per field; ``canonical`` is the canonical link, ``html:lang`` the
``<html lang>`` attribute."""

# -- Selectors (CSS) ---------------------------------------------------------------------------

TAWSIYAT_SCRIPT: Final = ("script#tawsiyat-metadata", 'script[type="text/tawsiyat"]')
JSONLD_SCRIPT: Final = 'script[type="application/ld+json"]'

ARTICLE_SCOPE: Final = ("article.article-details", "article", "main")
"""Where the article's own markup is: DOM values are looked for inside the first of these (else
the whole page), which keeps Most Read, Read Next and the ticker out and makes lookups cheap."""
DOM_TEXT: Final = {
    "title": ("h1.post-title", "article h1", "main h1"),
    "summary": ("p.lg_para.summary", "p.lg_para"),
    "authors": ("li.post-author", ".post-author"),
    "source": ("li.post-source", ".post-source"),
    "published_at": ("li.post-date span.date", ".post-date .date", ".post-date", "article time"),
    "read_time_minutes": ("span.read-time", ".read-time"),
    "coverage": ("div.coverage-box h3.coverage-title", ".coverage-box .coverage-title"),
    "image_caption": ("figure.post-image figcaption", "section.read-section figure figcaption"),
    "section": ("div.post-type a", ".article-details-metas a"),
}
"""Per field, the elements whose text holds the value; the first selector that matches wins.
Each starts with the samples' markup (with tag names: much faster to match) and falls back to
looser selectors for a live page that differs."""
DOM_TAGS: Final = ("div.post-tags a", ".post-tags a")
DOM_IMAGE: Final = ("figure.post-image img", "section.read-section figure img")
IMAGE_ATTRIBUTES: Final = ("data-src", "src")  # a lazy-loaded image keeps its real URL in data-src
BODY_CONTAINER: Final = ("div.p-content", "section.read-section", "article.article-details")

BODY_BLOCK_TAGS: Final = frozenset({"p", "h2", "h3", "h4", "h5", "h6", "li", "div"})
"""Elements read as one body block (paragraph or subheading) when they hold no other block: a
tweet's <p> inside its blockquote, a <p> inside an <li>; a <div> holding only text is a paragraph."""
BODY_NESTING_TAGS: Final = frozenset({"li", "div"})
"""Block elements that can hold other blocks (the HTML parser closes a <p> or heading before one)."""
BODY_SKIPPED_TAGS: Final = frozenset(
    {"script", "style", "noscript", "template", "iframe", "figure", "form", "button", "svg"}
)
LEAD_CLASS: Final = "lg_para"
RELATED_BOX_CLASS: Final = "related"  # any class containing it: div.related-news on the samples
DISCLAIMER_CLASS: Final = "disclaimer"  # .post_disclaimer
EMBED_CLASSES: Final = ("instagram-media", "tiktok-embed", "fb-post")
"""Embedded posts other than tweets: their text is the embed's chrome, not the article's."""
DISCLAIMER_PREFIX: Final = "The opinions mentioned in this article do not necessarily reflect"
READ_MORE: Final = re.compile(r"read more\s*:", re.IGNORECASE)
