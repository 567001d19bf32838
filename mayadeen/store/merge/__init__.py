"""``scrapy merge``: data directories of one site merged into the one ``MAYADEEN_DATA_DIR`` names,
one transaction per source (``docs/scaling.md``).

Every table of the store has a rule in ``RULES`` (table → the step that merges it, ``STEPS``):
a table added to the schema without one makes every merge refuse to run, and the test suite
fail, until it gets one.
"""

import sqlite3
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

from mayadeen.store import near_duplicates
from mayadeen.store.breaking import merge_from as merge_breaking
from mayadeen.store.connection import BUSY_TIMEOUT_MS, store_path
from mayadeen.store.merge import ledger
from mayadeen.store.merge.articles import ArticleMerge
from mayadeen.store.merge.captures import ArchiveFiles, merge_captures, order_captures
from mayadeen.store.merge.source import Source, readable
from mayadeen.store.search import fill_search

RULES: Final = {
    "articles": "articles",
    "article_versions": "articles",
    "article_tags": "articles",
    "article_origins": "articles",
    "articles_fts": "articles",  # filled with the source's new articles, in step by triggers
    # Recomputed, not copied: the pairs of a source's article with the target's exist in neither
    # store, and a target's pair may name a body the source's newer version replaced.
    "near_duplicates": "near_duplicates",
    "article_signatures": "near_duplicates",
    "captures": "captures",
    "runs": "runs",
    "quarantine": "quarantine",
    "aliases": "aliases",
    "non_articles": "non_articles",
    "gone": "gone",
    "forbidden": "forbidden",
    "owed": "owed",
    "covered": "covered",
    "feed_owed": "feed_owed",
    "archive_cursors": "archive_cursors",
    "site": "site",
    "breaking": "breaking",
    "breaking_fts": "breaking",  # kept in step by its triggers on ``breaking``
}
"""Every table of the store → the step of ``STEPS`` that merges it (FTS5's shadow tables of
``articles_fts`` follow it)."""


@dataclass
class Merged:
    """What one source brought."""

    source: Path
    articles: Counter[str] = field(default_factory=Counter)
    captures: int = 0
    files: Counter[str] = field(default_factory=Counter)
    runs: int = 0
    quarantined: int = 0
    owed_settled: int = 0
    renumbered: int = 0

    def line(self) -> str:
        articles = self.articles
        files = ", ".join(f"{count} {how}" for how, count in sorted(self.files.items()))
        return (
            f"merge: {self.source}: articles {articles['new']} new, {articles['newer']} newer, "
            f"{articles['older']} older, {articles['same']} same; captures {self.captures} new; "
            f"files {sum(self.files.values())}{f' ({files})' if files else ''}; "
            f"runs {self.runs}; quarantined {self.quarantined}"
        )

    def figures(self) -> dict[str, Any]:
        return {
            "source": str(self.source),
            "articles": {k: self.articles[k] for k in ("new", "newer", "older", "same")},
            "captures": self.captures,
            "files": dict(self.files),
            "runs": self.runs,
            "quarantined": self.quarantined,
            "owed_settled": self.owed_settled,
            "captures_renumbered": self.renumbered,
        }


class MergeError(RuntimeError):
    """The merge of a source failed; nothing of it was committed."""


def store_tables(db: sqlite3.Connection, schema: str = "main") -> list[str]:
    """The store's tables, without SQLite's own and FTS5's shadow tables."""
    rows = db.execute(f"SELECT name, type, sql FROM {schema}.sqlite_master WHERE type = 'table'")
    tables = [(name, sql or "") for name, _, sql in rows if not name.startswith("sqlite_")]
    virtual = [name for name, sql in tables if sql.upper().startswith("CREATE VIRTUAL TABLE")]
    return [name for name, _ in tables if not any(name.startswith(f"{v}_") for v in virtual)]


def unruled(db: sqlite3.Connection) -> list[str]:
    return sorted(set(store_tables(db)) - set(RULES))


def connect(target_dir: Path) -> sqlite3.Connection:
    """The target store (created and migrated by the preflight), in autocommit mode: each
    source's merge is one explicit transaction."""
    db = sqlite3.connect(
        f"{store_path(target_dir).resolve().as_uri()}", uri=True, isolation_level=None
    )
    db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    return db


Step = Callable[[sqlite3.Connection], Any]
STEPS: Final[dict[str, Step]] = {
    "quarantine": ledger.merge_quarantine,
    "aliases": ledger.merge_aliases,
    "non_articles": ledger.merge_non_articles,
    "gone": ledger.merge_gone,
    "forbidden": ledger.merge_forbidden,
    "owed": ledger.merge_owed,
    "covered": ledger.merge_covered,
    "feed_owed": ledger.merge_feed_owed,
    "archive_cursors": ledger.merge_cursors,
    "breaking": merge_breaking,
}
"""The steps after runs, captures and articles (which map ids for the others), in order."""


def merge_source(db: sqlite3.Connection, source: Source, target_dir: Path, root: str) -> Merged:
    """Merge ``source`` into the target store ``db`` in one transaction."""
    merged = Merged(source.directory)
    files = ArchiveFiles(source.directory, target_dir)
    with readable(source) as uri:
        db.execute("ATTACH DATABASE ? AS src", (uri,))
        try:
            db.execute("BEGIN IMMEDIATE")
            try:
                _steps(db, files, merged, root)
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")
        finally:
            db.execute("DETACH DATABASE src")
    merged.files = files.outcomes
    return merged


def _steps(db: sqlite3.Connection, files: ArchiveFiles, merged: Merged, root: str) -> None:
    if strange := sorted(set(store_tables(db, "src")) - set(RULES)):
        raise MergeError(f"no merge rule for the table {', '.join(strange)}: upgrade mayadeen")
    (before,) = db.execute("SELECT count(*) FROM main.runs").fetchone()
    runs = ledger.merge_runs(db)
    merged.runs = db.execute("SELECT count(*) FROM main.runs").fetchone()[0] - before
    db.create_function("merged_run", 1, lambda r: runs.get(r, r), deterministic=True)
    (before,) = db.execute("SELECT count(*) FROM main.captures").fetchone()
    captures = merge_captures(db, files, runs)
    merged.captures = db.execute("SELECT count(*) FROM main.captures").fetchone()[0] - before
    db.create_function("merged_capture", 1, captures.get, deterministic=True)
    merged.articles = ArticleMerge(db, captures, runs).merge()
    won = [row[0] for row in db.execute("SELECT url FROM temp.merge_won")]
    near_duplicates.index_all(db, datetime.now(UTC).isoformat(timespec="seconds"), won)
    merged.quarantined = STEPS["quarantine"](db)
    for name, step in STEPS.items():
        if name != "quarantine":
            step(db)
    ledger.bind_site(db, root)
    merged.owed_settled = ledger.settle_owed(db)
    merged.renumbered = order_captures(db)
    db.execute("DROP TABLE IF EXISTS temp.merge_won")
    fill_search(db)  # the new articles' full-text index, in the source's transaction


ORDER: Final = ("runs", "captures", "articles", "near_duplicates", *STEPS, "site")
"""Every step, in the order a source goes through them."""
