"""The ``breaking`` table: every line the site's BREAKING ticker showed, once, with when and where
it was seen (schema version 9; ``docs/breaking.md``).

One row per distinct line (its text, normalised: ``mayadeen.pages.ticker``). A page or archived
capture showing a known line again counts one more sighting and extends ``last_seen_at``; one
showing it earlier than known (a web archive's older capture) moves ``first_seen_at``, with the
page and origin of that sighting. ``run_id`` stays the run that recorded the line first: its
per-run feed lists it (``feed_run_id`` names the run whose feed is to list it, and is cleared once
a complete feed does). ``breaking_fts`` (FTS5) indexes text and attribution, as ``articles_fts``
does the articles.
"""

import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Final

COLUMNS: Final = (
    "text",
    "attribution",
    "first_seen_at",
    "last_seen_at",
    "times_seen",
    "first_seen_on",
    "run_id",
    "origin",
)
"""The table's columns as its feed and ``scrapy export --breaking`` list them, in order."""

TABLES: Final = (
    """CREATE TABLE breaking (
  id INTEGER PRIMARY KEY,
  text TEXT NOT NULL UNIQUE,
  attribution TEXT,
  first_seen_at TEXT NOT NULL,
  last_seen_at TEXT NOT NULL,
  times_seen INTEGER NOT NULL DEFAULT 1,
  first_seen_on TEXT NOT NULL,
  run_id TEXT,
  origin TEXT NOT NULL,
  feed_run_id TEXT
)""",
    "CREATE INDEX breaking_first_seen ON breaking(first_seen_at)",
    # Only the lines still owed to a feed: a few rows however long the table grows.
    "CREATE INDEX breaking_feed ON breaking(feed_run_id) WHERE feed_run_id IS NOT NULL",
    # External content, as articles_fts: Datasette offers search on the table from it.
    "CREATE VIRTUAL TABLE breaking_fts USING fts5(text, attribution, "
    """content="breaking", content_rowid="id", tokenize="unicode61 remove_diacritics 2")""",
    "CREATE TRIGGER breaking_fts_insert AFTER INSERT ON breaking BEGIN "
    "INSERT INTO breaking_fts (rowid, text, attribution) VALUES (new.id, new.text, "
    "new.attribution); END",
    "CREATE TRIGGER breaking_fts_delete AFTER DELETE ON breaking BEGIN "
    "INSERT INTO breaking_fts (breaking_fts, rowid, text, attribution) VALUES ('delete', old.id, "
    "old.text, old.attribution); END",
    "CREATE TRIGGER breaking_fts_update AFTER UPDATE OF text, attribution ON breaking BEGIN "
    "INSERT INTO breaking_fts (breaking_fts, rowid, text, attribution) VALUES ('delete', old.id, "
    "old.text, old.attribution); INSERT INTO breaking_fts (rowid, text, attribution) VALUES "
    "(new.id, new.text, new.attribution); END",
)

# Every SET expression reads the row as it was: the earlier sighting wins first_seen_*.
_SEEN = """INSERT INTO breaking (text, attribution, first_seen_at, last_seen_at, times_seen,
  first_seen_on, run_id, origin, feed_run_id) VALUES (?, ?, ?, ?, 1, ?, ?, ?, ?)
ON CONFLICT(text) DO UPDATE SET
  times_seen = times_seen + 1,
  last_seen_at = max(last_seen_at, excluded.last_seen_at),
  first_seen_on = iif(excluded.first_seen_at < first_seen_at, excluded.first_seen_on,
    first_seen_on),
  origin = iif(excluded.first_seen_at < first_seen_at, excluded.origin, origin),
  first_seen_at = min(first_seen_at, excluded.first_seen_at)"""


@dataclass(frozen=True, slots=True)
class Sighting:
    """Lines one page showed: where, when (the fetch, or the archive's capture time), from what."""

    page_url: str
    seen_at: str
    origin: str
    """``site``, ``wayback`` or ``commoncrawl``."""


def add_tables(db: sqlite3.Connection) -> None:
    """Migration 9: the ``breaking`` table and its full-text index."""
    for statement in TABLES:
        db.execute(statement)


def record_sighting(
    db: sqlite3.Connection,
    lines: Iterable[tuple[str, str | None]],
    sighting: Sighting,
    run_id: str,
) -> int:
    """Record the ``(text, attribution)`` lines one page showed; returns how many statements."""
    seen, page, origin = sighting.seen_at, sighting.page_url, sighting.origin
    rows = [
        (text, attribution, seen, seen, page, run_id, origin, run_id) for text, attribution in lines
    ]
    db.executemany(_SEEN, rows)
    return len(rows)


def lines_of_run(db: sqlite3.Connection, run_id: str) -> int:
    """How many lines ``run_id`` recorded first."""
    return int(
        db.execute("SELECT count(*) FROM breaking WHERE run_id = ?", (run_id,)).fetchone()[0]
    )


def feed_owing_runs(db: sqlite3.Connection) -> set[str]:
    """Runs whose breaking feed is to list lines that no complete feed lists yet."""
    rows = db.execute("SELECT DISTINCT feed_run_id FROM breaking WHERE feed_run_id IS NOT NULL")
    return {row[0] for row in rows}


def hand_over(db: sqlite3.Connection, runs: Iterable[str], run_id: str) -> None:
    """Lines the feeds of ``runs`` were to list and did not: the feed of ``run_id`` lists them."""
    db.executemany(
        "UPDATE breaking SET feed_run_id = ? WHERE feed_run_id = ?",
        [(run_id, other) for other in runs],
    )


def fed(db: sqlite3.Connection, runs: Iterable[str]) -> None:
    """The breaking feeds of ``runs`` are complete: what they were to list is listed."""
    db.executemany(
        "UPDATE breaking SET feed_run_id = NULL WHERE feed_run_id = ?", [(r,) for r in runs]
    )


def feed_lines(db: sqlite3.Connection, run_id: str) -> Iterator[dict[str, Any]]:
    """The lines the breaking feed of ``run_id`` lists, first seen first."""
    rows = db.execute(
        f"SELECT {', '.join(COLUMNS)} FROM breaking WHERE feed_run_id = ? "
        "ORDER BY first_seen_at, id",
        (run_id,),
    )
    for row in rows:
        yield dict(zip(COLUMNS, row, strict=True))


def all_lines(db: sqlite3.Connection, since: str | None = None) -> Iterator[dict[str, Any]]:
    """Every line, first seen first; ``since`` (an ISO date or time): last seen then or later."""
    where, parameters = ("WHERE last_seen_at >= ?", (since,)) if since else ("", ())
    rows = db.execute(
        f"SELECT {', '.join(COLUMNS)} FROM breaking {where} ORDER BY first_seen_at, id", parameters
    )
    for row in rows:
        yield dict(zip(COLUMNS, row, strict=True))


def merge_from(db: sqlite3.Connection) -> None:
    """``scrapy merge``: the lines of the attached source store ``src`` (``mayadeen.store.merge``),
    one row per line, from the earlier first sighting (with its page and origin) to the later
    last one. ``times_seen`` is the larger count of the two: merging a source again (its runs
    already here) counts nothing twice, at the cost of under-counting two disjoint stores."""
    db.execute(
        f"INSERT INTO main.breaking ({', '.join(COLUMNS)}, feed_run_id) "
        "SELECT text, attribution, first_seen_at, last_seen_at, times_seen, first_seen_on, "
        "merged_run(run_id), origin, merged_run(feed_run_id) FROM src.breaking WHERE true "
        "ON CONFLICT(text) DO UPDATE SET "
        "times_seen = max(breaking.times_seen, excluded.times_seen), "
        "last_seen_at = max(breaking.last_seen_at, excluded.last_seen_at), "
        "first_seen_on = iif(excluded.first_seen_at < breaking.first_seen_at, "
        "excluded.first_seen_on, breaking.first_seen_on), "
        "origin = iif(excluded.first_seen_at < breaking.first_seen_at, excluded.origin, "
        "breaking.origin), "
        "first_seen_at = min(breaking.first_seen_at, excluded.first_seen_at)"
    )


@dataclass(slots=True)
class Seen:
    """One line's sightings in the pages a re-extraction read: the first, the last, how many."""

    attribution: str | None
    first: Sighting
    last_seen_at: str
    times: int = 1


class Sightings:
    """The ticker lines of archived pages, gathered line by line (a few thousand distinct lines
    at most, however many pages showed them), for :func:`rebuild`."""

    def __init__(self) -> None:
        self.lines: dict[str, Seen] = {}

    def add(self, lines: Iterable[tuple[str, str | None]], sighting: Sighting) -> None:
        """As :func:`record_sighting` counts them: the earlier sighting wins the first (a tie:
        the one read first)."""
        for text, attribution in lines:
            seen = self.lines.get(text)
            if seen is None:
                self.lines[text] = Seen(attribution, sighting, sighting.seen_at)
                continue
            seen.times += 1
            seen.last_seen_at = max(seen.last_seen_at, sighting.seen_at)
            if sighting.seen_at < seen.first.seen_at:
                seen.first = sighting


# The archive's count replaces the table's when larger, never adds to it: a re-extraction reads
# sightings that the crawls (or an earlier re-extraction) already counted.
_REBUILT = """INSERT INTO breaking (text, attribution, first_seen_at, last_seen_at, times_seen,
  first_seen_on, run_id, origin, feed_run_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT(text) DO UPDATE SET
  times_seen = max(times_seen, excluded.times_seen),
  last_seen_at = max(last_seen_at, excluded.last_seen_at),
  first_seen_on = iif(excluded.first_seen_at < first_seen_at, excluded.first_seen_on,
    first_seen_on),
  origin = iif(excluded.first_seen_at < first_seen_at, excluded.origin, origin),
  first_seen_at = min(first_seen_at, excluded.first_seen_at)"""


def rebuild(db: sqlite3.Connection, sightings: Sightings, run_id: str) -> int:
    """Rebuild the table from the archive's sightings: a line missing is added (first recorded
    by ``run_id``, listed by its breaking feed), a known one gets the earlier first sighting,
    the later last one, and the larger count of the two (``times_seen``: the pages seen showing
    it, counted once however often the archive is read again). Returns the statements run."""
    rows = [
        (
            text,
            seen.attribution,
            seen.first.seen_at,
            seen.last_seen_at,
            seen.times,
            seen.first.page_url,
            run_id,
            seen.first.origin,
            run_id,
        )
        for text, seen in sightings.lines.items()
    ]
    db.executemany(_REBUILT, rows)
    return len(rows)
