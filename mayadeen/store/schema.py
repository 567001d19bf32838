"""The store's schema version and its migrations: ``ensure_schema`` creates a store
(``mayadeen.store.tables``) or takes an older one to ``SCHEMA_VERSION`` (kept in ``PRAGMA
user_version``). Structural changes bump it and add a step to ``MIGRATIONS``; a field added to
``ArticleItem`` needs none (``add_missing_item_columns``).

The tables are in ``mayadeen.store.tables`` (the full-text index in ``.search``), the statements
that write an article in ``.statements``; the names other packages import from here still are.
"""

import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Final

from mayadeen.items import FIELD_NAMES
from mayadeen.store import near_duplicates
from mayadeen.store.breaking import add_tables as add_breaking
from mayadeen.store.origins import TABLES as ORIGIN_TABLES
from mayadeen.store.search import REBUILD_SEARCH, SEARCH, SEARCHED, fill_per_batch
from mayadeen.store.statements import COLUMNS, COMPARED
from mayadeen.store.tables import (
    CAPTURES,
    FORBIDDEN,
    LEDGER_TABLES,
    NON_ARTICLES,
    create_statements,
    item_columns,
    sql_type,
)

# Also the names other packages (warc, report, parquet) and tests import from here.
__all__ = [
    "COLUMNS",
    "COMPARED",
    "FIELD_NAMES",
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "SEARCHED",
    "SchemaError",
    "add_missing_item_columns",
    "create_statements",
    "ensure_schema",
    "sql_type",
]

SCHEMA_VERSION: Final = 10

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


def _add_near_duplicates(db: sqlite3.Connection) -> None:
    """8: near-duplicate pairs (``near_duplicates``) and each body's signature, computed for the
    stored articles (about 0.3 ms an article, once)."""
    for statement in near_duplicates.TABLES:
        db.execute(statement)
    near_duplicates.index_all(db, datetime.now(UTC).isoformat(timespec="seconds"))


def _search_per_batch(db: sqlite3.Connection) -> None:
    """10: the full-text index filled per batch at each commit, not by a trigger per article
    (``mayadeen.store.search``); any article it lacks indexed."""
    fill_per_batch(db)


MIGRATIONS: dict[int, Migration] = {
    2: _add_ledger,
    3: _archive_index,
    4: _add_non_articles,
    5: _add_origins,
    6: _add_search,
    7: _add_forbidden,
    8: _add_near_duplicates,
    9: add_breaking,
    10: _search_per_batch,
}
"""Version ``v`` → the step that takes a version ``v - 1`` store to ``v``. Version 1 is the first
schema; 2 added the crawl's ledger (``owed``, ``gone``, ``covered``, ``feed_owed``, ``site``) and
``runs.pid``; 3 the archive's index (``captures``, ``capture_id``); 4 ``non_articles``; 5
``article_origins`` and ``archive_cursors`` (``mayadeen.store.origins``); 6 the full-text index
``articles_fts``; 7 ``forbidden`` (URLs robots.txt forbids, which earlier versions owed); 8
``near_duplicates`` and ``article_signatures`` (``mayadeen.store.near_duplicates``); 9
``breaking`` and ``breaking_fts``, the BREAKING ticker's lines (``mayadeen.store.breaking``);
10 the full-text index filled per batch (no insert trigger)."""


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
