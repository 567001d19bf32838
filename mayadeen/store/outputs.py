"""The one guard of every command that writes a file the user names (``scrapy export -o``,
``scrapy report -o``, ``scrapy crawl -o/-O``): an output that is a file the data directory manages
is refused, and an output is written under a temporary name and renamed into place once whole
(a file, ``replace_whole``; a directory of files, ``scrapy export --partition``, ``fill_whole``).

The data directory manages its store (``articles.sqlite`` and SQLite's ``-wal``, ``-shm``,
``-journal`` beside it), the crawl lock, and everything under ``archive/`` (the WARC parts),
``feeds/`` (the per-run feeds), ``runs/`` (the manifests), ``quarantine/`` and ``merges/``
(``scrapy merge``'s manifests). Writing any of them would destroy what a crawl kept, so the
output is compared with them however it is spelled: relative, through ``..``, through a symlink
(the output or the data directory), or a hard link.
"""

import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO, Final, TypeVar

from mayadeen.store.files import LOCK_NAME

STORE_NAME: Final = "articles.sqlite"
STORE_COMPANIONS: Final = ("", "-wal", "-shm", "-journal")
"""The store's own file and SQLite's files beside it: writing any of them corrupts the store."""

MANAGED_DIRECTORIES: Final = {
    "archive": "the archive",
    "feeds": "the feeds",
    "runs": "the run manifests",
    "quarantine": "the quarantine",
    "merges": "the merge manifests",
}
"""The data directory's subdirectories every file of which a crawl writes, and what they hold."""

T = TypeVar("T")


def managed_output(output: Path, data_dir: Path) -> str | None:
    """What of ``data_dir`` writing ``output`` would overwrite, in words, or None when nothing.

    >>> data = Path("/data")
    >>> managed_output(Path("/data/../data/articles.sqlite-wal"), data)
    'the store (/data/articles.sqlite) or one of its files'
    >>> managed_output(Path("/data/archive/20261121T101500Z-00000.warc.gz"), data)
    'a file of the archive (/data/archive)'
    >>> managed_output(Path("/data/out.csv"), data) is None
    True
    """
    target = output.resolve()
    home = data_dir.resolve()
    store = home / STORE_NAME
    if target in {Path(f"{store}{suffix}") for suffix in STORE_COMPANIONS}:
        return f"the store ({data_dir / STORE_NAME}) or one of its files"
    if target == home / LOCK_NAME:
        return f"the crawl lock ({data_dir / LOCK_NAME})"
    for name, holds in MANAGED_DIRECTORIES.items():
        if target.is_relative_to(home / name):
            return f"a file of {holds} ({data_dir / name})"
    if target == home:
        return f"the data directory ({data_dir})"
    return _hard_link_of_managed(target, data_dir)


def _hard_link_of_managed(target: Path, data_dir: Path) -> str | None:
    """A hard link elsewhere to one of the managed files is the same file."""
    try:
        status = target.stat()
    except OSError:
        return None
    if status.st_nlink < 2:
        return None
    for managed in _managed_files(data_dir):
        try:
            if os.path.samefile(target, managed):
                return f"a hard link to {managed}, which the data directory manages"
        except OSError:
            continue
    return None


def _managed_files(data_dir: Path) -> Iterator[Path]:
    for suffix in STORE_COMPANIONS:
        yield Path(f"{data_dir / STORE_NAME}{suffix}")
    for name in MANAGED_DIRECTORIES:
        directory = data_dir / name
        if directory.is_dir():
            yield from (path for path in directory.rglob("*") if path.is_file())


def replace_whole(output: Path, write: Callable[[IO[bytes]], T]) -> T:
    """``write`` a temporary file beside ``output``, then rename it over ``output``: a write that
    fails leaves no partial file and an existing output as it was. A symlinked output is replaced
    at the file it points to. The new file gets the mode ``open()`` would give it."""
    target = output.resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(
        dir=target.parent, prefix=f".{target.name}.", suffix=".partial"
    )
    try:
        with os.fdopen(handle, "wb") as stream:
            result = write(stream)
        os.chmod(temporary, _new_file_mode())
        os.replace(temporary, target)
    except BaseException:
        os.unlink(temporary)
        raise
    return result


def _new_file_mode(base: int = 0o666) -> int:
    """The mode ``open()`` would give a new file, or ``mkdir()`` a directory with ``base``
    ``0o777`` (mkstemp and mkdtemp make theirs private)."""
    umask = os.umask(0)
    os.umask(umask)
    return base & ~umask


def occupied_directory(output: Path) -> str | None:
    """Why ``output`` cannot become a new directory, in words, or None when it is absent or an
    empty directory: a directory output never replaces anything, so nothing is lost in it.

    >>> occupied_directory(Path("/")), occupied_directory(Path("/no/such/dir")) is None
    ('/ is not empty', True)
    """
    if not output.exists():
        return None
    if not output.is_dir():
        return f"{output} exists and is not a directory"
    if any(output.iterdir()):
        return f"{output} is not empty"
    return None


def fill_whole(output: Path, write: Callable[[Path], T]) -> T:
    """``write`` the files of a directory into a temporary directory beside ``output``, then
    rename it to ``output`` (absent, or an empty directory: renaming onto a non-empty one fails):
    a write that fails leaves no partial directory. The directory gets ``mkdir()``'s mode."""
    target = output.resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = Path(
        tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.", suffix=".partial")
    )
    try:
        result = write(temporary)
        os.chmod(temporary, _new_file_mode(0o777))
        os.replace(temporary, target)
    except BaseException:
        shutil.rmtree(temporary, ignore_errors=True)
        raise
    return result


def local_feed_path(uri: str) -> Path | None:
    """The file a Scrapy ``FEEDS`` URI (``-o``/``-O``) writes on this machine, or None for another
    storage (``stdout:``, ``s3://``, ``ftp://``...).

    >>> local_feed_path("out.csv"), local_feed_path("file:///tmp/a.csv"), local_feed_path("stdout:")
    (PosixPath('out.csv'), PosixPath('/tmp/a.csv'), None)
    """
    scheme, _, rest = uri.partition("://")
    if not rest:
        return None if uri.startswith("stdout:") else Path(uri)
    return Path(rest) if scheme == "file" else None


def managed_feed(uris: Iterable[str], data_dir: Path) -> str | None:
    """The refusal of the first local feed among ``uris`` that is a file the data directory
    manages, in words, or None."""
    for uri in uris:
        path = local_feed_path(uri)
        if path is not None and (managed := managed_output(path, data_dir)):
            return f"-o/-O {uri} is {managed}; write the items to another file"
    return None
