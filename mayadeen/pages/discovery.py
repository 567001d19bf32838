"""Read the pages that list articles: listings (home, sections), sitemaps, RSS and robots.txt.

Each reader takes a response (or bytes) and returns plain values; no running crawler is needed.
Which links count is decided by the rules in ``mayadeen.site.navigation``.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from lxml import etree
from parsel import Selector
from parsel.csstranslator import HTMLTranslator
from scrapy.http import Response, TextResponse
from scrapy.utils.gz import gunzip
from scrapy.utils.sitemap import Sitemap, sitemap_urls_from_robots

from mayadeen.pages.extract import page_tree
from mayadeen.pages.processors import collapse_whitespace, unique
from mayadeen.site.navigation import (
    LISTING_DATE_FORMATS,
    LISTING_DATES,
    NEXT_PAGE_REL,
    NEXT_PAGE_TEXT,
    PAGE_PARAMETER,
    PAGE_PATH,
    WIDGET_CLASSES,
    listing_path,
)
from mayadeen.site.urls import canonical_url, url_shape

_OUTSIDE_WIDGETS = "not(ancestor::*[{}])".format(
    " or ".join(f"contains(@class, '{name}')" for name in WIDGET_CLASSES)
)
_LINKS = etree.XPath(f"//a[@href][{_OUTSIDE_WIDGETS}]")
_NEXT_CANDIDATES = etree.XPath("//a[@href] | //link[@href]")
# Compiled once and run on lxml elements: a listing has a few dozen links, each looked at with
# its three closest ancestors, and parsel's per-element selectors cost more than the queries.
_ALL_HREFS = etree.XPath("//a/@href", smart_strings=False)
_HREFS = etree.XPath(".//a/@href", smart_strings=False)
_TEXTS = etree.XPath(".//text()", smart_strings=False)
_ANCESTORS = etree.XPath("ancestor::*[position() <= 3]")
_DATE_ELEMENTS = tuple(etree.XPath(HTMLTranslator().css_to_xpath(css)) for css in LISTING_DATES)
_OUTSIDE_WIDGETS_TEXTS = etree.XPath(f"self::*[{_OUTSIDE_WIDGETS}]//text()", smart_strings=False)
SITEMAP_MAX_SIZE = 64 * 1024 * 1024


@dataclass
class ListingPage:
    """What a listing page (the home page or a section page) links to."""

    articles: list[str] = field(default_factory=list)
    """Canonical URLs of the links outside the page's widgets that may be articles (an article's
    shape, or a shape not known to be anything else), in page order."""
    card_dates: dict[str, date] = field(default_factory=dict)
    """An article URL → the date its card shows, where the card shows one."""
    listings: list[str] = field(default_factory=list)
    """Canonical URLs of the section listings it links to, the nav's included."""
    next_pages: list[str] = field(default_factory=list)
    """The next page of this listing, usually one URL."""
    dates: list[date] = field(default_factory=list)
    """Dates the cards show, where they show one."""


def read_listing(response: TextResponse, root: str, tree: Any = None) -> ListingPage:
    """The articles, listings and next page a listing page links to; ``tree``: the page's
    ``page_tree``, when parsed already (the ticker's, in a crawl)."""
    page = ListingPage()
    tree = page_tree(response) if tree is None else tree
    for link in _LINKS(tree):
        url = canonical_url(response.urljoin(link.get("href").strip()), root)
        if url is not None and url_shape(url) in {"article", "unknown"}:
            page.articles.append(url)
            if url not in page.card_dates and (day := _card_date(link, root)) is not None:
                page.card_dates[url] = day
    for href in _ALL_HREFS(tree):  # the nav is in the header: all links
        url = canonical_url(response.urljoin(href.strip()), root)
        if url is not None and listing_path(url) and not PAGE_PATH.search(url):
            page.listings.append(url)
    page.articles = unique(page.articles)
    page.listings = unique(page.listings)
    page.next_pages = next_pages(response, root, tree)
    page.dates = card_dates(response, tree)
    return page


def _date_texts(element: Any) -> list[str]:
    """The texts of the dates (``LISTING_DATES``) in or under ``element``, selector by selector."""
    return [text for find in _DATE_ELEMENTS for found in find(element) for text in _TEXTS(found)]


def _card_date(link: Any, root: str) -> date | None:
    """The date shown on the card of one link: in the nearest of its three closest ancestors that
    holds a date and no link to another article."""
    for ancestor in reversed(_ANCESTORS(link)):
        days = [day for text in _date_texts(ancestor) if (day := parse_card_date(text))]
        if not days:
            continue
        hrefs = {canonical_url(href, root) for href in _HREFS(ancestor)}
        return days[0] if len({h for h in hrefs if h and url_shape(h) == "article"}) <= 1 else None
    return None


def page_of(url: str) -> tuple[str | None, int]:
    """The page-number parameter of a listing URL and the number (1 when unnumbered).

    >>> page_of("https://x.net/news/politics?page=3")
    ('page', 3)
    >>> page_of("https://x.net/news/politics/page/4")
    (None, 4)
    >>> page_of("https://x.net/news/politics")
    (None, 1)
    """
    parts = urlsplit(url)
    for name, value in parse_qsl(parts.query):
        if PAGE_PARAMETER.match(name) and value.isdigit():
            return name, int(value)
    if match := PAGE_PATH.search(parts.path):
        return None, int(match[1])
    return None, 1


def next_pages(response: TextResponse, root: str, tree: Any = None) -> list[str]:
    """Links to the next page of the same listing: ``rel=next``, a "Load More"/"Next" link, or the
    same path with the page number one higher. The listing markup of the live site is not known, so
    any one of these is enough and none is required."""
    here = listing_path(response.url)
    if here is None:
        return []
    _, number = page_of(response.url)
    found = []
    for element in _NEXT_CANDIDATES(response.selector.root if tree is None else tree):
        href = element.get("href", "")
        absolute = response.urljoin(href.strip())
        if canonical_url(absolute, root) is None or listing_path(absolute) != here:
            continue
        parameter, target = page_of(absolute)
        if target <= number:
            continue
        rel = element.get("rel", "").lower().split()
        text = collapse_whitespace(" ".join(_TEXTS(element)))
        if target == number + 1 or NEXT_PAGE_REL in rel or NEXT_PAGE_TEXT.match(text):
            found.append(page_url(root, here, parameter, target, absolute))
    return unique(found)


def page_url(root: str, listing: str, parameter: str | None, number: int, href: str) -> str:
    """One spelling per listing page, so that the same page linked twice is fetched once.

    >>> page_url("http://h", "news/politics", "page", 2, "http://h/news/politics/?page=2&utm_x=1")
    'http://h/news/politics?page=2'
    >>> page_url("http://h", "news/politics", None, 3, "http://h/news/politics/page/3")
    'http://h/news/politics/page/3'
    """
    if parameter is not None:
        return f"{root}/{listing}?{urlencode({parameter: number})}"
    parts = urlsplit(href)
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query) if not k.startswith("utm_")])
    return urlunsplit((*urlsplit(root)[:2], parts.path.rstrip("/"), query, ""))


def card_dates(response: TextResponse, tree: Any = None) -> list[date]:
    """The dates listing cards show (``30 Sep 2025``), outside widgets."""
    dates = []
    for find in _DATE_ELEMENTS:
        for found in find(response.selector.root if tree is None else tree):
            for text in _OUTSIDE_WIDGETS_TEXTS(found):
                if (day := parse_card_date(text)) is not None:
                    dates.append(day)
        if dates:
            break
    return dates


def parse_card_date(text: str) -> date | None:
    """A card's date, in any of the site's listing formats.

    >>> parse_card_date(" 30 Sep 2025 ")
    datetime.date(2025, 9, 30)
    >>> parse_card_date("yesterday") is None
    True
    """
    text = collapse_whitespace(text)
    for pattern in LISTING_DATE_FORMATS:
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


@dataclass
class SitemapEntry:
    loc: str
    lastmod: str | None = None


def read_sitemap(response: Response) -> tuple[str, list[SitemapEntry]]:
    """The kind of a sitemap (``sitemapindex``, ``urlset``, or what else the document is) and its
    entries. Gzipped sitemaps are unpacked; a page that is not a sitemap gives no entries."""
    body = response.body
    if body[:2] == b"\x1f\x8b":
        try:
            body = gunzip(body, max_size=SITEMAP_MAX_SIZE)
        except (OSError, EOFError, ValueError):
            return "unreadable", []
    try:
        sitemap = Sitemap(body)
    except Exception:  # lxml raises several types on a body that is not XML at all
        return "unreadable", []
    if sitemap.type not in {"sitemapindex", "urlset"}:
        return sitemap.type or "unreadable", []
    return sitemap.type, list(_entries(sitemap, response.url))


def _entries(sitemap: Iterable[dict[str, Any]], base: str) -> Iterable[SitemapEntry]:
    for element in sitemap:
        if loc := element.get("loc"):
            yield SitemapEntry(urljoin(base, loc), element.get("lastmod") or None)


_ENTRY_LINK = "link[not(@rel) or @rel = 'alternate']/@href"
"""An Atom entry's link to the article itself: not its enclosures, replies or related links."""


def read_feed(response: Response) -> list[tuple[str, str | None]]:
    """Article links of an RSS or Atom feed with the time each entry states (RSS ``pubDate``,
    Atom ``updated`` or ``published``, as ISO-8601), in feed order, each link once."""
    selector = Selector(body=response.body, type="xml")
    selector.remove_namespaces()
    found: dict[str, str | None] = {}
    for entry in selector.xpath("//item | //entry"):
        link = (entry.xpath(f"link/text() | {_ENTRY_LINK}").get() or "").strip()
        stated = entry.xpath("pubDate/text() | updated/text() | published/text()").get()
        if link and link not in found:
            found[link] = feed_time(stated)
    return list(found.items())


def feed_time(value: str | None) -> str | None:
    """An entry's time as ISO-8601: RSS's RFC 822 dates converted, Atom's kept.

    >>> feed_time("Thu, 24 Feb 2022 12:05:00 GMT")
    '2022-02-24T12:05:00+00:00'
    >>> feed_time("2022-02-24T14:05:00+02:00"), feed_time(None)
    ('2022-02-24T14:05:00+02:00', None)
    """
    if not value or not value.strip():
        return None
    try:
        return parsedate_to_datetime(value.strip()).isoformat()
    except (TypeError, ValueError, IndexError):
        return value.strip()


def read_rss(response: Response) -> list[str]:
    """Article links of an RSS or Atom feed, in feed order."""
    return [link for link, _ in read_feed(response)]


def robots_sitemaps(parser: Any) -> list[str]:
    """The ``Sitemap:`` URLs of the robots.txt parser Scrapy's robots middleware built (Protego's
    ``sitemaps``, or the standard library's ``site_maps()``)."""
    rules = getattr(parser, "rp", None)
    sitemaps = getattr(rules, "sitemaps", None)
    if sitemaps is None and callable(site_maps := getattr(rules, "site_maps", None)):
        sitemaps = site_maps()
    return unique(str(url) for url in sitemaps or ())


def read_robots(response: Response) -> list[str]:
    """The ``Sitemap:`` URLs robots.txt names."""
    return unique(sitemap_urls_from_robots(response.body, base_url=response.url))
