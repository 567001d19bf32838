"""The canary: a handful of live article pages whose extraction is known, fetched again by
``scrapy canary`` to tell a change of the site from a quiet day (docs/drift.md).

The pages and what each must give (the item and the source of every field) are ``canary.json``
beside this module, package data read through :mod:`importlib.resources` so that it loads from a
Scrapyd egg too; ``scrapy record URL --name NAME --canary`` adds or refreshes an entry.
"""

from importlib.resources import files
from importlib.resources.abc import Traversable
from typing import Final

CANARY_PAGES_FILE: Final = "canary.json"

CANARY_NOT_COMPARED: Final = frozenset({"crawled_at"})
"""Fields that differ on every fetch: never compared, never shown."""

CANARY_INFO_ONLY: Final = frozenset({"modified_at"})
"""Fields the site changes without any change of its layout (editors and the CMS touch old
articles): a different value is shown as information and does not fail the canary. Where the value
came from is still compared, so a ``modified_at`` that falls from tawsiyat to meta, or goes
missing, is drift."""

SAMPLE_REQUIRED: Final = frozenset(
    {"url", "title", "authors", "section", "content_type", "published_at", "body"}
)
"""Fields every article states: a sampled capture (``scrapy canary --via wayback --sample N``),
which has no recorded expectation, is reported when one of them comes out empty. Not
``article_id``: a page without a usable tawsiyat block and without a JSON-LD ``identifier`` states
none, legitimately."""

SAMPLE_USUALLY_STATED: Final = frozenset(
    {"article_id", "summary", "tags", "image_url", "read_time_minutes"}
)
"""Fields most articles state but some legitimately lack: one sampled page without it is no
drift; every sampled page without it (at least ``SAMPLE_MIN_PAGES``) is a field that lost its
value. The rest (``coverage``, ``source``, ``image_caption``, ``modified_at``) are stated by some
articles only, and are never reported as missing from a sample."""

SAMPLE_MIN_PAGES: Final = 3
"""Sampled pages needed before the sample as a whole can show drift: a field that lost its value
on all of them, or a field none of them took from the canary pages' source for it (a block or
selector that stopped matching). One page without a tawsiyat block is a variant the site has;
every page without one is a change of the site."""


def canary_pages_file() -> Traversable:
    """The packaged list of canary pages."""
    return files(__package__ or "mayadeen.site") / CANARY_PAGES_FILE


__all__ = [
    "CANARY_INFO_ONLY",
    "CANARY_NOT_COMPARED",
    "CANARY_PAGES_FILE",
    "SAMPLE_MIN_PAGES",
    "SAMPLE_REQUIRED",
    "SAMPLE_USUALLY_STATED",
    "canary_pages_file",
]
