"""Routing shared by every loopback site: home, section listings with pagination, tag, coverage,
region and author listings, sitemaps, robots.txt, RSS and the site's other non-article pages.

A subclass supplies the entries and serves the content pages themselves (:meth:`content`).
"""

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from html import escape
from urllib.parse import parse_qs, unquote

from mayadeen.loopback import feeds
from mayadeen.loopback.anatomy import (
    REGIONS,
    SECTION_BY_PATH,
    SECTIONS,
    STATIC_PAGES,
    VIDEO_CATEGORIES,
    document,
    listing_date,
    tawsiyat,
    url,
)
from mayadeen.loopback.catalog import ITEM_KINDS, Entry, Page, link_spelling
from mayadeen.loopback.text import slugify_name

PAGE_SIZE = 20
HOME_SIZE = 30
RSS_SIZE = 50
_MONTHLY = re.compile(r"^/sitemaps/all/sitemap-(\d{4})-([1-9]|1[0-2])\.xml$")
_PAGINATION_STYLES = ("load-more", "next-link", "page-numbers")


def normalize_path(raw_path: str) -> str:
    """The path a request names, with escapes decoded and no trailing slash.

    >>> normalize_path("/news/politics/a%3Ab/")
    '/news/politics/a:b'
    """
    path = unquote(raw_path) or "/"
    return path.rstrip("/") or "/"


def page_number(query: str) -> int:
    """The ``page`` parameter of a listing URL (1 when absent or malformed)."""
    values = parse_qs(query).get("page", ["1"])
    return int(values[0]) if values[0].isdigit() and int(values[0]) > 0 else 1


def card(entry: Entry, salt: str) -> str:
    """A listing card; its link uses one of the live site's spellings of the URL."""
    image = f'<img src="{entry.image_url}" alt="{escape(entry.title)}">' if entry.image_url else ""
    section = SECTION_BY_PATH.get(entry.section or "")
    label = section.display_name if section else entry.kind.title()
    return (
        f'<div class="news-card"><a href="{escape(url(link_spelling(entry.path, salt)))}">{image}'
        f'<h3 class="title">{escape(entry.title)}</h3></a><span class="section">{escape(label)}</span>'
        f'<span class="date">{listing_date(entry.published)}</span></div>'
    )


def pagination(base: str, number: int, last: int, style: str) -> str:
    """Links to other pages of a listing, in one of several markups (the live one is unknown)."""
    if style == "load-more":
        if number >= last:
            return ""
        return (
            f'<div class="pagination"><a class="load-more" rel="next" '
            f'href="{url(base)}?page={number + 1}">Load More</a></div>'
        )
    if style == "next-link":
        prev = (
            f'<a class="prev" href="{url(base)}?page={number - 1}">Previous</a>'
            if number > 1
            else ""
        )
        nxt = (
            f'<a class="next" href="{url(base)}?page={number + 1}">Next</a>'
            if number < last
            else ""
        )
        return f'<nav class="pager">{prev} {nxt}</nav>'
    pages = range(max(1, number - 3), min(last, number + 3) + 1)
    items = "".join(
        f'<li class="active"><span>{n}</span></li>'
        if n == number
        else f'<li><a href="{url(base)}?page={n}">{n}</a></li>'
        for n in pages
    )
    return f'<ul class="page-numbers">{items}</ul>'


def listing_page(title: str, base: str, cards: str, extra: str = "", head: str = "") -> Page:
    main = (
        '<main class="main-content"><div class="container">'
        f'<h1 class="section-title">{escape(title)}</h1><div class="news-list">{cards}</div>'
        f"{extra}</div></main>"
    )
    canonical = f'<link rel="canonical" href="{url(base)}">\n{head}'
    return Page.html(document(title, canonical, "listing-page", main))


def simple_page(title: str, paragraphs: Sequence[str]) -> Page:
    """A static page (about, contact, ...): the CMS marks it ``type: page``."""
    text = "".join(f"<p>{escape(p)}</p>" for p in paragraphs)
    head = tawsiyat({"type": "page", "title": title, "lang": "en"})
    main = f'<main class="main-content"><div class="container page-content"><h1>{escape(title)}</h1>{text}</div></main>'
    return Page.html(document(title, head, "static-page", main))


class ListedSite:
    """A site built from entries: everything but the content pages is derived from them."""

    def __init__(self, entries: Iterable[Entry]) -> None:
        self.entries = sorted(entries, key=lambda e: e.published, reverse=True)
        self.articles = [e for e in self.entries if e.kind in ITEM_KINDS]
        self._by_list: dict[str, list[Entry]] = defaultdict(list)
        self._months: dict[tuple[int, int], list[Entry]] = defaultdict(list)
        for entry in self.entries:
            if entry.section:
                self._by_list[entry.section].append(entry)
            for tag in entry.tags:
                self._by_list[f"tag/{slugify_name(tag)}"].append(entry)
            if entry.coverage:
                self._by_list[f"coverage/{slugify_name(entry.coverage)}"].append(entry)
            if entry.kind != "page":
                self._months[feeds.month_key(entry)].append(entry)
        self._authors = sorted({e.path for e in self.entries if e.kind == "author"})

    def content(self, path: str) -> Page | None:
        """A content page (article, video, author page, ...) at ``path``, if the site has one."""
        return None

    def get(self, raw_path: str, query: str = "") -> Page | None:
        """The page served for a request path and query string, or ``None`` (404)."""
        path = normalize_path(raw_path)
        return self.content(path) or self._route(path, query)

    def articles_in(self, listing: str) -> list[Entry]:
        """Entries of a listing (``news/politics``, ``tag/russia``...), newest first."""
        return self._by_list.get(listing, [])

    def sitemap_months(self) -> list[tuple[int, int]]:
        return sorted(self._months)

    def sitemap_entries(self, year: int, month: int) -> list[Entry]:
        return self._months.get((year, month), [])

    def _route(self, path: str, query: str) -> Page | None:
        key = path.lstrip("/")
        if path == "/":
            return self._home()
        if path == "/robots.txt":
            return Page(feeds.robots_txt().encode(), content_type="text/plain; charset=utf-8")
        if path == feeds.SITEMAP_INDEX_PATH:
            return Page.xml(feeds.sitemap_index(self.sitemap_months()))
        if match := _MONTHLY.match(path):
            entries = self.sitemap_entries(int(match[1]), int(match[2]))
            return Page.xml(feeds.monthly_sitemap(entries)) if entries else None
        if path == "/rss":
            return Page.xml(
                feeds.rss(self.articles[:RSS_SIZE]), "application/rss+xml; charset=utf-8"
            )
        if key in SECTION_BY_PATH:
            return self._section(key, page_number(query))
        return self._other_listing(key, query)

    def _home(self) -> Page:
        latest = self.articles[:HOME_SIZE] + [e for e in self.entries if e.kind == "video"][:6]
        cards = "".join(card(e, "home") for e in latest)
        return listing_page("Al Mayadeen English", "", cards)

    def _section(self, key: str, number: int) -> Page:
        entries = self._by_list.get(key, [])
        last = max(1, -(-len(entries) // PAGE_SIZE))
        shown = entries[(number - 1) * PAGE_SIZE : number * PAGE_SIZE]
        style = _PAGINATION_STYLES[[s.path for s in SECTIONS].index(key) % len(_PAGINATION_STYLES)]
        head = ""
        if style == "load-more" and number < last:
            head = f'<link rel="next" href="{url(key)}?page={number + 1}">\n'
        cards = "".join(card(e, f"{key}|{number}") for e in shown)
        extra = pagination(key, number, last, style)
        return listing_page(SECTION_BY_PATH[key].display_name, key, cards, extra, head)

    def _other_listing(self, key: str, query: str) -> Page | None:
        first, _, rest = key.partition("/")
        if first in ("tag", "coverage") and key in self._by_list:
            search = (
                f'<p class="more"><a href="{url("search")}?query={rest}">Search for more</a></p>'
            )
            cards = "".join(card(e, key) for e in self._by_list[key][:PAGE_SIZE])
            return listing_page(rest.replace("-", " ").title(), key, cards, search)
        if first == "region" and rest in dict(REGIONS):
            cards = "".join(card(e, key) for e in self.articles[:PAGE_SIZE])
            return listing_page(dict(REGIONS)[rest], key, cards)
        if first == "videos" and rest in dict(VIDEO_CATEGORIES):
            cards = "".join(card(e, key) for e in self._by_list.get(key, [])[:PAGE_SIZE])
            return listing_page(dict(VIDEO_CATEGORIES)[rest], key, cards)
        if key == "infographs":
            cards = "".join(card(e, key) for e in self._by_list.get(key, [])[:PAGE_SIZE])
            return listing_page("Infographs", key, cards)
        if key == "authors":
            links = "".join(
                f'<li><a href="{url(p)}">{escape(p.rsplit("/", 1)[1])}</a></li>'
                for p in self._authors
            )
            return listing_page("Authors", key, "", f'<ul class="authors-list">{links}</ul>')
        if key in dict(STATIC_PAGES) or key in ("in-pictures", "live"):
            title = dict(STATIC_PAGES).get(key, key.replace("-", " ").title())
            return simple_page(title, [f"{title} of Al Mayadeen English."])
        if key == "search":
            cards = "".join(card(e, "search") for e in self.articles[:5])
            return listing_page(f"Search: {unquote(query)}", key, cards)
        if first == "api":
            return Page(b"{}", content_type="application/json")
        return None
