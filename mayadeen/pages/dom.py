"""The visible page as a source: text by the site module's selectors, and the article body.

The body is walked without recursion, so deeply nested markup cannot exhaust the stack.
"""

from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from mayadeen.pages.processors import collapse_whitespace
from mayadeen.pages.sources import compile_css, element_text, first_match
from mayadeen.site.article import (
    ARTICLE_SCOPE,
    BODY_BLOCK_TAGS,
    BODY_CONTAINER,
    BODY_NESTING_TAGS,
    BODY_SKIPPED_TAGS,
    DISCLAIMER_CLASS,
    DISCLAIMER_PREFIX,
    DOM_IMAGE,
    DOM_TAGS,
    DOM_TEXT,
    EMBED_CLASSES,
    IMAGE_ATTRIBUTES,
    LEAD_CLASS,
    READ_MORE,
    RELATED_BOX_CLASS,
)

_TEXT_SELECTORS = {
    name: tuple(compile_css(css) for css in selectors) for name, selectors in DOM_TEXT.items()
}
_SCOPE = tuple(compile_css(css) for css in ARTICLE_SCOPE)
_TAGS = tuple(compile_css(css) for css in DOM_TAGS)
_IMAGE = tuple(compile_css(css) for css in DOM_IMAGE)
_BODY = tuple(compile_css(css) for css in BODY_CONTAINER)


@dataclass
class Body:
    """The article text as blocks, and the links of its Related News box and ``Read more:`` lines."""

    blocks: list[str] = field(default_factory=list)
    related_hrefs: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n\n".join(self.blocks)


def _hrefs(element: Any) -> list[str]:
    return [href for a in element.iter("a") if (href := a.get("href"))]


_HAS_BLOCK = etree.XPath(
    "boolean(descendant::*[" + " or ".join(f"self::{tag}" for tag in sorted(BODY_BLOCK_TAGS)) + "])"
)


def read_body(container: Any) -> Body:
    """The blocks of a body container in document order, with what the contract leaves out."""
    body = Body()
    stack = list(reversed(container))
    while stack:
        element = stack.pop()
        tag = element.tag
        if not isinstance(tag, str) or tag in BODY_SKIPPED_TAGS:
            continue  # comments, processing instructions, scripts, embeds
        classes = element.get("class") or ""
        if RELATED_BOX_CLASS in classes:
            body.related_hrefs += _hrefs(element)
            continue
        if DISCLAIMER_CLASS in classes or LEAD_CLASS in classes:
            continue
        if classes and any(embed in classes for embed in EMBED_CLASSES):
            continue
        if tag in BODY_BLOCK_TAGS and (tag not in BODY_NESTING_TAGS or not _HAS_BLOCK(element)):
            text = collapse_whitespace(element_text(element))
            if READ_MORE.match(text):
                body.related_hrefs += _hrefs(element)
            elif text and not text.startswith(DISCLAIMER_PREFIX):
                body.blocks.append(text)
            continue
        stack.extend(reversed(element))
    return body


class Dom:
    """What a reader sees; the last source for most fields and the only one for the body."""

    def __init__(self, root: Any) -> None:
        scopes = first_match(_SCOPE, root)
        self.root = scopes[0] if scopes else root

    def value(self, name: str) -> Any:
        if name == "tags":
            return [element_text(element) for element in first_match(_TAGS, self.root)]
        if name == "image_url":
            return self.image_url()
        elements = first_match(_TEXT_SELECTORS.get(name, ()), self.root)
        return element_text(elements[0]) if elements else None

    def image_url(self) -> str | None:
        for image in first_match(_IMAGE, self.root):
            for attribute in IMAGE_ATTRIBUTES:
                src: str = (image.get(attribute) or "").strip()
                if src and not src.startswith("data:"):
                    return src  # the loader makes it absolute
        return None

    def has_article_markup(self) -> bool:
        """A headline and a body container: the markup of an article page."""
        return bool(first_match(_BODY, self.root)) and self.value("title") is not None

    def body(self) -> Body | None:
        """The body, or None when the page has no body container at all."""
        containers = first_match(_BODY, self.root)
        return read_body(containers[0]) if containers else None
