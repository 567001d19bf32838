"""A data directory to merge from: checked, and opened read-only (never written, never migrated
in place: a store of an older schema is migrated in a temporary copy, as a crawl would migrate it).
"""

import os
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from mayadeen.store.connection import store_path
from mayadeen.store.ledger import bound_site
from mayadeen.store.schema import SCHEMA_VERSION, ensure_schema


class SourceRefused(RuntimeError):
    """A source that must not be merged here: a usage error (exit 2), the message one line."""


@dataclass(frozen=True)
class Source:
    directory: Path
    store: Path
    version: int
    """Its schema version (``PRAGMA user_version``)."""


def read_only(path: Path) -> sqlite3.Connection:
    """``path`` opened with SQLite's ``mode=ro``: no statement can write it."""
    db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    db.execute("PRAGMA busy_timeout = 30000")
    return db


def same_store(first: Path, second: Path) -> bool:
    try:
        return first.resolve() == second.resolve() or os.path.samefile(first, second)
    except OSError:
        return False


def check_source(directory: Path, target_dir: Path, root: str) -> Source:
    """The source at ``directory``, if it may be merged into ``target_dir`` for the site ``root``;
    otherwise ``SourceRefused`` with the line to print."""
    path = store_path(directory)
    if not directory.is_dir():
        raise SourceRefused(f"{directory}: no such directory (give data directories to merge)")
    if not path.is_file():
        raise SourceRefused(f"{directory}: no store there ({path.name}): not a data directory")
    if same_store(directory, target_dir) or same_store(path, store_path(target_dir)):
        raise SourceRefused(
            f"{directory} is MAYADEEN_DATA_DIR itself: give other data directories to merge"
        )
    db = read_only(path)
    try:
        version = db.execute("PRAGMA user_version").fetchone()[0]
        bound = bound_site(db) if version else None
    except sqlite3.DatabaseError as error:
        raise SourceRefused(f"{path}: not a readable store ({error})") from None
    finally:
        db.close()
    if version == 0:
        raise SourceRefused(f"{path}: an empty store (no crawl wrote it): nothing to merge")
    if version > SCHEMA_VERSION:
        raise SourceRefused(
            f"{path} has schema version {version}; this mayadeen knows up to {SCHEMA_VERSION}: "
            "upgrade mayadeen before merging it"
        )
    if bound is not None and bound != root:
        raise SourceRefused(
            f"{path} holds {bound}, not {root}: merge only data directories of one site "
            "(MAYADEEN_BASE_URL names the target's)"
        )
    return Source(directory, path, version)


@contextmanager
def readable(source: Source) -> Iterator[str]:
    """The ``file:`` URI to ATTACH the source by, read-only: the store itself when its schema is
    this version's, else a migrated copy in a temporary directory (removed afterwards)."""
    if source.version == SCHEMA_VERSION:
        yield f"{source.store.resolve().as_uri()}?mode=ro"
        return
    with tempfile.TemporaryDirectory(prefix="mayadeen-merge-") as scratch:
        copy = Path(scratch) / "articles.sqlite"
        original, migrated = read_only(source.store), sqlite3.connect(copy)
        try:
            original.backup(migrated)
            ensure_schema(migrated)
        finally:
            original.close()
            migrated.close()
        yield f"{copy.as_uri()}?mode=ro"
