"""What ``scrapy export`` can write: the articles, or instead another table of the store.

Each kind of row says its columns, the formats it is written in and which of the command's
selecting options apply to it; ``scrapy export`` refuses the others in one line. The articles are
the contract's item (every format, every filter); the near-duplicate pairs and the BREAKING
ticker's lines have columns of their own, so Parquet (whose schema is the item's) is not theirs.
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import IO, Any

from mayadeen.exporters import EXPORT_FORMATS, exporting
from mayadeen.items import FIELD_NAMES
from mayadeen.store import Store
from mayadeen.store.breaking import COLUMNS as BREAKING_COLUMNS
from mayadeen.store.breaking import all_lines
from mayadeen.store.near_duplicates import NEAR_DUPLICATE_COLUMNS

FILTERS = ("published_since", "section", "tag")
"""``Store.articles``' filters besides ``changed_since``, as ``scrapy export`` names its options."""

Reader = Callable[[Store, str | None, Mapping[str, str | None]], Iterable[Mapping[str, Any]]]


@dataclass(frozen=True)
class Rows:
    """One kind of row ``scrapy export`` writes."""

    name: str
    """How the command counts them: ``export: 12 articles to out.csv``."""
    option: str | None
    """The option choosing them (None: the articles, the default)."""
    scope: str
    """What the option writes, for its refusal of an article's filter."""
    columns: tuple[str, ...]
    """Their columns, in order."""
    formats: tuple[str, ...]
    selections: tuple[str, ...]
    """The selecting options (as ``argparse`` names them) that apply."""
    read: Reader

    def write(
        self,
        store: Store,
        stream: IO[bytes],
        file_format: str,
        since: str | None,
        filters: Mapping[str, str | None],
    ) -> int:
        """The rows of a store already open, to ``stream`` in ``file_format``; how many."""
        count = 0
        with exporting(stream, file_format, self.columns) as out:
            for row in self.read(store, since, filters):
                out.export_item(row)
                count += 1
        return count

    def refused(self, given: Iterable[str], file_format: str) -> str | None:
        """Why these rows cannot be written with the ``given`` selecting options in
        ``file_format``, in one line (None: they can)."""
        if foreign := [name for name in given if name not in self.selections]:
            options = ", ".join(f"--{name.replace('_', '-')}" for name in foreign)
            return f"{self.option} writes {self.scope}: {options} select articles"
        if file_format not in self.formats:
            return f"{self.option} writes {', '.join(self.formats)}, not {file_format}"
        return None


def _articles(store: Store, since: str | None, filters: Mapping[str, str | None]) -> Any:
    return store.articles(changed_since=since, **filters)


def _has(store: Store, table: str) -> bool:
    """Whether the store has ``table``: one older than the table's schema (opened read-only, so
    not migrated) holds none of its rows, and is not damaged for that."""
    found = store.db.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (table,)).fetchone()
    return found is not None


def _pairs(store: Store, since: str | None, filters: Mapping[str, str | None]) -> Any:
    return store.near_duplicates() if _has(store, "near_duplicates") else ()


def _lines(store: Store, since: str | None, filters: Mapping[str, str | None]) -> Any:
    return all_lines(store.db, since) if _has(store, "breaking") else ()


TABLE_FORMATS = ("csv", "jsonl", "json", "jsonl.gz")
"""The formats of the tables beside the articles: the Parquet writer's columns are the item's."""

ARTICLES = Rows(
    "articles", None, "articles", tuple(FIELD_NAMES), tuple(EXPORT_FORMATS),
    ("changed_since", *FILTERS), _articles,
)  # fmt: skip
NEAR_DUPLICATES = Rows(
    "near-duplicate pairs", "--near-duplicates", "every pair", NEAR_DUPLICATE_COLUMNS,
    TABLE_FORMATS, (), _pairs,
)  # fmt: skip
BREAKING = Rows(
    "ticker lines", "--breaking", "the ticker's lines (--changed-since: last seen since)",
    BREAKING_COLUMNS, TABLE_FORMATS, ("changed_since",), _lines,
)  # fmt: skip
"""The BREAKING ticker's lines (``docs/breaking.md``), first seen first; ``--changed-since``: those
last seen that UTC day or later."""
