"""What a crawl checks before it starts, so that a data directory it cannot use is one line naming
the path and what to do, and never a traceback or a crawl whose work is lost.

- the data directory can be created and written;
- no other crawl is using it (:class:`~mayadeen.store.files.DataDirLock`, held until the process
  ends);
- the store opens (created, or migrated to this version's schema), is a plain file, and belongs to
  the site being crawled (``MAYADEEN_REBIND_SITE`` moves it to another one).
"""

import logging
import os
import shutil
import sqlite3
import tempfile
from pathlib import Path

from scrapy.settings import BaseSettings

from mayadeen.site.urls import site_root
from mayadeen.store import SchemaError, Store, store_path
from mayadeen.store.files import DataDirError, DataDirLock, refuse_symlink
from mayadeen.store.ledger import Ledger
from mayadeen.store.schema import ensure_schema

logger = logging.getLogger(__name__)


class OtherSiteError(DataDirError):
    """The store belongs to another site: a usage error (exit 2)."""


def preflight(settings: BaseSettings) -> DataDirLock:
    """Check the data directory and take its lock; raises ``DataDirError`` with the one line."""
    data_dir = Path(settings["MAYADEEN_DATA_DIR"])
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise DataDirError(
            f"cannot create the data directory {data_dir}: {error.strerror}: "
            "set MAYADEEN_DATA_DIR to a directory this user may write"
        ) from None
    if not os.access(data_dir, os.W_OK | os.X_OK):
        raise DataDirError(
            f"the data directory {data_dir} is not writable: make it writable, "
            "or set MAYADEEN_DATA_DIR to another directory"
        )
    shared = bool(settings.get("MAYADEEN_REDIS_URL"))
    lock = DataDirLock(data_dir, shared=shared)
    try:
        lock.acquire()
    except OSError as error:
        raise DataDirError(f"cannot lock {lock.path}: {error.strerror}") from None
    try:
        check_store(
            store_path(data_dir),
            site_root(settings["MAYADEEN_BASE_URL"]),
            settings.getbool("MAYADEEN_REBIND_SITE"),
            alone=not shared,
        )
    except BaseException:
        lock.release()
        raise
    return lock


def check_store(path: Path, root: str, rebind: bool, alone: bool = True) -> None:
    """The store at ``path`` opens for writing and belongs to ``root`` (or to no site yet). A
    crawl ``alone`` on it (the lock held exclusively) also checks a ``-wal`` left beside it; the
    workers of a shared crawl may be writing one that very moment."""
    wal = path.with_name(path.name + "-wal")
    for file in (path, wal, path.with_name(path.name + "-shm")):
        refuse_symlink(file)
    if alone and wal.is_file() and wal.stat().st_size > 0:
        # No crawl holds the store (we hold the lock): a run that did not close left this log,
        # or someone put it there. SQLite would replay it into the store on opening, whatever
        # database wrote it: replay it into a copy first.
        logger.warning(
            "store: %s (%d bytes) was left by a run that did not close; checking it before "
            "it is replayed",
            wal,
            wal.stat().st_size,
        )
        if problem := foreign_wal(path, wal):
            raise DataDirError(
                f"the write-ahead log {wal} does not belong to the store {path} ({problem}): "
                "move it away (the store without it is as its last checkpoint left it), "
                "or restore both from a backup"
            )
    try:
        with Store.open(path) as store:
            bound = Ledger(store).site_root()
    except SchemaError as error:
        raise DataDirError(f"{path}: {error}") from None
    except sqlite3.DatabaseError as error:
        raise DataDirError(store_problem(path, error)) from None
    except OSError as error:
        raise DataDirError(f"cannot open the store {path}: {error.strerror}") from None
    if bound is not None and bound != root and not rebind:
        raise OtherSiteError(
            f"the store {path} holds {bound}, not {root}: set MAYADEEN_DATA_DIR to another "
            "directory for this site (or MAYADEEN_REBIND_SITE=1 to move this store to it)"
        )


def store_problem(path: Path, error: sqlite3.DatabaseError) -> str:
    """One line on a store SQLite would not open or write, with what to do.

    >>> line = store_problem(Path("d/a.sqlite"), sqlite3.DatabaseError("file is not a database"))
    >>> line.startswith("the store d/a.sqlite is damaged (file is not a database): restore it")
    True
    >>> line.endswith("`sqlite3 d/a.sqlite .recover | sqlite3 d/recovered.sqlite` and put that file in its place")
    True
    """
    message = str(error)
    if "full" in message:
        return f"the disk of {path} is full ({message}): free space there, then run again"
    if "readonly" in message or "unable to open" in message:
        return f"cannot write the store {path} ({message}): make it and its directory writable"
    return (
        f"the store {path} is damaged ({message}): restore it from a backup, or rescue its rows "
        f"with `sqlite3 {path} .recover | sqlite3 {path.parent / 'recovered.sqlite'}` "
        "and put that file in its place"
    )


def foreign_wal(path: Path, wal: Path) -> str | None:
    """Why replaying ``wal`` into the store at ``path`` would not give the store's own next state
    (tables this store never has, another schema version, a damaged result), or None."""
    with tempfile.TemporaryDirectory(dir=path.parent) as scratch:
        alone, replayed = Path(scratch) / "alone.sqlite", Path(scratch) / "replayed.sqlite"
        shutil.copyfile(path, alone)
        shutil.copyfile(path, replayed)
        shutil.copyfile(wal, replayed.with_name(replayed.name + "-wal"))
        try:
            after = _shape(replayed)
        except sqlite3.DatabaseError as error:
            return f"replayed, the store cannot be read: {error}"
        try:
            before: tuple[list[str], int, bool] | None = _shape(alone)
        except sqlite3.DatabaseError:  # stopped mid-checkpoint: only its log makes it whole
            before = None
    expected = set(store_tables()) | set(before[0] if before else ())
    if strange := sorted(set(after[0]) - expected):
        return f"it would add tables this store does not have: {', '.join(strange[:3])}"
    if before is not None and before[1] and after[1] != before[1]:  # 0: being created
        return f"it would change the store's schema version from {before[1]} to {after[1]}"
    if not after[2]:
        return "replayed, the store fails its integrity check"
    return None


def store_tables() -> list[str]:
    """The tables and indexes of a store made by this version."""
    db = sqlite3.connect(":memory:")
    try:
        ensure_schema(db)
        return [row[0] for row in db.execute("SELECT name FROM sqlite_master")]
    finally:
        db.close()


def _shape(path: Path) -> tuple[list[str], int, bool]:
    """(table and index names, schema version, quick check passed) of the database at ``path``."""
    db = sqlite3.connect(path)
    try:
        names = [row[0] for row in db.execute("SELECT name FROM sqlite_master ORDER BY name")]
        version = db.execute("PRAGMA user_version").fetchone()[0]
        healthy = db.execute("PRAGMA quick_check").fetchone() == ("ok",)
        return names, version, healthy
    finally:
        db.close()
