"""Where the site lists its articles: home, section listings and their pagination, sitemaps, RSS.

Confirmed or likely: the nav's ``/news/<section>`` and ``/articles/<sub>`` listings, the sitemap
index ``/sitemaps/all.xml`` with monthly children ``sitemap-YYYY-M.xml`` that mix articles with
videos and author pages, and ``/rss`` (403 from datacenter addresses). Guessed: the listings'
markup and pagination, so next pages are recognised in several ways and no class name is required.
"""

import re
from typing import Final

from mayadeen.site.sections import ARTICLE_SECTIONS, NEWS_SECTIONS
from mayadeen.site.urls import path_segments

HOME_PATH: Final = "/"
ROBOTS_PATH: Final = "/robots.txt"
SITEMAP_INDEX_PATHS: Final = ("/sitemaps/all.xml",)
"""Sitemap indexes requested whether or not robots.txt names them (its ``Sitemap:`` lines add to these)."""
RSS_PATHS: Final = ("/rss",)

LISTING_ROOTS: Final = {"news": NEWS_SECTIONS, "articles": ARTICLE_SECTIONS}
"""First path segment of the section listings (``/news/politics``) and the sections known to the nav."""
SECTION_LISTINGS: Final = tuple(
    f"{root}/{sub}" for root, subs in LISTING_ROOTS.items() for sub in subs
)

MONTHLY_SITEMAP: Final = re.compile(r"sitemap-(\d{4})-(\d{1,2})\.xml(?:\.gz)?$")
"""A monthly sitemap's name; its month says which articles it lists (by publication month)."""

WIDGET_CLASSES: Final = (
    "site-header",
    "site-footer",
    "breaking",
    "ticker",
    "most-read",
    "read-next",
    "col-4",
)
"""Class fragments of containers whose links are chrome or reflect the crawl time (Most Read, Read
Next, the ticker, the sidebar): a listing's articles are the links outside them."""

NEXT_PAGE_REL: Final = "next"
NEXT_PAGE_TEXT: Final = re.compile(
    r"^\s*(?:load\s+more|show\s+more|more\s+news|next(?:\s+page)?|older(?:\s+\w+)?|more|»|›)\s*[»›>]?\s*$",
    re.IGNORECASE,
)
"""Text of a link to the next page of a listing ("Load More", "Next", "»")."""
PAGE_PARAMETER: Final = re.compile(r"^(?:page|p|pg|pagenumber|pageindex|pagenum)$", re.IGNORECASE)
"""Query parameters that number a listing's pages (``?page=2``)."""
PAGE_PATH: Final = re.compile(r"/page/(\d+)/?$")
"""A page number in the path instead (``/news/politics/page/2``)."""

LISTING_DATES: Final = ("span.date", "time", ".date")
"""A listing card's date (``30 Sep 2025``); used only to stop paging past ``since``."""
LISTING_DATE_FORMATS: Final = ("%d %b %Y", "%d %B %Y", "%Y-%m-%d")


def listing_path(url: str) -> str | None:
    """``news/politics`` for a section listing URL (of any page), else None.

    >>> listing_path("https://english.almayadeen.net/news/politics?page=3")
    'news/politics'
    >>> listing_path("https://english.almayadeen.net/news/politics/page/2")
    'news/politics'
    >>> listing_path("https://english.almayadeen.net/news/politics/some-slug") is None
    True
    >>> listing_path("https://english.almayadeen.net/articles/some-slug") is None  # an article's
    True
    """
    segments = path_segments(url)
    if len(segments) == 4 and segments[2] == "page" and segments[3].isdigit():
        segments = segments[:2]
    if len(segments) == 2 and segments[1].lower() in LISTING_ROOTS.get(segments[0], {}):
        return "/".join(segments)
    return None


def sitemap_month(url: str) -> tuple[int, int] | None:
    """(year, month) of a monthly sitemap, from its name.

    >>> sitemap_month("https://english.almayadeen.net/sitemaps/all/sitemap-2022-2.xml")
    (2022, 2)
    >>> sitemap_month("https://english.almayadeen.net/sitemaps/all.xml") is None
    True
    """
    match = MONTHLY_SITEMAP.search(url)
    if not match or not 1 <= int(match[2]) <= 12:
        return None
    return int(match[1]), int(match[2])
