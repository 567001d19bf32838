"""The data directory's files: opened without following symlinks planted there, and the lock that
keeps two crawls off one data directory.

A crawl writes its store, feeds, quarantine file and manifest under ``MAYADEEN_DATA_DIR``. A
symlink left in their place (by mistake, or by someone who may write there but not elsewhere)
would make the crawl write wherever it points: every file is opened with ``O_NOFOLLOW``, and a
store that is a symlink is refused. The data directory itself may be a symlink (another disk).
"""

import fcntl
import os
from pathlib import Path
from typing import IO, Any, Final

LOCK_NAME: Final = "crawl.lock"


class DataDirError(RuntimeError):
    """The data directory cannot be used; the message names the path and what to do."""


def open_nofollow(path: Path, mode: str = "wb", buffering: int = -1) -> IO[Any]:
    """``path`` opened for writing (``wb``, ``ab``, ``w``, ``a``) unless it is a symlink, in which
    case ``OSError`` (``ELOOP``) is raised."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC
    flags |= os.O_APPEND if mode.startswith("a") else os.O_TRUNC
    descriptor = os.open(path, flags, 0o644)
    if "b" in mode:
        return os.fdopen(descriptor, mode, buffering=buffering)
    return os.fdopen(descriptor, mode, buffering=buffering, encoding="utf-8")


def refuse_symlink(path: Path) -> None:
    """Refuse a store file (or its ``-wal``, ``-shm``) that is a symlink, which SQLite would
    follow."""
    if path.is_symlink():
        raise DataDirError(
            f"{path} is a symlink (to {os.readlink(path)}); a crawl writes its store only to "
            "plain files: remove the link, or point MAYADEEN_DATA_DIR at the real directory"
        )


class DataDirLock:
    """An exclusive lock on ``<data_dir>/crawl.lock`` for a crawl's lifetime (released by the
    system when the process ends, however it ends). Workers of one crawl shared through Redis take
    it shared: they may run together, but not beside a lone crawl."""

    def __init__(self, data_dir: Path, shared: bool = False) -> None:
        self.path = data_dir / LOCK_NAME
        self.shared = shared
        self._file: IO[Any] | None = None

    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        flags = os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC
        lock_file = os.fdopen(os.open(self.path, flags, 0o644), "r+", encoding="utf-8")
        try:
            kind = fcntl.LOCK_SH if self.shared else fcntl.LOCK_EX
            fcntl.flock(lock_file, kind | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = lock_file.read().strip() or "another process"
            lock_file.close()
            raise DataDirError(
                f"another crawl is using {self.path.parent} ({holder}): wait for it to end, "
                "or give this one another MAYADEEN_DATA_DIR"
            ) from None
        if not self.shared:
            lock_file.truncate(0)
            lock_file.write(f"pid {os.getpid()}\n")
            lock_file.flush()
        self._file = lock_file

    def release(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
