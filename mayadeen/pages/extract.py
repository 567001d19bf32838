"""Turn one fetched page into the contract's item, recording which source gave each field.

This is everything the spider does with an article page, and it needs no running crawler:
tests and benchmarks call ``extract`` on a response built from saved bytes.
"""

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Final, Protocol

from lxml import etree, html
from scrapy.http import HtmlResponse, TextResponse
from scrapy.selector import Selector
from scrapy.utils.response import get_base_url

from mayadeen.items import ArticleItem, content_hash
from mayadeen.pages.dates import iso_seconds
from mayadeen.pages.dom import Dom
from mayadeen.pages.loader import ArticleLoader
from mayadeen.pages.sources import JsonLd, Meta, Scripts, Tawsiyat
from mayadeen.site.article import DEFAULT_LANGUAGE, FIELD_SOURCES
from mayadeen.site.page_kinds import page_kind
from mayadeen.site.urls import content_type_from_url, section_from_url

Reader = Callable[[str], Any]


@dataclass
class Extraction:
    """What a page gave: its kind, and for an article the item and each field's source."""

    kind: str
    """``article``, or a non-article kind of ``NON_ARTICLE_KINDS`` (then ``item`` is None)."""
    item: ArticleItem | None = None
    sources: dict[str, str] = field(default_factory=dict)
    """Field name → the source its value came from (``tawsiyat``, ``jsonld``, ``meta``, ``dom``,
    ``url``, ``served``, ``default``), or ``missing``."""
    notes: list[str] = field(default_factory=list)
    """Things worth a log line, such as a non-existent or ambiguous wall time that was resolved."""


class StatsCollector(Protocol):
    def inc_value(self, key: str, count: int = 1, start: int = 0) -> None: ...


def count(stats: StatsCollector, extraction: Extraction) -> None:
    """Count a page by kind and each field by the source that gave it, so that a layout change on
    the live site shows up as a shift in ``mayadeen/field/<field>/<source>``; and an article's
    page by its section with the fields it lacked (``mayadeen/sections/<section>/pages``,
    ``.../missing/<field>``), so that the coverage check compares runs section by section: a
    field only news pages give is on fewer of a run's pages when fewer of them are news."""
    stats.inc_value(f"mayadeen/pages/{extraction.kind}")
    for name, source in extraction.sources.items():
        stats.inc_value(f"mayadeen/field/{name}/{source}")
    if extraction.item is not None:
        section = f"mayadeen/sections/{section_key(extraction.item.section)}"
        stats.inc_value(f"{section}/pages")
        for name, source in extraction.sources.items():
            if source == "missing":
                stats.inc_value(f"{section}/missing/{name}")
    if extraction.notes:
        stats.inc_value("mayadeen/extract/notes", len(extraction.notes))


NO_SECTION = "(none)"


def section_key(section: str | None) -> str:
    """A section's name as a part of a stats key: never empty, no ``/`` in it.

    >>> section_key("Arts & Culture"), section_key(None), section_key("A/B")
    ('Arts & Culture', '(none)', 'A∕B')
    """
    return section.replace("/", "∕") if section else NO_SECTION


_PARSERS = threading.local()


def _html_parser() -> Any:
    """The thread's HTML parser, as parsel builds one for each page (lxml's parsers may be reused
    for page after page, but not shared by threads)."""
    parser = getattr(_PARSERS, "html", None)
    if parser is None:
        parser = _PARSERS.html = html.HTMLParser(recover=True, encoding="utf-8", huge_tree=True)
    return parser


def page_tree(response: TextResponse) -> Any:
    """The page's parsed tree, parsed for this call and not cached on the response.

    ``response.selector`` caches a selector that refers back to the response: a reference cycle,
    which only Python's cyclic garbage collector breaks, so every page's lxml tree (memory outside
    Python's heap) lived until a full collection, raising the crawl's peak memory (measured in
    docs/benchmarks.md). Without the cache, the tree goes as soon as the extraction is done.

    An HTML page is parsed by lxml directly, exactly as ``Selector(response).root`` parses it
    (parsel's ``create_root_node``: the decoded text stripped, NULs removed, encoded as UTF-8,
    an empty page read as ``<html/>``) without building the selector nor its parser per page;
    any other response (XML, JSON, plain text) is left to parsel, which decides what it is."""
    if not isinstance(response, HtmlResponse):
        return Selector(response).root
    base_url = get_base_url(response)
    body = response.text.strip().replace("\x00", "").encode("utf-8") or b"<html/>"
    parser = _html_parser()
    root = etree.fromstring(body, parser=parser, base_url=base_url)
    if root is None:
        root = etree.fromstring(b"<html/>", parser=parser, base_url=base_url)
    return root


TREE_META: Final = "mayadeen_page_tree"
"""``request.meta`` key of the page's ``ParsedPage``, kept by the first reader of a response that
parsed it (the ticker's spider middleware) for the callback's reading: one parse a page."""


@dataclass(frozen=True, slots=True)
class ParsedPage:
    body: bytes
    """The body the tree was parsed from: a response replaced on the way (a retry, a middleware's
    new body) is not this one, and is parsed anew."""
    tree: Any


def kept_tree(response: TextResponse, meta: dict[str, Any]) -> Any:
    """``page_tree(response)``, kept in ``meta`` (its request's) for ``taken_tree``. The tree
    lives no longer than the request (it refers to nothing of it: no cycle), and a callback
    that reads the page takes it out at once."""
    tree = meta[TREE_META] = ParsedPage(response.body, page_tree(response))
    return tree.tree


def taken_tree(response: TextResponse) -> Any:
    """The tree ``kept_tree`` kept for this very response, taken out of its meta; None when
    there is none (a page no middleware parsed, a response built without a request)."""
    if response.request is None:
        return None
    kept = response.meta.pop(TREE_META, None)
    return kept.tree if isinstance(kept, ParsedPage) and kept.body is response.body else None


def states_article(tawsiyat: Tawsiyat | None, jsonld: JsonLd | None, dom: Dom) -> bool:
    """Whether the page says it is an article, whatever its URL: tawsiyat ``type`` ``article``, a
    JSON-LD article object, or (with neither metadata block) an article body under a headline."""
    if tawsiyat is not None and tawsiyat.type is not None:
        return tawsiyat.type.strip().lower() == "article"
    return jsonld is not None or dom.has_article_markup()


def extract(
    response: TextResponse, root: str, crawled_at: datetime | None = None, tree: Any = None
) -> Extraction:
    """Extract one page fetched from the site whose root URL is ``root``; never raises on bad
    markup: what the page does not state is left empty for validation to report. ``tree`` is the
    page's ``page_tree`` when the caller has parsed it already (re-extraction reads the ticker
    from the same tree): extraction only reads it."""
    tree = page_tree(response) if tree is None else tree
    page_url = response.url
    scripts = Scripts(tree)
    tawsiyat = Tawsiyat.read(scripts)
    jsonld = JsonLd.read(scripts)
    dom = Dom(tree)
    kind = page_kind(
        page_url,
        tawsiyat.type if tawsiyat else None,
        tawsiyat.class_value("posttype") if tawsiyat else None,
        states_article=states_article(tawsiyat, jsonld, dom),
    )
    if kind != "article":
        return Extraction(kind)

    notes: list[str] = []
    # Links resolve against the page's <base href> when it has one (response.urljoin's base).
    loader = ArticleLoader(
        root=root, page_url=page_url, base_url=get_base_url(response), notes=notes
    )

    readers: dict[str, Reader | None] = {
        "tawsiyat": tawsiyat.value if tawsiyat else None,
        "jsonld": jsonld.value if jsonld else None,
        "meta": Meta(tree).value,
        "dom": dom.value,
        "served": lambda _name: page_url,
        "default": lambda _name: DEFAULT_LANGUAGE,
    }

    def add(name: str) -> str:
        order = FIELD_SOURCES[name]
        stated = [(source, reader) for source in order if (reader := readers[source]) is not None]
        return loader.add_first(name, stated)

    # The URL first, whatever the order of the table: the article's own URL is the "url" source
    # of the fields its path states (section, content type).
    sources = {"url": add("url")}
    url = next(iter(loader.get_collected_values("url")), page_url)
    readers["url"] = lambda name: (
        section_from_url(url) if name == "section" else content_type_from_url(url)
    )
    for name in FIELD_SOURCES:
        if name not in sources:
            sources[name] = add(name)

    body = dom.body()
    if body is not None:
        loader.add_value("body", body.text)
        loader.add_value("related_urls", body.related_hrefs)
    sources["body"] = sources["related_urls"] = "dom" if body is not None else "missing"

    item: ArticleItem = loader.load_item()
    if item.body is not None:
        item.word_count = len(item.body.split())
        if item.title is not None:
            item.content_hash = content_hash(item.title, item.body)
    item.crawled_at = iso_seconds(crawled_at or datetime.now(UTC))
    return Extraction(kind, item, sources, notes)
