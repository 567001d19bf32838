"""What a re-extraction changed, field by field: counts and a few examples, for the report."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from mayadeen.store.schema import COMPARED

EXAMPLES: Final = 3
"""Examples kept per field."""


@dataclass
class FieldChange:
    changed: int = 0
    were_null: int = 0
    examples: list[tuple[str, Any, Any]] = field(default_factory=list)
    """(URL, stored value, re-extracted value)."""


@dataclass
class Changes:
    """Per field, how many stored articles a re-extraction changed."""

    fields: dict[str, FieldChange] = field(default_factory=dict)
    articles_changed: int = 0
    articles_new: int = 0

    def add(
        self, url: str, before: Mapping[str, Any] | None, after: Mapping[str, Any]
    ) -> list[str]:
        """Compare an article's stored values (None: not stored) with its re-extracted ones;
        returns the fields that changed.

        >>> changes = Changes()
        >>> changes.add("u", {"title": "A", "image_caption": None}, {"title": "A", "image_caption": "c"})
        ['image_caption']
        >>> changes.report()
        ['image_caption: 1 changed (1 were null)', "  u: None → 'c'"]
        """
        if before is None:
            self.articles_new += 1
            return []
        changed = [name for name in COMPARED if name in after and before.get(name) != after[name]]
        for name in changed:
            entry = self.fields.setdefault(name, FieldChange())
            entry.changed += 1
            entry.were_null += before.get(name) in (None, [], "")
            if len(entry.examples) < EXAMPLES:
                entry.examples.append((url, before.get(name), after[name]))
        self.articles_changed += bool(changed)
        return changed

    def report(self) -> list[str]:
        """The lines printed at the end: ``image_caption: 1,204 changed (1,198 were null)`` and
        its examples, most changed fields first."""
        lines = []
        for name, entry in sorted(self.fields.items(), key=lambda kv: (-kv[1].changed, kv[0])):
            lines.append(f"{name}: {entry.changed:,} changed ({entry.were_null:,} were null)")
            lines.extend(
                f"  {url}: {_short(old)} → {_short(new)}" for url, old, new in entry.examples
            )
        return lines

    def stats(self) -> Iterable[tuple[str, int]]:
        """Counters for the run's stats (and so its manifest): ``changed/<field>``,
        ``were_null/<field>``."""
        for name, entry in self.fields.items():
            yield f"changed/{name}", entry.changed
            yield f"were_null/{name}", entry.were_null


def _short(value: Any, limit: int = 80) -> str:
    """A value as the report shows it, cut at ``limit`` characters.

    >>> len(_short("x" * 100)), _short("x" * 100)[-3:]
    (80, "x…'")
    """
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 2] + "…" + text[-1]
