"""Rules for reading an article page: house bylines, the sources tried per field, their keys, and
the DOM selectors (guesses, each a tuple tried in order)."""

import re
from typing import Final

# -- Names -------------------------------------------------------------------------------------

HOUSE_BYLINES: Final = {
    "al mayadeen net": "Al Mayadeen Net",
    "al mayadeen english": "Al Mayadeen English",
    # Plain "By Al Mayadeen" (a real 2021 page) names neither house byline: it stays as the page
    # writes it, in the house's capitals (the contract).
    "al mayadeen": "Al Mayadeen",
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
    "content_type": ("url", "tawsiyat"),  # tawsiyat's posttype: a page under an unexpected URL
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
TAWSIYAT_CLASSES: Final = {
    "coverage": "coverage",
    "section": "category",
    "content_type": "posttype",
}
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

# -- The metadata scripts: a <script> element's attribute and value ------------------------------

TAWSIYAT_SCRIPT: Final = (("id", "tawsiyat-metadata"), ("type", "text/tawsiyat"))
"""The tawsiyat block: ``<script id="tawsiyat-metadata">``, else ``<script type="text/tawsiyat">``
(the first of the page that matches the first rule that matches any). As attribute and value
rather than CSS: one pass over the page's scripts finds both blocks (issue 27)."""
JSONLD_SCRIPT: Final = ("type", "application/ld+json")
"""Every ``<script type="application/ld+json">`` of the page, in document order."""

# -- Selectors (CSS) ---------------------------------------------------------------------------

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
