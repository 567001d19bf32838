"""What changed between two stored versions of an article: the fields that differ and a
word-level diff of the text (difflib), for ``scrapy diff`` and the report's edits section.

A diff marks removed words ``[-like this-]`` and added ones ``{+like this+}`` (wdiff's
notation, which reads in a terminal, a log and a mail alike).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from difflib import SequenceMatcher
from itertools import pairwise
from typing import Final

from mayadeen.store.schema import COMPARED
from mayadeen.store.versions import Version

TEXT_FIELDS: Final = ("title", "summary", "body", "image_caption")
"""Fields shown as a word diff; the others as ``old → new``."""
MEASURED: Final = ("title", "body")
"""The text an edit's size counts (the contract's ``content_hash`` covers the same)."""


@dataclass(frozen=True)
class Change:
    """One version replaced by the next."""

    old: Version
    new: Version

    @property
    def fields(self) -> tuple[str, ...]:
        """The item fields whose values differ, in item order (not the fetch time)."""
        return tuple(n for n in COMPARED if self.old.values.get(n) != self.new.values.get(n))

    @property
    def words_changed(self) -> int:
        """Words removed plus words added, over title and body."""
        return sum(
            words_changed(self.old.values.get(name) or "", self.new.values.get(name) or "")
            for name in MEASURED
        )

    @property
    def hours_after_publication(self) -> float | None:
        """How long after the (new version's) publication time the crawler stored the edit."""
        published = self.new.values.get("published_at")
        if not published:
            return None
        seen = datetime.fromisoformat(self.new.stored_at)
        return (seen - datetime.fromisoformat(published)).total_seconds() / 3600

    @property
    def headline(self) -> tuple[str, str] | None:
        """The old and the new title, when the title changed."""
        old, new = self.old.values.get("title"), self.new.values.get("title")
        return (old or "", new or "") if old != new else None


def changes(history: Sequence[Version]) -> list[Change]:
    """Each version and the one that replaced it, oldest first."""
    return [Change(old, new) for old, new in pairwise(history)]


def _opcodes(old: list[str], new: list[str]) -> Sequence[tuple[str, int, int, int, int]]:
    return SequenceMatcher(None, old, new, autojunk=False).get_opcodes()


def words_changed(old: str, new: str) -> int:
    """Words removed plus words added from ``old`` to ``new``.

    >>> words_changed("the quick brown fox", "the slow brown fox jumps")
    3
    """
    a, b = old.split(), new.split()
    return sum(i2 - i1 + j2 - j1 for tag, i1, i2, j1, j2 in _opcodes(a, b) if tag != "equal")


def word_diff(old: str, new: str, context: int | None = None) -> str:
    """``old`` to ``new`` word by word; with ``context``, unchanged runs longer than twice that
    are cut to ``context`` words each side (`` … ``).

    >>> word_diff("the quick brown fox", "the slow brown fox jumps")
    'the [-quick-] {+slow+} brown fox {+jumps+}'
    >>> word_diff("a b c d e f g h x", "a b c d e f g h y", context=2)
    '… g h [-x-] {+y+}'
    """
    a, b = old.split(), new.split()
    parts: list[str] = []
    codes = _opcodes(a, b)
    for index, (tag, i1, i2, j1, j2) in enumerate(codes):
        if tag == "equal":
            parts.append(_context(a[i1:i2], context, index == 0, index == len(codes) - 1))
            continue
        if i2 > i1:
            parts.append(f"[-{' '.join(a[i1:i2])}-]")
        if j2 > j1:
            parts.append(f"{{+{' '.join(b[j1:j2])}+}}")
    return " ".join(part for part in parts if part)


def _context(words: list[str], context: int | None, first: bool, last: bool) -> str:
    if context is None or len(words) <= 2 * context:
        return " ".join(words)
    head = [] if first else words[:context]
    tail = [] if last else words[-context:]
    return " ".join([*head, "…", *tail])


def after_text(hours: float) -> str:
    """How long after publication, in hours under two days, else in days.

    >>> after_text(3.25), after_text(50), after_text(-0.5)
    ('3.2 h', '2.1 days', '-0.5 h')
    """
    return f"{hours:.1f} h" if hours < 48 else f"{hours / 24:.1f} days"


def value_text(value: object) -> str:
    """A field's value as the diff shows it: lists as their items, null as ``null``.

    >>> value_text(["a", "b"]), value_text(None), value_text(3)
    ('[a, b]', 'null', '3')
    """
    if value is None:
        return "null"
    if isinstance(value, list):
        return "[" + ", ".join(str(item) for item in value) + "]"
    return str(value)
