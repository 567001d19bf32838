"""The full-text index of the articles (``articles_fts``, SQLite FTS5), schema version 6; filled
per batch since version 10 (``docs/store.md``, "Searching").

A new article is indexed at its batch's commit, in one ``INSERT ... SELECT`` of every row past
the last one indexed (``FILL_SEARCH``): a trigger per row cost ~160 µs an article, the statement
30-40 µs (issue 27). The index therefore always holds exactly the rows of ``articles`` up to a
rowid, the largest in its ``articles_fts_docsize`` table: a new row (SQLite gives it the largest
rowid plus one) is past it until its batch's fill. The update and delete triggers keep the
indexed rows in step and leave a row not indexed yet to that fill (re-indexing or deleting it
would remove tokens the index never held, which corrupts an FTS5 index).
"""

import sqlite3
from typing import Final

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
_INDEXED_UP_TO = "(SELECT coalesce(max(id), 0) FROM articles_fts_docsize)"
"""The largest rowid the index holds (FTS5 keeps a ``docsize`` row per indexed row)."""
_INDEXED = f"WHEN old.rowid <= {_INDEXED_UP_TO}"

INDEX: Final = (
    # External content: the index keeps the tokens only, the text stays in ``articles``.
    # ``content="articles"`` spelled with double quotes is what Datasette looks for to offer
    # search on the articles table. Diacritics folded: "Hezbollah" finds "Ḥezbollah".
    f"CREATE VIRTUAL TABLE articles_fts USING fts5({_FTS_COLUMNS}, "
    """content="articles", content_rowid="rowid", tokenize="unicode61 remove_diacritics 2")"""
)
TRIGGERS: Final = (
    # A new version (the upsert's update), a deletion. Only a change of a searched column
    # re-indexes: the ``last_seen_at`` of an unchanged article and its ``capture_id`` do not.
    f"CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles {_INDEXED} "
    f"BEGIN {_FTS_DELETE} END",
    f"CREATE TRIGGER articles_fts_update AFTER UPDATE OF {_FTS_COLUMNS} ON articles {_INDEXED} "
    f"BEGIN {_FTS_DELETE} {_FTS_INSERT} END",
)
SEARCH: Final = (INDEX, *TRIGGERS)
"""The full-text index of the articles (``articles_fts``, SQLite FTS5) and the triggers that keep
its rows in step with ``articles``. ``articles`` has no INTEGER PRIMARY KEY, so a ``VACUUM`` may
renumber its rowids: rebuild the index after one (``docs/store.md``)."""

FILL_SEARCH: Final = (
    f"INSERT INTO articles_fts (rowid, {_FTS_COLUMNS}) SELECT rowid, {_FTS_COLUMNS} "
    f"FROM articles WHERE rowid > {_INDEXED_UP_TO}"
)
"""Index the articles written since the last fill: run in every transaction that inserted
articles, before its commit (``Store.commit``, ``scrapy merge``)."""

REBUILD_SEARCH: Final = "INSERT INTO articles_fts (articles_fts) VALUES ('rebuild')"
"""Re-index every article from ``articles`` (FTS5's ``rebuild`` command)."""


def fill_search(db: sqlite3.Connection) -> int:
    """Index the articles written since the last fill (``FILL_SEARCH``); returns how many."""
    return int(db.execute(FILL_SEARCH).rowcount)


def fill_per_batch(db: sqlite3.Connection) -> None:
    """Schema 10: the insert trigger of versions 6-9 replaced by the fill at each commit, the
    other triggers guarded for rows not indexed yet, and any article the index lacks indexed."""
    for name in ("articles_fts_insert", "articles_fts_delete", "articles_fts_update"):
        db.execute(f"DROP TRIGGER IF EXISTS {name}")
    # Any row missing, wherever it is (the invariant above starts here).
    db.execute(
        f"INSERT INTO articles_fts (rowid, {_FTS_COLUMNS}) SELECT rowid, {_FTS_COLUMNS} "
        "FROM articles WHERE rowid NOT IN (SELECT id FROM articles_fts_docsize)"
    )
    for statement in TRIGGERS:
        db.execute(statement)
