"""The article loader: each field's processors, and the first-usable-source-wins rule.

The loader's context carries ``root`` (the site root URLs are canonicalised onto), ``page_url``
(what relative links resolve against) and ``notes`` (a list that date parsing reports
non-existent and ambiguous wall times to).
"""

from collections.abc import Callable, Iterable, MutableMapping
from functools import partial
from inspect import signature
from typing import Any
from urllib.parse import urljoin, urlsplit

from itemloaders import ItemLoader, unbound_method
from itemloaders.common import wrap_loader_context
from itemloaders.processors import Identity, TakeFirst
from itemloaders.utils import arg_to_iter

from mayadeen.items import ArticleItem
from mayadeen.pages.dates import parse_datetime
from mayadeen.pages.processors import (
    clean_text,
    known_spelling,
    language_code,
    post_id,
    read_time_minutes,
    respell,
    safe_url,
    source_line,
    split_keywords,
    split_names,
    strip_byline_prefix,
    strip_pattern,
    unique,
)
from mayadeen.site.article import HOUSE_BYLINES, TITLE_SITE_NAME
from mayadeen.site.page_kinds import POSTTYPE_CONTENT_TYPES
from mayadeen.site.urls import canonical_url, url_shape

Context = MutableMapping[str, Any]


def _canonical(value: Any, loader_context: Context) -> str | None:
    if not isinstance(value, str):
        return None
    return canonical_url(value, loader_context["root"], loader_context.get("page_url"))


def _link(value: Any, loader_context: Context) -> str | None:
    """A link in the page, resolved against the page's base (``<base href>``) like response.urljoin."""
    if not isinstance(value, str):
        return None
    base = loader_context.get("base_url") or loader_context.get("page_url")
    return canonical_url(value, loader_context["root"], base)


def _article_link(value: Any, loader_context: Context) -> str | None:
    """An article link, or one whose shape is unknown: the page it leads to says what it is."""
    url = _link(value, loader_context)
    return url if url and url_shape(url) in {"article", "unknown"} else None


def _absolute(value: Any, loader_context: Context) -> str | None:
    text = clean_text(value)
    if text is None:
        return None
    if text.startswith(("https://", "http://")):
        return safe_url(text)
    url = urljoin(loader_context.get("base_url") or loader_context.get("page_url") or "", text)
    return safe_url(url) if urlsplit(url).scheme in {"http", "https"} else None


def _datetime(value: Any, loader_context: Context) -> str | None:
    return parse_datetime(value, loader_context.get("notes"))


class Chain:
    """MapCompose for this loader: every function is applied to each value in turn, list results
    are flattened and None dropped; which functions take the loader context is settled once.

    >>> Chain(str.split, str.upper)("a b")
    ['A', 'B']
    """

    def __init__(self, *functions: Callable[..., Any]) -> None:
        self.steps = [(f, "loader_context" in signature(f).parameters) for f in functions]

    def __call__(self, value: Any, loader_context: Context | None = None) -> list[Any]:
        values = value if isinstance(value, list) else [value]
        for function, takes_context in self.steps:
            results: list[Any] = []
            for item in values:
                result = (
                    function(item, loader_context=loader_context)
                    if takes_context
                    else function(item)
                )
                if isinstance(result, list):
                    results += result
                elif result is not None:
                    results.append(result)
            values = results
        return values


def _first_value(values: list[Any]) -> Any:
    """The first value even when empty: a body of ``""`` is a finding, not an absence."""
    return values[0] if values else None


_PROCESSORS: dict[tuple[type[ItemLoader], str, str], Callable[..., Any]] = {}


def _processor(loader: type[ItemLoader], field_name: str, direction: str) -> Callable[..., Any]:
    """A field's processor, looked up once: itemloaders would otherwise consult the item's field
    metadata (which this project does not use) on every value added."""
    key = (loader, field_name, direction)
    if key not in _PROCESSORS:
        default = getattr(loader, f"default_{'input' if direction == 'in' else 'output'}_processor")
        _PROCESSORS[key] = unbound_method(getattr(loader, f"{field_name}_{direction}", default))
    return _PROCESSORS[key]


class ArticleLoader(ItemLoader):
    """Builds an ``ArticleItem``; ``add_first`` implements the layered sources."""

    default_item_class = ArticleItem
    default_input_processor = Chain(clean_text)
    default_output_processor = TakeFirst()

    url_in = Chain(_canonical)
    article_id_in = Chain(post_id)
    title_in = Chain(clean_text, partial(strip_pattern, pattern=TITLE_SITE_NAME))
    authors_in = Chain(
        clean_text, strip_byline_prefix, split_names, partial(respell, spellings=HOUSE_BYLINES)
    )
    authors_out = unique
    source_in = Chain(clean_text, source_line)
    content_type_in = Chain(clean_text, partial(known_spelling, spellings=POSTTYPE_CONTENT_TYPES))
    published_at_in = Chain(_datetime)
    modified_at_in = Chain(_datetime)
    read_time_minutes_in = Chain(clean_text, read_time_minutes)
    tags_in = Chain(split_keywords)
    tags_out = unique
    image_url_in = Chain(_absolute)
    language_in = Chain(clean_text, language_code)
    body_in = Identity()
    body_out = _first_value
    related_urls_in = Chain(_article_link)
    related_urls_out = unique

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._inputs: dict[str, Callable[[Any], Any]] = {}

    def get_input_processor(self, field_name: str) -> Callable[..., Any]:
        return _processor(type(self), field_name, "in")

    def get_output_processor(self, field_name: str) -> Callable[..., Any]:
        return _processor(type(self), field_name, "out")

    def add_first(self, field: str, sources: Iterable[tuple[str, Callable[[str], Any]]]) -> str:
        """Add the value of the first source whose value survives the field's input processors.

        ``sources`` pairs a source's name with its reader, called with the field's name, so a
        source is only read when every source before it had nothing usable. The value is chosen
        first, through the field's input processor called directly, and its processed values
        added to the loader once; returns the winning source's name, or ``missing``.
        """
        process = self._bound_input(field)
        for source, read in sources:
            value = read(field)
            if value is None or value == "" or value == []:
                continue
            if processed := process(arg_to_iter(value)):
                self._collect(field, processed)
                return source
        return "missing"

    def _bound_input(self, field: str) -> Callable[[Any], Any]:
        """The field's input processor with this loader's context, as ``add_value`` calls it
        (``ItemLoader._process_input_value``), built once per field."""
        if (bound := self._inputs.get(field)) is None:
            processor = self.get_input_processor(field)
            bound = self._inputs[field] = wrap_loader_context(processor, self.context)
        return bound

    def _collect(self, field: str, processed: Any) -> None:
        """Add values already through the field's input processor: what ``add_value`` does once
        its processor has run (``ItemLoader._add_value``), without running it a second time."""
        self._values.setdefault(field, [])
        self._values[field] += arg_to_iter(processed)
