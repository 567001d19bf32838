"""Articles by canonical URL: a URL only the source has comes over whole (row, versions, tags,
origin); a URL both have keeps the version seen last as its row, and every other version of
either in ``article_versions`` with its times, numbered in the order they appeared (a version
both stores hold is kept once).
"""

import json
import sqlite3
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from mayadeen.store.statements import COLUMNS, COMPARED, add_tags

ROW = f"{COLUMNS}, first_seen_at, last_seen_at, changed_at, version, capture_id"
VERSION = f"{COLUMNS}, first_seen_at, changed_at, version, superseded_at, capture_id"
ORIGIN = "url, via, captured_at, collection, source_url, record_id, digest"


def _seen_later(theirs: dict[str, Any], ours: dict[str, Any]) -> bool:
    """Whether the source's row is the later one: last seen later; of two rows with other values
    last seen within the same second (two crawls a second apart), the one whose values changed
    later, then the later ``modified_at`` the page states, so that a tie never keeps the stale
    row by chance. Rows with the same values keep the target's on a tie (merging again changes
    nothing).

    >>> row = {**dict.fromkeys(COMPARED), "last_seen_at": "T1", "changed_at": "T0",
    ...        "modified_at": "M1", "title": "a"}
    >>> _seen_later({**row, "last_seen_at": "T2"}, row), _seen_later(row, row)
    (True, False)
    >>> _seen_later({**row, "changed_at": "T1"}, row)  # the same values: the target's stays
    False
    >>> edited = {**row, "title": "b"}
    >>> _seen_later({**edited, "changed_at": "T1"}, row)
    True
    >>> _seen_later({**edited, "modified_at": "M2"}, row), _seen_later(row, {**edited, "changed_at": "T1"})
    (True, False)
    """
    if theirs["last_seen_at"] != ours["last_seen_at"]:
        return bool(theirs["last_seen_at"] > ours["last_seen_at"])
    if _same(theirs, ours):
        return False

    def key(row: dict[str, Any]) -> tuple[str, str]:
        return (row["changed_at"] or "", row["modified_at"] or "")

    return key(theirs) > key(ours)


def _rows(db: sqlite3.Connection, query: str, parameters: tuple[Any, ...]) -> list[dict[str, Any]]:
    cursor = db.execute(query, parameters)
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor]


def _same(first: Mapping[str, Any], second: Mapping[str, Any]) -> bool:
    return all(first[name] == second[name] for name in COMPARED)


@dataclass
class Version:
    values: dict[str, Any]
    changed_at: str
    first_seen_at: str
    superseded_at: str
    capture_id: int | None


def _history(versions: list[Version]) -> list[Version]:
    """In the order they appeared, a version right after the same values dropped (the same
    version held by both stores), the first's times kept, the last's supersession."""
    kept: list[Version] = []
    for version in sorted(versions, key=lambda v: (v.changed_at, v.first_seen_at)):
        if kept and _same(kept[-1].values, version.values):
            kept[-1].superseded_at = max(kept[-1].superseded_at, version.superseded_at)
            continue
        kept.append(version)
    return kept


class ArticleMerge:
    """The articles of the attached source (``src``) into ``main``, captures and runs mapped."""

    def __init__(
        self, db: sqlite3.Connection, captures: Mapping[int, int], runs: Mapping[str, str]
    ) -> None:
        self.db = db
        self.captures = captures
        self.runs = runs
        self.counts: Counter[str] = Counter()

    def capture(self, capture_id: int | None) -> int | None:
        return None if capture_id is None else self.captures.get(capture_id)

    def merge(self) -> Counter[str]:
        db = self.db
        db.execute("DROP TABLE IF EXISTS temp.merge_won")
        db.execute("CREATE TEMP TABLE merge_won (url TEXT PRIMARY KEY)")
        db.execute(
            "INSERT INTO temp.merge_won SELECT url FROM src.articles "
            "WHERE url NOT IN (SELECT url FROM main.articles)"
        )
        self.counts["new"] = self._new()
        both = [
            row[0]
            for row in db.execute(
                "SELECT url FROM src.articles WHERE url IN (SELECT url FROM main.articles) "
                "AND url NOT IN (SELECT url FROM temp.merge_won) ORDER BY url"
            )
        ]
        for url in both:
            self.counts[self._both(url)] += 1
        return self.counts

    def _new(self) -> int:
        """URLs only the source has: rows, versions, tags and origins, in bulk."""
        db = self.db
        new = "url IN (SELECT url FROM temp.merge_won)"
        added = db.execute(
            f"INSERT INTO main.articles ({ROW}) SELECT {ROW.replace('capture_id', '')}"
            f"merged_capture(capture_id) FROM src.articles WHERE {new} ORDER BY rowid"
        ).rowcount
        db.execute(
            f"INSERT INTO main.article_versions ({VERSION}) SELECT "
            f"{VERSION.replace('capture_id', '')}merged_capture(capture_id) "
            f"FROM src.article_versions WHERE {new}"
        )
        db.execute(
            f"INSERT OR IGNORE INTO main.article_tags (tag, url) "
            f"SELECT tag, url FROM src.article_tags WHERE {new}"
        )
        db.execute(
            f"INSERT INTO main.article_origins ({ORIGIN}, run_id) SELECT {ORIGIN}, "
            f"merged_run(run_id) FROM src.article_origins WHERE {new} ON CONFLICT(url) DO NOTHING"
        )
        return int(added)

    def _both(self, url: str) -> str:
        """A URL both stores have: ``newer`` (the source's row wins), ``older`` (the target's
        stays, the source's is kept as a version) or ``same`` (the same values)."""
        (ours,) = _rows(self.db, f"SELECT {ROW} FROM main.articles WHERE url = ?", (url,))
        (theirs,) = _rows(self.db, f"SELECT {ROW} FROM src.articles WHERE url = ?", (url,))
        theirs["capture_id"] = self.capture(theirs["capture_id"])
        source_wins = _seen_later(theirs, ours)
        winner, loser = (theirs, ours) if source_wins else (ours, theirs)
        versions = self._versions(url, "main", lambda c: c)
        versions += self._versions(url, "src", self.capture)
        same = _same(winner, loser)
        if not same:
            superseded = min(
                (
                    t
                    for t in (winner["changed_at"], winner["last_seen_at"])
                    if t >= loser["last_seen_at"]
                ),
                default=winner["last_seen_at"],
            )
            versions.append(
                Version(
                    loser,
                    loser["changed_at"],
                    loser["first_seen_at"],
                    superseded,
                    loser["capture_id"],
                )
            )
        history = _history(versions)
        if source_wins:  # its own history may hold the same values as well
            history = [v for v in history if not (v is history[-1] and _same(v.values, winner))]
        merged = {
            **winner,
            "first_seen_at": min(ours["first_seen_at"], theirs["first_seen_at"]),
            "version": len(history) + 1,
        }
        if same:  # these values since the first store had them
            merged["changed_at"] = min(ours["changed_at"], theirs["changed_at"])
        self._write(url, ours, merged, history)
        if source_wins:
            self.db.execute("INSERT OR IGNORE INTO temp.merge_won (url) VALUES (?)", (url,))
            self.db.execute(
                f"INSERT INTO main.article_origins ({ORIGIN}, run_id) SELECT {ORIGIN}, "
                "merged_run(run_id) FROM src.article_origins WHERE url = ? "
                "ON CONFLICT(url) DO UPDATE SET via = excluded.via, "
                "captured_at = excluded.captured_at, collection = excluded.collection, "
                "source_url = excluded.source_url, record_id = excluded.record_id, "
                "digest = excluded.digest, run_id = excluded.run_id",
                (url,),
            )
        return "same" if same else "newer" if source_wins else "older"

    def _versions(self, url: str, schema: str, capture: Any) -> list[Version]:
        rows = _rows(
            self.db, f"SELECT {VERSION} FROM {schema}.article_versions WHERE url = ?", (url,)
        )
        return [
            Version(
                row,
                row["changed_at"],
                row["first_seen_at"],
                row["superseded_at"],
                capture(row["capture_id"]),
            )
            for row in rows
        ]

    def _write(
        self, url: str, ours: dict[str, Any], merged: dict[str, Any], history: list[Version]
    ) -> None:
        db = self.db
        stored = _rows(
            db,
            f"SELECT {VERSION} FROM main.article_versions WHERE url = ? ORDER BY version",
            (url,),
        )
        wanted = [self._version_row(url, number, v) for number, v in enumerate(history, 1)]
        if stored != wanted:
            db.execute("DELETE FROM main.article_versions WHERE url = ?", (url,))
            for row in wanted:
                db.execute(
                    f"INSERT INTO main.article_versions ({VERSION}) "
                    f"VALUES ({', '.join('?' * len(row))})",
                    tuple(row.values()),
                )
        if merged == ours:
            return
        names = [name for name in merged if name != "url"]
        db.execute(
            f"UPDATE main.articles SET {', '.join(f'{n} = ?' for n in names)} WHERE url = ?",
            (*(merged[n] for n in names), url),
        )
        if merged["tags"] != ours["tags"]:
            db.execute("DELETE FROM main.article_tags WHERE url = ?", (url,))
            if tags := json.loads(merged["tags"]):
                db.execute(add_tags(len(tags)), [v for tag in tags for v in (tag, url)])

    def _version_row(self, url: str, number: int, version: Version) -> dict[str, Any]:
        row = {name: version.values[name] for name in COLUMNS.split(", ")}
        row.update(
            url=url,
            first_seen_at=version.first_seen_at,
            changed_at=version.changed_at,
            version=number,
            superseded_at=version.superseded_at,
            capture_id=version.capture_id,
        )
        return row
