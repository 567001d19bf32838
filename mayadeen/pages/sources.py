"""The four sources of an article page, read with the site module's rules.

Each source answers ``value(field)`` with the raw value it states for a field, or None. A source
that is missing from the page or is not valid JSON states nothing; nothing here raises on bad
markup. JSON strings come out encodable: a lone surrogate escape (``"\\ud800"``) in the CMS's JSON is
read as U+FFFD. Cleaning and parsing the raw values is the loader's job.
"""

import json
import re
from collections.abc import Iterator
from typing import Any

from lxml import etree
from parsel.csstranslator import HTMLTranslator

from mayadeen.site.article import (
    JSONLD_ARTICLE_TYPE,
    JSONLD_KEYS,
    JSONLD_SCRIPT,
    META_KEYS,
    TAWSIYAT_CLASSES,
    TAWSIYAT_KEYS,
    TAWSIYAT_SCRIPT,
)

_translator = HTMLTranslator()
_JSON = json.JSONDecoder(strict=False)  # the CMS leaves raw control characters in strings


def compile_css(css: str) -> etree.XPath:
    """A CSS selector compiled once to an lxml XPath that returns plain strings."""
    return etree.XPath(_translator.css_to_xpath(css), smart_strings=False)


_TEXT = etree.XPath(
    ".//text()[not(ancestor::script) and not(ancestor::style)] | .//br", smart_strings=False
)


def element_text(element: Any) -> str:
    """The text a reader sees in an element: scripts and styles left out, ``<br>`` as a space."""
    if not len(element):  # no child elements: most paragraphs, and 20 times cheaper
        return element.text or ""
    return "".join(part if isinstance(part, str) else " " for part in _TEXT(element))


_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
"""A ``\\uD800``-``\\uDFFF`` escape: half of a pair, or a lone one the CMS sometimes writes."""
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def without_lone_surrogates(value: Any) -> Any:
    """Decoded JSON with every lone surrogate (an escape like ``"\\ud800"`` without its other
    half) replaced by U+FFFD, in keys and values: such a string cannot be encoded as UTF-8, so it
    would fail later when the item is hashed, stored or exported. Paired escapes were already
    joined into one character by the decoder.

    >>> decoded = {"t\\ud800": ["a\\udfffb", 1, None, {"x": "\\U0001f600"}]}
    >>> without_lone_surrogates(decoded) == {"t\\ufffd": ["a\\ufffdb", 1, None, {"x": "\\U0001f600"}]}
    True
    """
    if isinstance(value, str):
        return _LONE_SURROGATE.sub("\ufffd", value)
    if isinstance(value, list):
        return [without_lone_surrogates(v) for v in value]
    if isinstance(value, dict):
        return {without_lone_surrogates(k): without_lone_surrogates(v) for k, v in value.items()}
    return value


def _load_json(text: str | None) -> Any:
    if not text or not text.strip():
        return None
    try:
        data = _JSON.decode(text)
        # Only JSON spelling a surrogate escape can hold one (a page's text never does: it was
        # decoded from bytes), so the usual page pays for one search.
        return without_lone_surrogates(data) if _SURROGATE_ESCAPE.search(text) else data
    except (ValueError, RecursionError):
        return None


def first_match(selectors: tuple[etree.XPath, ...], root: Any) -> list[Any]:
    """What the first selector that matches anything finds under ``root``, in document order."""
    for selector in selectors:
        if found := selector(root):
            return list(found)
    return []


class Scripts:
    """The page's metadata scripts (``site.article.TAWSIYAT_SCRIPT``, ``JSONLD_SCRIPT``), found
    in one pass over its ``<script>`` elements: cheaper than an XPath over the whole page for
    each rule, with the same elements."""

    def __init__(self, root: Any) -> None:
        tawsiyat: list[Any] = [None] * len(TAWSIYAT_SCRIPT)
        self.jsonld: list[Any] = []
        """Every JSON-LD script, in document order."""
        attribute, value = JSONLD_SCRIPT
        for script in root.iter("script"):
            for rule, (name, wanted) in enumerate(TAWSIYAT_SCRIPT):
                if tawsiyat[rule] is None and script.get(name) == wanted:
                    tawsiyat[rule] = script
            if script.get(attribute) == value:
                self.jsonld.append(script)
        self.tawsiyat: Any = next((script for script in tawsiyat if script is not None), None)
        """The tawsiyat script: the first matching the first rule any script matches."""


class Tawsiyat:
    """The CMS's ``<script type="text/tawsiyat">`` JSON block."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data

    @classmethod
    def read(cls, scripts: Scripts) -> "Tawsiyat | None":
        script = scripts.tawsiyat
        data = _load_json(script.text) if script is not None else None
        return cls(data) if isinstance(data, dict) else None

    def class_value(self, mapping: str) -> str | None:
        """The value of the first entry of ``classes`` with this mapping."""
        classes = self.data.get("classes")
        for entry in classes if isinstance(classes, list) else []:
            if isinstance(entry, dict) and entry.get("mapping") == mapping:
                value = entry.get("value")
                if isinstance(value, str) and value.strip():
                    return value.strip()
        return None

    @property
    def type(self) -> str | None:
        value = self.data.get("type")
        return value if isinstance(value, str) else None

    def value(self, field: str) -> Any:
        if field in TAWSIYAT_CLASSES:
            return self.class_value(TAWSIYAT_CLASSES[field])
        key = TAWSIYAT_KEYS.get(field)
        return self.data.get(key) if key else None


def _walk_jsonld(node: Any, depth: int = 0) -> Iterator[dict[str, Any]]:
    if depth > 8:
        return
    if isinstance(node, list):
        for child in node:
            yield from _walk_jsonld(child, depth + 1)
    elif isinstance(node, dict):
        yield node
        yield from _walk_jsonld(node.get("@graph"), depth + 1)


def _is_article(node: dict[str, Any]) -> bool:
    types = node.get("@type")
    names = types if isinstance(types, list) else [types]
    return any(isinstance(n, str) and JSONLD_ARTICLE_TYPE.search(n) for n in names)


def _names(value: Any) -> list[str]:
    """schema.org people or organisations (object, string, or a list of them) as names."""
    items = value if isinstance(value, list) else [value]
    names = (item.get("name") if isinstance(item, dict) else item for item in items)
    return [name for name in names if isinstance(name, str)]


def _image_url(value: Any) -> Any:
    """schema.org image: a URL, an ImageObject, or a list of either; the first URL."""
    for item in value if isinstance(value, list) else [value]:
        candidate = (item.get("url") or item.get("contentUrl")) if isinstance(item, dict) else item
        if isinstance(candidate, str) and candidate.strip():
            return candidate
    return None


class JsonLd:
    """The page's schema.org article object from ``application/ld+json``."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data

    @classmethod
    def read(cls, scripts: Scripts) -> "JsonLd | None":
        for script in scripts.jsonld:
            for node in _walk_jsonld(_load_json(script.text)):
                if _is_article(node):
                    return cls(node)
        return None

    def value(self, field: str) -> Any:
        key = JSONLD_KEYS.get(field)
        value = self.data.get(key) if key else None
        if field == "authors":
            return _names(value)
        if field == "image_url":
            return _image_url(value)
        if field in {"url", "section"} and isinstance(value, list):
            return value[0] if value else None
        return value


class Meta:
    """``<meta>`` names and properties, the canonical link and ``<html lang>``."""

    def __init__(self, root: Any) -> None:
        values: dict[str, str] = {}
        for element in root.iter("meta", "link"):  # one pass in C: cheaper than two XPaths
            if element.tag == "link":
                if "canonical" in (element.get("rel") or "").lower().split():
                    values.setdefault("canonical", element.get("href") or "")
                continue
            key = element.get("property") or element.get("name") or ""
            values.setdefault(key.strip().lower(), element.get("content") or "")
        values["html:lang"] = root.getroottree().getroot().get("lang") or ""
        self.values = values

    def value(self, field: str) -> Any:
        for key in META_KEYS.get(field, ()):
            if value := self.values.get(key):
                return value
        return None
