"""The report's "edited after publication" figures: how many stored articles changed after the
crawler first stored them, how long after publication each edit was seen, the largest edits and
the headline changes. Read from the store's versions (``store.versions``); ``report.page`` draws
them. ``scrapy diff URL`` shows any of them word by word."""

import sqlite3
from dataclasses import dataclass
from typing import Final

from mayadeen.report.changes import Change, changes
from mayadeen.store.versions import edited_urls, versions

DELAYS: Final = (
    ("within an hour", 1.0),
    ("1 to 24 hours", 24.0),
    ("1 to 7 days", 24.0 * 7),
    ("later", float("inf")),
)
"""How long after publication an edit was seen, by bucket: label, upper bound in hours."""


@dataclass(frozen=True)
class Edit:
    url: str
    title: str
    """The article's title in the newer version."""
    versions: tuple[int, int]
    stored_at: str
    words_changed: int
    fields: tuple[str, ...]
    hours_after_publication: float | None
    headline: tuple[str, str] | None


@dataclass(frozen=True)
class Edits:
    edited: int
    """Articles stored in more than one version."""
    edits: list[Edit]
    """Every change between two stored versions, newest first."""
    top: int

    @property
    def delays(self) -> dict[str, int]:
        """Edits per bucket of ``DELAYS`` (those with a publication time)."""
        counts = dict.fromkeys((label for label, _ in DELAYS), 0)
        for edit in self.edits:
            hours = edit.hours_after_publication
            if hours is not None:
                counts[next(label for label, bound in DELAYS if hours < bound)] += 1
        return counts

    @property
    def largest(self) -> list[Edit]:
        """The ``top`` edits that changed the most words of title and body."""
        ordered = sorted(self.edits, key=lambda e: (-e.words_changed, e.url, e.versions))
        return [edit for edit in ordered if edit.words_changed][: self.top]

    @property
    def headlines(self) -> list[Edit]:
        """The ``top`` newest edits that changed the headline."""
        return [edit for edit in self.edits if edit.headline][: self.top]


def _edit(url: str, change: Change) -> Edit:
    return Edit(
        url=url,
        title=change.new.values.get("title") or "",
        versions=(change.old.number, change.new.number),
        stored_at=change.new.stored_at,
        words_changed=change.words_changed,
        fields=change.fields,
        hours_after_publication=change.hours_after_publication,
        headline=change.headline,
    )


def read(store: sqlite3.Connection, top: int) -> Edits:
    urls = edited_urls(store)
    found = [_edit(url, change) for url in urls for change in changes(versions(store, url))]
    found.sort(key=lambda edit: (edit.stored_at, edit.url), reverse=True)
    return Edits(edited=len(urls), edits=found, top=top)
