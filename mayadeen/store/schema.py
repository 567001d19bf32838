"""The store's schema, derived from ``ArticleItem``, its migrations, and the statements that write
articles.

Item columns come from the dataclass (``FIELD_NAMES`` order, SQL type from the field's type, list
fields as JSON text), so a field added to the item becomes a column on the next writable open.
Structural changes bump ``SCHEMA_VERSION`` (kept in ``PRAGMA user_version``) and add a step to
``MIGRATIONS``.
"""

import sqlite3
import types
import typing
from collections.abc import Callable
from dataclasses import fields
from functools import cache
from typing import Final

from mayadeen.items import FIELD_NAMES, LIST_FIELDS, ArticleItem

SCHEMA_VERSION: Final = 3

COMPARED: Final = tuple(name for name in FIELD_NAMES if name != "crawled_at")
"""Fields whose change makes a stored article ``updated``; a new fetch time alone is no change."""

# -- The statements that write an article (mayadeen.store.db) ---------------------------------

_N = len(FIELD_NAMES)
COMPARED_POSITIONS = tuple(FIELD_NAMES.index(name) for name in COMPARED)
COLUMNS = ", ".join(FIELD_NAMES)
_VALUES = (
    f"({COLUMNS}, first_seen_at, last_seen_at, changed_at, version) "
    f"VALUES ({', '.join('?' * _N)}, ?, ?, ?, 1)"
)
INSERT_NEW = f"INSERT INTO articles {_VALUES} ON CONFLICT(url) DO NOTHING"
"""A new URL in one statement: no lookup first (most items of a crawl are new)."""
UPSERT = (
    f"INSERT INTO articles {_VALUES} "
    "ON CONFLICT(url) DO UPDATE SET "
    + ", ".join(f"{name} = excluded.{name}" for name in FIELD_NAMES[1:])
    + ", last_seen_at = excluded.last_seen_at, changed_at = excluded.changed_at"
    ", version = articles.version + 1"
)
KEEP_VERSION = (
    f"INSERT INTO article_versions ({COLUMNS}, first_seen_at, changed_at, version, "
    f"superseded_at) SELECT {COLUMNS}, first_seen_at, changed_at, version, ? "
    "FROM articles WHERE url = ?"
)
TAGS_POSITION = FIELD_NAMES.index("tags")
# By the old tags, through the primary key (tag, url): an index on url alone would be one more
# index to update on every insert, for the rare update.
DROP_TAGS = "DELETE FROM article_tags WHERE url = ? AND tag IN (SELECT value FROM json_each(?))"
COMPARED_TAGS = COMPARED.index("tags")
STORED = f"SELECT {', '.join(COMPARED)} FROM articles WHERE url = ?"
KNOWN = (
    "SELECT url, published_at, modified_at, last_seen_at FROM articles UNION ALL "
    "SELECT aliases.alias_url, articles.published_at, articles.modified_at, articles.last_seen_at "
    "FROM aliases JOIN articles ON articles.url = aliases.url"
)


@cache
def add_tags(count: int) -> str:
    """One statement for all of an article's tags (``executemany`` costs more per row)."""
    return "INSERT OR IGNORE INTO article_tags (tag, url) VALUES " + ", ".join(["(?, ?)"] * count)


def sql_type(python_type: object) -> str:
    """The SQLite column type for a field of the item.

    >>> sql_type(int | None), sql_type(str | None), sql_type(list[str])
    ('INTEGER', 'TEXT', 'TEXT')
    """
    if typing.get_origin(python_type) in {typing.Union, types.UnionType}:
        (python_type,) = (t for t in typing.get_args(python_type) if t is not type(None))
    if python_type is int:
        return "INTEGER"
    if python_type is float:
        return "REAL"
    return "TEXT"


def item_columns() -> dict[str, str]:
    """Field name → column definition, in item order."""
    columns = {}
    for item_field in fields(ArticleItem):
        definition = sql_type(item_field.type)
        if item_field.name == "url":
            definition += " PRIMARY KEY"
        elif item_field.name in LIST_FIELDS:
            definition += " NOT NULL DEFAULT '[]'"
        columns[item_field.name] = definition
    return columns


ARTICLE_BOOKKEEPING: Final = {
    "first_seen_at": "TEXT NOT NULL",
    "last_seen_at": "TEXT NOT NULL",
    "changed_at": "TEXT NOT NULL",
    "version": "INTEGER NOT NULL DEFAULT 1",
}
"""Store columns after the item's: when the URL was first and last stored, when its values last
changed (first insert or update), and how many versions it has had."""


def _column_list(extra: dict[str, str]) -> str:
    return ",\n  ".join(f"{name} {kind}" for name, kind in {**item_columns(), **extra}.items())


def create_statements() -> list[str]:
    """The current schema, from scratch."""
    versioned = {name: kind.removesuffix(" PRIMARY KEY") for name, kind in item_columns().items()}
    versions = ",\n  ".join(f"{name} {kind}" for name, kind in versioned.items())
    return [
        f"CREATE TABLE articles (\n  {_column_list(ARTICLE_BOOKKEEPING)}\n)",
        "CREATE INDEX articles_published_at ON articles(published_at)",
        "CREATE INDEX articles_section ON articles(section, published_at)",
        "CREATE INDEX articles_changed_at ON articles(changed_at)",
        "CREATE INDEX articles_content_hash ON articles(content_hash)",
        # One row per (tag, url): "articles tagged X" is an index range, any case of X.
        """CREATE TABLE article_tags (
  tag TEXT NOT NULL COLLATE NOCASE,
  url TEXT NOT NULL,
  PRIMARY KEY (tag, url)
) WITHOUT ROWID""",
        f"""CREATE TABLE article_versions (
  {versions},
  first_seen_at TEXT NOT NULL,
  changed_at TEXT NOT NULL,
  version INTEGER NOT NULL,
  superseded_at TEXT NOT NULL,
  PRIMARY KEY (url, version)
)""",
        """CREATE TABLE aliases (
  alias_url TEXT PRIMARY KEY,
  url TEXT NOT NULL,
  content_hash TEXT,
  first_seen_at TEXT NOT NULL,
  last_seen_at TEXT NOT NULL
)""",
        "CREATE INDEX aliases_url ON aliases(url)",
        """CREATE TABLE quarantine (
  id INTEGER PRIMARY KEY,
  run_id TEXT,
  url TEXT,
  reasons TEXT NOT NULL,
  item TEXT NOT NULL,
  quarantined_at TEXT NOT NULL
)""",
        "CREATE INDEX quarantine_url ON quarantine(url)",
        "CREATE INDEX quarantine_run ON quarantine(run_id)",
        """CREATE TABLE runs (
  run_id TEXT PRIMARY KEY,
  started_at TEXT NOT NULL,
  finished_at TEXT,
  close_reason TEXT,
  items_new INTEGER NOT NULL DEFAULT 0,
  items_updated INTEGER NOT NULL DEFAULT 0,
  items_unchanged INTEGER NOT NULL DEFAULT 0,
  duplicates INTEGER NOT NULL DEFAULT 0,
  quarantined INTEGER NOT NULL DEFAULT 0
)""",
        NON_ARTICLES,
    ]


NON_ARTICLES: Final = """CREATE TABLE non_articles (
  url TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  run_id TEXT,
  first_seen_at TEXT NOT NULL,
  last_seen_at TEXT NOT NULL
)"""
"""Pages fetched under a URL of unknown shape (or an article's shape) that said they are not
articles (video, page, listing...): the next run does not fetch them again (``full=1`` does)."""


Migration = Callable[[sqlite3.Connection], None]


def _no_change(db: sqlite3.Connection) -> None:
    """A version whose step lives in another branch (the integrator renumbers)."""


def _add_non_articles(db: sqlite3.Connection) -> None:
    db.execute(NON_ARTICLES)


MIGRATIONS: dict[int, Migration] = {2: _no_change, 3: _add_non_articles}
"""Version ``v`` → the step that takes a version ``v - 1`` store to ``v``. Version 1 is the first
schema; 3 adds ``non_articles``."""


class SchemaError(RuntimeError):
    """The store cannot be used by this version of the code."""


def ensure_schema(db: sqlite3.Connection) -> None:
    """Create or migrate the schema to ``SCHEMA_VERSION``, in one transaction that holds the
    write lock from the start: crawls opening a new store at once create it once."""
    with db:
        db.execute("BEGIN IMMEDIATE")
        version = db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise SchemaError(
                f"the store has schema version {version}; this mayadeen knows up to "
                f"{SCHEMA_VERSION}: upgrade mayadeen"
            )
        if version == 0:
            for statement in create_statements():
                db.execute(statement)
        else:
            for step in range(version + 1, SCHEMA_VERSION + 1):
                MIGRATIONS[step](db)
        add_missing_item_columns(db)
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


def add_missing_item_columns(db: sqlite3.Connection) -> list[str]:
    """Add a column for each item field the tables lack (a field added to ``ArticleItem``)."""
    added = []
    for table in ("articles", "article_versions"):
        present = {row[1] for row in db.execute(f"PRAGMA table_info({table})")}
        for name, definition in item_columns().items():
            if name not in present:
                db.execute(
                    f"ALTER TABLE {table} ADD COLUMN {name} "
                    f"{definition.removesuffix(' PRIMARY KEY')}"
                )
                added.append(f"{table}.{name}")
    return added
