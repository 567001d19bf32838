"""Where a data directory's store is, and the connections to it: read-only (``mode=ro``), or for
writing with the store's pragmas and its schema created or migrated."""

import os
import sqlite3
import time
from pathlib import Path

from mayadeen.store.schema import ensure_schema

BUSY_TIMEOUT_MS = 30_000
"""How long a connection waits for another one's write lock before giving up."""


def _use_wal(db: sqlite3.Connection) -> None:
    """Put the store in WAL mode (it stays so). The switch needs an exclusive lock and, unlike
    other statements, does not wait for one: SQLite answers "database is locked" at once, which
    crawls opening a new store together (workers sharing it) hit one time in five. So retry
    within the busy timeout."""
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            db.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)


def store_path(data_dir: str | os.PathLike[str]) -> Path:
    """Where the store of a data directory is: ``<data_dir>/articles.sqlite``."""
    return Path(data_dir) / "articles.sqlite"


def connect_readonly(path: Path) -> sqlite3.Connection | None:
    """``path`` opened read-only; None while it does not exist or has no schema yet."""
    if not path.exists():
        return None
    db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    if db.execute("PRAGMA user_version").fetchone()[0] == 0:
        db.close()  # being created by a writer this very moment: nothing in it yet
        return None
    return db


def connect_writable(path: Path) -> sqlite3.Connection:
    """``path`` opened for writing (created with its directory if need be), the schema current."""
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(path, isolation_level="DEFERRED")
    db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    # An article is a few KiB: 16 KiB pages pack several and halve the index pages a batch
    # rewrites, for faster bulk writes than 4 KiB pages (bench/store.py); new files only.
    db.execute("PRAGMA page_size = 16384")
    _use_wal(db)
    # In WAL mode NORMAL loses no committed transaction when the process dies, only on power loss.
    db.execute("PRAGMA synchronous = NORMAL")
    # A batch's new rows and the index pages they touch stay in memory until the commit;
    # a bigger cache was only more resident memory once the store outgrew it
    # (bench/memory.py), for no faster writes (bench/store.py).
    db.execute("PRAGMA cache_size = -16384")
    ensure_schema(db)
    return db
