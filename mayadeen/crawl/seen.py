"""What a run has seen, kept on disk instead of in memory: sets and maps of strings that grow with
every URL or article of the run (request fingerprints, requested URLs, content hashes), and what
the store knew when the run began (``SeenRecords``: every known article's dates).

A backfill of the whole archive meets hundreds of thousands of URLs; Python sets of them cost
100-200 bytes an entry for the whole run (docs/benchmarks.md, "Memory"). These keep their entries
in a private temporary SQLite database (an empty file name: SQLite makes an anonymous file on disk
and deletes it on close), so memory is bounded by SQLite's page cache, whatever the run's size.
Nothing is ever committed: the database lives and dies with the run, so it needs no journal and
no durability, and one transaction stays open for its whole life.
"""

import sqlite3
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import TypeVar

CACHE_KIB = 512
"""SQLite's page cache for one of these, KiB: beyond it, pages spill to the temporary file."""


class _Table:
    """One temporary on-disk SQLite table keyed by a string (or bytes: request fingerprints)."""

    def __init__(self, columns: str = "") -> None:
        self._db = sqlite3.connect("", isolation_level=None, check_same_thread=False)
        self._db.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
        self._db.execute("PRAGMA journal_mode = OFF")
        self._db.execute("PRAGMA synchronous = OFF")
        self._db.execute(f"CREATE TABLE seen (key TEXT PRIMARY KEY{columns}) WITHOUT ROWID")
        self._db.execute("BEGIN")
        self._count = 0

    def __len__(self) -> int:
        return self._count

    def __contains__(self, key: object) -> bool:
        row = self._db.execute("SELECT 1 FROM seen WHERE key = ?", (key,)).fetchone()
        return row is not None

    def __iter__(self) -> Iterator[str | bytes]:
        return (key for (key,) in self._db.execute("SELECT key FROM seen").fetchall())

    def close(self) -> None:
        self._db.close()


class SeenSet(_Table):
    """A set of strings on disk.

    >>> seen = SeenSet()
    >>> seen.add("a"), seen.add("a"), seen.add("b")
    (True, False, True)
    >>> "a" in seen, "c" in seen, len(seen), sorted(seen)
    (True, False, 2, ['a', 'b'])
    >>> seen.discard("a"); "a" in seen, len(seen)
    (False, 1)
    >>> seen.update([b"\\x00\\xff", b"\\x00\\xff"]); b"\\x00\\xff" in seen, len(seen)
    (True, 2)
    """

    def __init__(self) -> None:
        super().__init__()

    def add(self, key: str | bytes) -> bool:
        """Add ``key``; whether it was not there before."""
        added = self._db.execute("INSERT OR IGNORE INTO seen VALUES (?)", (key,)).rowcount > 0
        self._count += added
        return added

    def update(self, keys: Iterable[str | bytes]) -> None:
        for key in keys:
            self.add(key)

    def discard(self, key: str | bytes) -> None:
        self._count -= self._db.execute("DELETE FROM seen WHERE key = ?", (key,)).rowcount

    def discard_prefix(self, prefix: str) -> None:
        """Forget every key that starts with ``prefix`` (strings whose last character is below
        U+FFFF: a line break, here).

        >>> seen = SeenSet()
        >>> seen.update(["a\\nx", "a\\ny", "ab\\nx", "b\\nx"]); seen.discard_prefix("a\\n")
        >>> sorted(seen), len(seen)
        (['ab\\nx', 'b\\nx'], 2)
        """
        following = prefix[:-1] + chr(ord(prefix[-1]) + 1)
        self._count -= self._db.execute(
            "DELETE FROM seen WHERE key >= ? AND key < ?", (prefix, following)
        ).rowcount


class SeenMap(_Table):
    """A map of strings to strings on disk.

    >>> seen = SeenMap()
    >>> seen.setdefault("h", "u1"), seen.setdefault("h", "u2"), seen.get("h"), seen.get("x")
    ('u1', 'u1', 'u1', None)
    >>> len(seen), "h" in seen
    (1, True)
    """

    def __init__(self) -> None:
        super().__init__(", value TEXT NOT NULL")

    def get(self, key: str) -> str | None:
        row = self._db.execute("SELECT value FROM seen WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def setdefault(self, key: str, value: str) -> str:
        """``key``'s value, after setting it to ``value`` if it had none."""
        if self._db.execute("INSERT OR IGNORE INTO seen VALUES (?, ?)", (key, value)).rowcount:
            self._count += 1
            return value
        return self.get(key) or value


Record = TypeVar("Record", bound=tuple[str | None, ...])


class SeenRecords(_Table, Mapping[str, Record]):
    """A read-only map of strings to records (tuples of ``width`` optional strings) on disk,
    filled once from ``entries``; a lookup makes its record again with ``record``. Where
    ``entries`` names a key twice, the last one holds, as in a dict.

    >>> from typing import NamedTuple
    >>> class Dates(NamedTuple):
    ...     published: str | None
    ...     modified: str | None
    >>> seen = SeenRecords(Dates, 2, [("a", Dates("1", None)), ("b", Dates("2", "3")),
    ...                              ("a", Dates("4", None))])
    >>> seen["a"], seen.get("b"), seen.get("c"), "b" in seen, len(seen), sorted(seen)
    (Dates(published='4', modified=None), Dates(published='2', modified='3'), None, True, 2, ['a', 'b'])
    >>> seen.largest(0), seen.largest(1), SeenRecords(Dates, 2, [("a", Dates("", None))]).largest(0)
    ('4', '3', None)
    """

    def __init__(
        self,
        record: Callable[..., Record],
        width: int,
        entries: Iterable[tuple[str, Record]] = (),
    ) -> None:
        super().__init__("".join(f", v{n} TEXT" for n in range(width)))
        self._record = record
        self._select = f"SELECT {', '.join(f'v{n}' for n in range(width))} FROM seen WHERE key = ?"
        self._db.executemany(
            f"INSERT OR REPLACE INTO seen VALUES (?{', ?' * width})",
            ((key, *values) for key, values in entries),
        )
        (self._count,) = self._db.execute("SELECT count(*) FROM seen").fetchone()

    def __getitem__(self, key: str) -> Record:
        row = self._db.execute(self._select, (key,)).fetchone()
        if row is None:
            raise KeyError(key)
        return self._record(*row)

    def __iter__(self) -> Iterator[str]:
        # Filled once and never written again, so the cursor can be read as it is drawn.
        return (str(key) for (key,) in self._db.execute("SELECT key FROM seen"))

    def largest(self, position: int) -> str | None:
        """The largest value at ``position`` of the records (as Python orders strings: SQLite
        compares text by its UTF-8 bytes, which sort as the code points do), None when every
        one is empty or None."""
        (value,) = self._db.execute(f"SELECT max(v{position}) FROM seen").fetchone()
        return str(value) if value else None
