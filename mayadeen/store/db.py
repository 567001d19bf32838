"""The SQLite store: one connection, writes batched in transactions; its reads are
``mayadeen.store.reads``, its connections ``mayadeen.store.connection``."""

import json
import os
import sqlite3
import time
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from mayadeen.items import Verdict
from mayadeen.store.connection import connect_readonly, connect_writable
from mayadeen.store.connection import store_path as store_path  # where other modules import it
from mayadeen.store.near_duplicates import NearDuplicates
from mayadeen.store.reads import KnownArticle, Run, StoreReads
from mayadeen.store.rows import item_values
from mayadeen.store.search import fill_search
from mayadeen.store.statements import (
    BODY_POSITION,
    COMPARED_BODY,
    COMPARED_POSITIONS,
    COMPARED_TAGS,
    DROP_TAGS,
    INSERT_NEW,
    KEEP_VERSION,
    PUBLISHED_POSITION,
    SEEN_AGAIN,
    STORED,
    TAGS_POSITION,
    UPSERT,
    add_tags,
)

"""What the store made of an item: a URL it did not know, a known URL whose values changed, or the
same values again."""


class Store(StoreReads):
    """The store at ``path``. ``Store.open(path)`` creates or migrates it for writing;
    ``Store.open(path, readonly=True)`` only reads, and on a file that does not exist yet answers
    every query with nothing. Use as a context manager, or call ``close()``."""

    def __init__(self, db: sqlite3.Connection | None, path: Path) -> None:
        self._db = db
        self.path = path
        self._aliases = True
        """Whether ``aliases`` may hold a row (saves a DELETE per new article while it is empty)."""
        self.pending = 0
        """Writes since the last commit (items stored, aliases, quarantined items)."""
        self.batch_size = 1
        """``commit_if_due`` commits once this many writes are pending..."""
        self.commit_interval = 0.0
        """...or once this many seconds have passed since the last commit."""
        self._last_commit = time.monotonic()
        self._near: NearDuplicates | None = None
        """The near-duplicates' index, built when the first article is stored."""

    @classmethod
    def open(cls, path: str | os.PathLike[str], readonly: bool = False) -> Self:
        path = Path(path)
        if readonly:
            return cls(connect_readonly(path), path)
        db = connect_writable(path)
        store = cls(db, path)
        store._aliases = db.execute("SELECT 1 FROM aliases LIMIT 1").fetchone() is not None
        return store

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        if self._db is not None:
            self.commit()
            self._db.close()
            self._db = None

    @property
    def db(self) -> sqlite3.Connection:
        if self._db is None:
            raise RuntimeError(f"{self.path}: the store is closed (or does not exist yet)")
        return self._db

    def commit(self) -> int:
        """Commit the pending writes, the new articles' full-text index filled first (one
        statement per batch, ``mayadeen.store.search``); returns how many there were."""
        done, self.pending = self.pending, 0
        if self._db is not None and self._db.in_transaction:
            fill_search(self._db)
            self._db.commit()
        self._last_commit = time.monotonic()
        return done

    def rollback(self) -> None:
        """Drop the pending writes (after a refused commit)."""
        self.pending = 0
        self._near = None  # it indexed signatures the rollback dropped: rebuilt when next needed
        if self._db is not None and self._db.in_transaction:
            self._db.rollback()

    def commit_if_due(self) -> int:
        """Commit in batches: when ``batch_size`` writes are pending, or ``commit_interval``
        seconds after the last commit; returns how many writes were committed (0: not yet).
        Only committed rows are seen by other connections: an article is *known* (to the next
        run, to a crawl reading the store) once its batch is committed."""
        if self.pending and (
            self.pending >= self.batch_size
            or time.monotonic() - self._last_commit >= self.commit_interval
        ):
            return self.commit()
        return 0

    # -- writing ---------------------------------------------------------------------------

    def put(
        self, item: Any, now: str, capture_id: int | None = None, signed: bytes | None = None
    ) -> Verdict:
        """Store an article, extracted from the archived capture ``capture_id`` (None: from
        none); a known URL with other values is updated and its old row kept in
        ``article_versions``; the same values again only touch ``last_seen_at``, and the
        capture when there is one. The capture is written with the row: no second statement.
        A new body's near-duplicate pairs are computed with it (``near_duplicates``), from its
        signature ``signed`` when the caller computed it already."""
        values = item_values(item)
        url = values[0]
        db = self.db
        if db.execute(INSERT_NEW, (*values, now, now, now, capture_id)).rowcount:
            self._add_tags(item, values)
            if self._aliases:
                db.execute("DELETE FROM aliases WHERE alias_url = ?", (url,))
            self.pending += 1
            self._pair(values, now, True, signed)
            return "new"
        stored = db.execute(STORED, (url,)).fetchone()
        self.pending += 1
        if stored == tuple(values[i] for i in COMPARED_POSITIONS):
            db.execute(SEEN_AGAIN, (now, capture_id, url))
            return "unchanged"
        db.execute(KEEP_VERSION, (now, url))
        db.execute(DROP_TAGS, (url, stored[COMPARED_TAGS]))
        db.execute(UPSERT, (*values, now, now, now, capture_id))
        self._add_tags(item, values)
        if stored[COMPARED_BODY] != values[BODY_POSITION]:
            self._pair(values, now, False, signed)
        return "updated"

    def _pair(self, values: tuple[Any, ...], now: str, new: bool, signed: bytes | None) -> None:
        if self._near is None:
            self._near = NearDuplicates(self.db)
        body, published = values[BODY_POSITION], values[PUBLISHED_POSITION]
        self._near.update(values[0], body, published, now, new, signed)

    def _add_tags(self, item: Any, values: tuple[Any, ...]) -> None:
        if tags := getattr(item, "tags", None) or json.loads(values[TAGS_POSITION]):
            self.db.execute(add_tags(len(tags)), [v for tag in tags for v in (tag, values[0])])

    def set_capture(self, url: str, capture_id: int | None) -> None:
        """Name the archived capture a stored article's values were extracted from."""
        self.db.execute("UPDATE articles SET capture_id = ? WHERE url = ?", (capture_id, url))

    def add_alias(self, alias_url: str, url: str, content_hash: str | None, now: str) -> None:
        """Record that ``alias_url`` serves the content stored under ``url``."""
        self._aliases = True
        self.db.execute(
            "INSERT INTO aliases (alias_url, url, content_hash, first_seen_at, last_seen_at) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT(alias_url) DO UPDATE SET url = excluded.url, "
            "content_hash = excluded.content_hash, last_seen_at = excluded.last_seen_at",
            (alias_url, url, content_hash, now, now),
        )
        self.pending += 1

    def quarantine(
        self, item: dict[str, Any], reasons: Sequence[str], run_id: str | None, now: str
    ) -> None:
        """Keep an invalid item with its reasons, for a later look or re-check."""
        self.db.execute(
            "INSERT INTO quarantine (run_id, url, reasons, item, quarantined_at) "
            "VALUES (?, ?, ?, ?, ?)",
            (
                run_id,
                item.get("url"),
                json.dumps(list(reasons)),
                json.dumps(item, ensure_ascii=False, default=str),
                now,
            ),
        )
        self.pending += 1

    def remember_non_article(self, url: str, kind: str, run_id: str | None, now: str) -> None:
        """Record that the page at ``url`` said it is not an article (``kind``)."""
        self.db.execute(
            "INSERT INTO non_articles (url, kind, run_id, first_seen_at, last_seen_at) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT(url) DO UPDATE SET kind = excluded.kind, "
            "last_seen_at = excluded.last_seen_at",
            (url, kind, run_id, now, now),
        )
        self.pending += 1

    def claim_run(self, run_id: str, started_at: str) -> str:
        """Begin a run under ``run_id``, or under the first free ``run_id_2``, ``run_id_3``...
        when runs started in the same second took it; returns the id used. The choice and the
        insert hold the write lock together, so crawls that start at once (workers sharing the
        store) never take the same id."""
        with self.db:
            self.db.execute("BEGIN IMMEDIATE")
            chosen = unique_run_id(run_id, self.run_ids_like(run_id))
            self.db.execute(
                "INSERT INTO runs (run_id, started_at, pid) VALUES (?, ?, ?)",
                (chosen, started_at, os.getpid()),
            )
        return chosen

    def finish_run(
        self, run_id: str, finished_at: str, reason: str, counts: dict[str, int]
    ) -> None:
        """Commit what is pending and record how the run ended, with its counters."""
        self.commit()
        assignments = "".join(f", {name} = :{name}" for name in counts)
        with self.db:
            self.db.execute(
                "UPDATE runs SET finished_at = :finished_at, close_reason = :reason"
                f"{assignments} WHERE run_id = :run_id",
                {"finished_at": finished_at, "reason": reason, "run_id": run_id, **counts},
            )


def unique_run_id(candidate: str, taken: set[str]) -> str:
    """``candidate``, or with a ``_2``, ``_3``... suffix when a run of the same second exists
    (``_`` sorts after ``.``, so ``articles-…Z_2.csv`` lists after ``articles-…Z.csv``).

    >>> unique_run_id("20261121T101500Z", {"20261121T101500Z", "20261121T101500Z_2"})
    '20261121T101500Z_3'
    """
    run_id, number = candidate, 1
    while run_id in taken:
        number += 1
        run_id = f"{candidate}_{number}"
    return run_id


def known_articles(path: str | os.PathLike[str]) -> dict[str, KnownArticle]:
    """``Store.known_articles`` of the store at ``path`` (empty when it does not exist yet)."""
    with Store.open(path, readonly=True) as store:
        return store.known_articles()


def last_finished_run(path: str | os.PathLike[str]) -> Run | None:
    """``Store.last_finished_run`` of the store at ``path`` (None when it does not exist yet)."""
    with Store.open(path, readonly=True) as store:
        return store.last_finished_run()


def known_non_articles(path: str | os.PathLike[str]) -> dict[str, str]:
    """``Store.non_articles`` of the store at ``path`` (empty when it does not exist yet)."""
    with Store.open(path, readonly=True) as store:
        return store.non_articles()
