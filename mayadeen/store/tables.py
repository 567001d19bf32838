"""The store's tables, derived from ``ArticleItem``: item columns come from the dataclass
(``FIELD_NAMES`` order, SQL type from the field's type, list fields as JSON text), so a field added
to the item becomes a column on the next writable open; ``create_statements`` is the current
schema from scratch (the migrations: ``mayadeen.store.schema``).
"""

import types
import typing
from typing import Final

from mayadeen.items import ITEM_FIELDS, LIST_FIELDS
from mayadeen.store import near_duplicates
from mayadeen.store.breaking import TABLES as BREAKING_TABLES
from mayadeen.store.origins import TABLES as ORIGIN_TABLES
from mayadeen.store.search import SEARCH


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
    for item_field in ITEM_FIELDS:
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
    "capture_id": "INTEGER",
}
"""Store columns after the item's: when the URL was first and last stored, when its values last
changed (first insert or update), how many versions it has had, and the archived capture its
values were extracted from (``captures.id``; null when the archive was off)."""


def _column_list(extra: dict[str, str]) -> str:
    return ",\n  ".join(f"{name} {kind}" for name, kind in {**item_columns(), **extra}.items())


LEDGER_TABLES: Final = (
    # An article URL a run requested and that is not settled yet: written when the request is
    # made (so a run killed at any point leaves it here), deleted when the article is stored,
    # quarantined, found a duplicate or not an article. Later runs request what is due.
    """CREATE TABLE owed (
  url TEXT PRIMARY KEY,
  reason TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  gone_answers INTEGER NOT NULL DEFAULT 0,
  first_owed_at TEXT NOT NULL,
  last_attempt_at TEXT,
  next_attempt_at TEXT NOT NULL,
  run_id TEXT
)""",
    "CREATE INDEX owed_due ON owed(next_attempt_at)",
    # Answered 404 or 410 on two attempts: confirmed gone, no longer requested.
    """CREATE TABLE gone (
  url TEXT PRIMARY KEY,
  status INTEGER NOT NULL,
  confirmed_at TEXT NOT NULL,
  run_id TEXT
)""",
    # What a trustworthy run read to its end (a monthly sitemap, a listing paged to its last
    # page), with every article in it stored or owed: what later runs may shorten.
    """CREATE TABLE covered (
  source TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  covered_at TEXT NOT NULL,
  run_id TEXT NOT NULL
)""",
    # An article whose stored version no committed per-run feed lists yet, and the run whose
    # feed is to list it: deleted once that run's feeds are complete under their final names.
    """CREATE TABLE feed_owed (
  url TEXT PRIMARY KEY,
  run_id TEXT NOT NULL
)""",
    # The site the data directory belongs to (its MAYADEEN_BASE_URL root).
    """CREATE TABLE site (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
)""",
)
"""The crawl's ledger: what is owed (to a run, to a feed), gone, covered, and whose data this is
(``store/ledger.py``)."""

FORBIDDEN: Final = """CREATE TABLE forbidden (
  url TEXT PRIMARY KEY,
  robots TEXT NOT NULL,
  forbidden_at TEXT NOT NULL,
  run_id TEXT
)"""
"""Article URLs robots.txt forbids, with the fingerprint of the robots.txt that forbade them
(``mayadeen.middlewares.robots``): settled, never owed, and asked again only once the site's
robots.txt is another one. Part of the ledger, added by migration 7."""


CAPTURES: Final = (
    # One row per archived response or revisit record (mayadeen.warc.index).
    """CREATE TABLE captures (
  id INTEGER PRIMARY KEY,
  url TEXT NOT NULL,
  captured_at TEXT NOT NULL,
  warc_file TEXT NOT NULL,
  offset INTEGER NOT NULL,
  length INTEGER NOT NULL,
  payload_digest TEXT NOT NULL,
  record_type TEXT NOT NULL,
  status INTEGER,
  rendered INTEGER NOT NULL DEFAULT 0,
  run_id TEXT
)""",
    "CREATE INDEX captures_url ON captures(url, id)",
)

NON_ARTICLES: Final = """CREATE TABLE non_articles (
  url TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  run_id TEXT,
  first_seen_at TEXT NOT NULL,
  last_seen_at TEXT NOT NULL
)"""
"""Pages fetched under a URL of unknown shape (or an article's shape) that said they are not
articles (video, page, listing...): the next run does not fetch them again (``full=1`` does)."""


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
  capture_id INTEGER,
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
  quarantined INTEGER NOT NULL DEFAULT 0,
  pid INTEGER
)""",
        *LEDGER_TABLES,
        FORBIDDEN,
        *CAPTURES,
        NON_ARTICLES,
        *ORIGIN_TABLES,
        *SEARCH,
        *BREAKING_TABLES,
        *near_duplicates.TABLES,
    ]
