"""The full-text index of the articles (``articles_fts``, SQLite FTS5), schema version 6, and the
triggers that keep it in step with ``articles`` (``docs/store.md``, "Searching").
"""

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
