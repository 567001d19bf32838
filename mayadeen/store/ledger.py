"""The crawl's ledger in the store: articles owed to later runs, articles confirmed gone, articles
robots.txt forbids, what trustworthy runs covered, and the site the data directory belongs to (tables in
``mayadeen.store.tables.LEDGER_TABLES``; the rules in ``mayadeen.crawl.owed``).

Written through the run's store connection, so a ledger row commits in the same batch as the
articles around it: an article is never both stored and owed once the batch is committed.
"""

import os
import sqlite3
from collections.abc import Iterable, Mapping
from typing import Any, Literal

from mayadeen.store.db import Store
from mayadeen.store.rows import item_dict
from mayadeen.store.statements import COLUMNS

Outcome = Literal["owed", "gone"]


class Ledger:
    def __init__(self, store: Store) -> None:
        self.store = store

    # -- owed articles ---------------------------------------------------------------------

    def owe(self, url: str, run_id: str, now: str, reason: str) -> bool:
        """Record that ``url`` is requested and not settled yet; an owed URL keeps its history.
        Returns whether the row is new."""
        db = self.store.db
        self.store.pending += 1
        added = db.execute(
            "INSERT OR IGNORE INTO owed (url, reason, attempts, first_owed_at, next_attempt_at, "
            "run_id) VALUES (?, ?, 0, ?, ?, ?)",
            (url, reason, now, now, run_id),
        ).rowcount
        if not added:
            db.execute("UPDATE owed SET run_id = ? WHERE url = ?", (run_id, url))
        return bool(added)

    def forget(self, url: str) -> None:
        """Take back a row :meth:`owe` just added (its request was not scheduled after all)."""
        self.store.db.execute("DELETE FROM owed WHERE url = ? AND attempts = 0", (url,))
        self.store.pending += 1

    def settle(self, urls: Iterable[str], run_id: str) -> int:
        """Settle ``urls`` (stored, quarantined, a duplicate, not an article; one confirmed gone
        that came back too); returns how many of them earlier runs owed."""
        earlier = 0
        for url in dict.fromkeys(urls):
            self.store.db.execute("DELETE FROM gone WHERE url = ?", (url,))
            self.store.db.execute("DELETE FROM forbidden WHERE url = ?", (url,))
            row = self.store.db.execute(
                "DELETE FROM owed WHERE url = ? RETURNING run_id, attempts", (url,)
            ).fetchone()
            if row is not None:
                self.store.pending += 1
                earlier += row[0] != run_id or row[1] > 0
        return earlier

    def failed(
        self,
        url: str,
        reason: str,
        gone: bool,
        now: str,
        next_attempt_at: str,
        run_id: str,
        status: int | None,
    ) -> Outcome:
        """An attempt at ``url`` failed: owed with one more attempt, or, when ``gone``, moved to
        ``gone``. ``next_attempt_at`` is worked out by the caller from :meth:`attempts`."""
        db = self.store.db
        self.store.pending += 1
        if gone:
            db.execute("DELETE FROM owed WHERE url = ?", (url,))
            db.execute(
                "INSERT INTO gone (url, status, confirmed_at, run_id) VALUES (?, ?, ?, ?) "
                "ON CONFLICT(url) DO UPDATE SET status = excluded.status, "
                "confirmed_at = excluded.confirmed_at, run_id = excluded.run_id",
                (url, status or 0, now, run_id),
            )
            return "gone"
        gone_answer = int(status in (404, 410))
        db.execute(
            "INSERT INTO owed (url, reason, attempts, gone_answers, first_owed_at, "
            "last_attempt_at, next_attempt_at, run_id) VALUES (?, ?, 1, ?, ?, ?, ?, ?) "
            "ON CONFLICT(url) DO UPDATE SET reason = excluded.reason, "
            "attempts = owed.attempts + 1, "
            "gone_answers = CASE WHEN excluded.gone_answers THEN owed.gone_answers + 1 ELSE 0 END, "
            "last_attempt_at = excluded.last_attempt_at, "
            "next_attempt_at = excluded.next_attempt_at, run_id = excluded.run_id",
            (url, reason, gone_answer, now, now, next_attempt_at, run_id),
        )
        return "owed"

    def attempts(self, url: str) -> tuple[int, int]:
        """(failed attempts, consecutive 404/410 answers) of an owed URL so far."""
        row = self.store.db.execute(
            "SELECT attempts, gone_answers FROM owed WHERE url = ?", (url,)
        ).fetchone()
        return (row[0], row[1]) if row else (0, 0)

    def gone(self) -> set[str]:
        """Article URLs confirmed gone."""
        return {row[0] for row in self.store.db.execute("SELECT url FROM gone")}

    def forbid(self, url: str, robots: str, now: str, run_id: str) -> None:
        """robots.txt (of fingerprint ``robots``) forbids ``url``: settled as forbidden, owed no
        more, until a robots.txt of another fingerprint is read."""
        db = self.store.db
        db.execute("DELETE FROM owed WHERE url = ?", (url,))
        db.execute(
            "INSERT INTO forbidden (url, robots, forbidden_at, run_id) VALUES (?, ?, ?, ?) "
            "ON CONFLICT(url) DO UPDATE SET robots = excluded.robots, "
            "forbidden_at = excluded.forbidden_at, run_id = excluded.run_id",
            (url, robots, now, run_id),
        )
        self.store.pending += 1

    def forbidden(self) -> dict[str, str]:
        """Article URLs robots.txt forbade → the fingerprint of the robots.txt that did."""
        return dict(self.store.db.execute("SELECT url, robots FROM forbidden"))

    def outstanding(self) -> int:
        (count,) = self.store.db.execute("SELECT count(*) FROM owed").fetchone()
        return int(count)

    def due(self, now: str) -> list[str]:
        """Owed URLs whose next attempt is due at ``now``, the longest owed first."""
        rows = self.store.db.execute(
            "SELECT url FROM owed WHERE next_attempt_at <= ? ORDER BY first_owed_at, url", (now,)
        )
        return [row[0] for row in rows]

    # -- coverage --------------------------------------------------------------------------

    def covered(self) -> dict[str, str]:
        """Every covered source → when it was covered."""
        return dict(self.store.db.execute("SELECT source, covered_at FROM covered"))

    def cover(self, sources: Mapping[str, str], run_id: str, now: str) -> None:
        """Record ``sources`` (source → kind) as read to their end by this run."""
        self.store.db.executemany(
            "INSERT INTO covered (source, kind, covered_at, run_id) VALUES (?, ?, ?, ?) "
            "ON CONFLICT(source) DO UPDATE SET covered_at = excluded.covered_at, "
            "run_id = excluded.run_id",
            [(source, kind, now, run_id) for source, kind in sources.items()],
        )
        self.store.pending += len(sources)

    # -- articles owed to a feed -----------------------------------------------------------

    def owe_feed(self, url: str, run_id: str) -> None:
        """A new version of ``url`` is stored: the feed of ``run_id`` is to list it."""
        self.store.db.execute(
            "INSERT INTO feed_owed (url, run_id) VALUES (?, ?) "
            "ON CONFLICT(url) DO UPDATE SET run_id = excluded.run_id",
            (url, run_id),
        )
        self.store.pending += 1

    def feed_owing_runs(self) -> set[str]:
        """Runs whose feeds are to list articles that no complete feed lists yet."""
        return {row[0] for row in self.store.db.execute("SELECT DISTINCT run_id FROM feed_owed")}

    def fed(self, run_ids: Iterable[str]) -> None:
        """The feeds of ``run_ids`` are complete: what they were to list is listed."""
        self.store.db.executemany(
            "DELETE FROM feed_owed WHERE run_id = ?", [(run_id,) for run_id in run_ids]
        )
        self.store.pending += 1

    def take_unfed(self, run_id: str, alone: bool = True) -> list[dict[str, Any]]:
        """Articles the feeds of earlier runs were to list and did not (a run killed, a feed that
        failed), as stored now: handed to the feed of ``run_id``. Unless the run is ``alone`` on
        its data directory (it holds the lock), not those of a run still going (a worker of a
        shared crawl): its own feeds list them."""
        db = self.store.db
        ended = [
            other
            for other, finished, pid in db.execute(
                "SELECT run_id, finished_at, pid FROM runs WHERE run_id IN "
                "(SELECT DISTINCT run_id FROM feed_owed WHERE run_id <> ?)",
                (run_id,),
            )
            if alone or finished is not None or not process_alive(pid)
        ]
        ended += [  # rows of runs the runs table does not know (removed by hand): settled here
            row[0]
            for row in db.execute(
                "SELECT DISTINCT run_id FROM feed_owed WHERE run_id <> ? "
                "AND run_id NOT IN (SELECT run_id FROM runs)",
                (run_id,),
            )
        ]
        taken: list[dict[str, Any]] = []
        for other in ended:
            rows = db.execute(
                f"SELECT {COLUMNS} FROM articles WHERE url IN "
                "(SELECT url FROM feed_owed WHERE run_id = ?) ORDER BY published_at, url",
                (other,),
            )
            taken += [item_dict(row) for row in rows]
            db.execute("UPDATE feed_owed SET run_id = ? WHERE run_id = ?", (run_id, other))
            self.store.pending += 1
        return taken

    # -- the site --------------------------------------------------------------------------

    def site_root(self) -> str | None:
        """The site root the store belongs to (None: a new store)."""
        return bound_site(self.store.db)

    def bind_site(self, root: str) -> None:
        """Record the site the store belongs to (the first run's; a later one replaces it only
        when told to)."""
        self.store.db.execute(
            "INSERT INTO site (key, value) VALUES ('root', ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (root,),
        )
        self.store.pending += 1


def bound_site(db: sqlite3.Connection) -> str | None:
    """The site root recorded in the store of ``db`` (None: none yet, or a store older than
    the ledger)."""
    try:
        row = db.execute("SELECT value FROM site WHERE key = 'root'").fetchone()
    except sqlite3.OperationalError:  # schema version 1: no ``site`` table until migrated
        return None
    return row[0] if row else None


def process_alive(pid: int | None) -> bool:
    """Whether the process ``pid`` still runs on this machine (None: unknown, taken as gone).

    >>> process_alive(os.getpid()), process_alive(None)
    (True, False)
    """
    if pid is None:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: alive
        return True
    return True
