"""What a loopback site is made of: listed entries and served pages."""

import re
import zlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from mayadeen.loopback.anatomy import LIVE_ROOT

Kind = Literal["article", "invalid", "video", "infograph", "author", "page"]
ITEM_KINDS: frozenset[str] = frozenset({"article", "invalid"})
"""Kinds served at article URLs (``invalid`` ones are articles that must fail validation)."""


@dataclass(frozen=True, slots=True)
class Entry:
    """A content page as listings, sitemaps and the RSS feed show it."""

    path: str
    """Canonical path with a leading ``/`` and a raw ``:``, e.g. ``/news/politics/slug``."""
    title: str
    kind: Kind
    published: datetime
    modified: datetime | None = None
    section: str | None = None
    """The listing the entry appears in: ``news/politics``, ``videos/tv``, ``infographs``..."""
    image_url: str | None = None
    summary: str = ""
    tags: tuple[str, ...] = ()
    coverage: str | None = None
    author: str | None = None
    """The canonical byline name (author pages list the entries that carry it)."""


@dataclass(frozen=True, slots=True)
class Page:
    """A response the server sends: status, content type and body with live-site URLs."""

    body: bytes
    content_type: str = "text/html; charset=utf-8"
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def html(cls, text: str, status: int = 200) -> "Page":
        return cls(text.encode("utf-8"), status=status)

    @classmethod
    def xml(cls, text: str, content_type: str = "application/xml; charset=utf-8") -> "Page":
        return cls(text.encode("utf-8"), content_type=content_type)


def choice_for(key: str, salt: str, modulo: int) -> int:
    """A stable pseudo-random number in ``range(modulo)`` for ``key`` (same on every run).

    >>> choice_for("/news/politics/x", "spelling", 10) == choice_for("/news/politics/x", "spelling", 10)
    True
    """
    return zlib.crc32(f"{salt}|{key}".encode()) % modulo


def link_spelling(path: str, salt: str) -> str:
    """One of the spellings the live site uses for a link to ``path``, chosen stably.

    Links on the real site write an old slug's ``:`` raw or as ``%3A``, and carry ``utm_*``
    parameters or a trailing slash; a crawler must collapse them all to one canonical URL.
    """
    roll = choice_for(path, salt, 20)
    if ":" in path and roll < 8:
        return path.replace(":", "%3A")
    if roll in (8, 9):
        return f"{path}?utm_source=twitter&utm_medium=social"
    if roll == 10:
        return f"{path}/"
    if roll == 11:
        return f"{path}#comments"
    return path


_RANGE = re.compile(r"bytes=(\d+)-(\d*)$")


def ranged(page: Page, requested: str | None) -> Page:
    """The part of ``page`` a ``Range: bytes=a-b`` header asks for (206), when the page takes
    ranges (``Accept-Ranges: bytes``, as Common Crawl's data does); 416 past its end.

    >>> ranged(Page(b"0123456789", headers={"Accept-Ranges": "bytes"}), "bytes=2-4").body
    b'234'
    """
    match = _RANGE.match(requested or "")
    if match is None or page.status != 200 or page.headers.get("Accept-Ranges") != "bytes":
        return page
    size = len(page.body)
    first = int(match[1])
    last = min(int(match[2]) if match[2] else size - 1, size - 1)
    if first >= size or last < first:
        return Page(b"", "text/plain", 416, {"Content-Range": f"bytes */{size}"})
    headers = {**page.headers, "Content-Range": f"bytes {first}-{last}/{size}"}
    return Page(page.body[first : last + 1], page.content_type, 206, headers)


def rewrite(body: bytes, root: str) -> bytes:
    """Live-site URLs in ``body`` pointed at ``root`` (plain and JSON-escaped spellings)."""
    new = root.encode()
    for old in (LIVE_ROOT, LIVE_ROOT.replace("https:", "http:")):
        body = body.replace(old.encode(), new).replace(
            old.replace("/", "\\/").encode(), new.replace(b"/", b"\\/")
        )
    return body
