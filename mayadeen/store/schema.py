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
from functools import cache
from typing import Final

from mayadeen.items import FIELD_NAMES, ITEM_FIELDS, LIST_FIELDS
from mayadeen.store.breaking import TABLES as BREAKING_TABLES
from mayadeen.store.breaking import add_tables as add_breaking
from mayadeen.store.origins import TABLES as ORIGIN_TABLES

SCHEMA_VERSION: Final = 9

COMPARED: Final = tuple(name for name in FIELD_NAMES if name != "crawled_at")
"""Fields whose change makes a stored article ``updated``; a new fetch time alone is no change."""

# -- The statements that write an article (mayadeen.store.db) ---------------------------------

_N = len(FIELD_NAMES)
COMPARED_POSITIONS = tuple(FIELD_NAMES.index(name) for name in COMPARED)
COLUMNS = ", ".join(FIELD_NAMES)
_VALUES = (
    f"({COLUMNS}, first_seen_at, last_seen_at, changed_at, capture_id, version) "
    f"VALUES ({', '.join('?' * _N)}, ?, ?, ?, ?, 1)"
)
INSERT_NEW = f"INSERT INTO articles {_VALUES} ON CONFLICT(url) DO NOTHING"
"""A new URL in one statement: no lookup first (most items of a crawl are new)."""
UPSERT = (
    f"INSERT INTO articles {_VALUES} "
    "ON CONFLICT(url) DO UPDATE SET "
    + ", ".join(f"{name} = excluded.{name}" for name in FIELD_NAMES[1:])
    + ", last_seen_at = excluded.last_seen_at, changed_at = excluded.changed_at"
    ", capture_id = excluded.capture_id, version = articles.version + 1"
)
SEEN_AGAIN = (
    "UPDATE articles SET last_seen_at = ?, capture_id = coalesce(?, capture_id) WHERE url = ?"
)
"""The same values again: seen now; extracted from this capture, when there is one."""
KEEP_VERSION = (
    f"INSERT INTO article_versions ({COLUMNS}, first_seen_at, changed_at, version, "
    f"superseded_at, capture_id) SELECT {COLUMNS}, first_seen_at, changed_at, version, ?, "
    "capture_id "
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
    ]


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

SEARCHED: Final = ("title", "summary", "body", "tags")
"""The articles' columns the full-text index holds, in its column order (``tags`` is the JSON
text: the tokenizer reads its brackets and quotes as separators)."""

_FTS_COLUMNS = ", ".join(SEARCHED)
_FTS_OLD = ", ".join(f"old.{name}" for name in SEARCHED)
_FTS_NEW = ", ".join(f"new.{name}" for name in SEARCHED)
_FTS_DELETE = (
    f"INSERT INTO articles_fts (articles_fts, rowid, {_FTS_COLUMNS}) "
    f"VALUES ('delete', old.rowid, {_FTS_OLD});"
)
_FTS_INSERT = f"INSERT INTO articles_fts (rowid, {_FTS_COLUMNS}) VALUES (new.rowid, {_FTS_NEW});"

SEARCH: Final = (
    # External content: the index keeps the tokens only, the text stays in ``articles``.
    # ``content="articles"`` spelled with double quotes is what Datasette looks for to offer
    # search on the articles table. Diacritics folded: "Hezbollah" finds "Ḥezbollah".
    f"CREATE VIRTUAL TABLE articles_fts USING fts5({_FTS_COLUMNS}, "
    """content="articles", content_rowid="rowid", tokenize="unicode61 remove_diacritics 2")""",
    # The store keeps it in step with every write of ``articles``: a new article, a new version
    # (the upsert's update), a deletion. Only a change of a searched column re-indexes: the
    # ``last_seen_at`` of an unchanged article and its ``capture_id`` do not.
    f"CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN {_FTS_INSERT} END",
    f"CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN {_FTS_DELETE} END",
    f"CREATE TRIGGER articles_fts_update AFTER UPDATE OF {_FTS_COLUMNS} ON articles "
    f"BEGIN {_FTS_DELETE} {_FTS_INSERT} END",
)
"""The full-text index of the articles (``articles_fts``, SQLite FTS5) and the triggers that keep
it in step with ``articles``. ``articles`` has no INTEGER PRIMARY KEY, so a ``VACUUM`` may
renumber its rowids: rebuild the index after one (``docs/store.md``)."""

REBUILD_SEARCH: Final = "INSERT INTO articles_fts (articles_fts) VALUES ('rebuild')"
"""Re-index every article from ``articles`` (FTS5's ``rebuild`` command)."""

Migration = Callable[[sqlite3.Connection], None]


def _add_ledger(db: sqlite3.Connection) -> None:
    """2: the crawl's ledger, and each run's process."""
    for statement in LEDGER_TABLES:
        db.execute(statement)
    # The process of a run: a run whose process is gone and that never finished was killed.
    db.execute("ALTER TABLE runs ADD COLUMN pid INTEGER")


def _archive_index(db: sqlite3.Connection) -> None:
    """3: the archive's index (``captures``) and each article's ``capture_id``."""
    for table in ("articles", "article_versions"):
        db.execute(f"ALTER TABLE {table} ADD COLUMN capture_id INTEGER")
    for statement in CAPTURES:
        db.execute(statement)


def _add_non_articles(db: sqlite3.Connection) -> None:
    """4: pages that said they are not articles."""
    db.execute(NON_ARTICLES)


def _add_origins(db: sqlite3.Connection) -> None:
    """5: where each article's bytes came from, and the archive indexes' cursors."""
    for statement in ORIGIN_TABLES:
        db.execute(statement)


def _add_search(db: sqlite3.Connection) -> None:
    """6: the full-text index (``articles_fts``) and its triggers, built from the stored articles."""
    for statement in SEARCH:
        db.execute(statement)
    db.execute(REBUILD_SEARCH)


def _add_forbidden(db: sqlite3.Connection) -> None:
    """7: article URLs robots.txt forbids (``forbidden``), no longer owed."""
    db.execute(FORBIDDEN)
    # Owed by earlier versions, which took a refusal for a failed fetch: owed no more. The next
    # run that meets them records them forbidden (or fetches them, if robots.txt now allows).
    db.execute("DELETE FROM owed WHERE reason = 'Forbidden by robots.txt'")


def _reserved(db: sqlite3.Connection) -> None:
    """8: taken by another branch's table (the owner renumbers the migrations at merge)."""


MIGRATIONS: dict[int, Migration] = {
    2: _add_ledger,
    3: _archive_index,
    4: _add_non_articles,
    5: _add_origins,
    6: _add_search,
    7: _add_forbidden,
    8: _reserved,
    9: add_breaking,
}
"""Version ``v`` → the step that takes a version ``v - 1`` store to ``v``. Version 1 is the first
schema; 2 added the crawl's ledger (``owed``, ``gone``, ``covered``, ``feed_owed``, ``site``) and
``runs.pid``; 3 the archive's index (``captures``, ``capture_id``); 4 ``non_articles``; 5
``article_origins`` and ``archive_cursors`` (``mayadeen.store.origins``); 6 the full-text index
``articles_fts``; 7 ``forbidden`` (URLs robots.txt forbids, which earlier versions owed); 9
``breaking`` and ``breaking_fts``, the BREAKING ticker's lines (``mayadeen.store.breaking``)."""


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
