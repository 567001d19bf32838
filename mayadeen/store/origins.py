"""Where each stored article's bytes came from (``article_origins``), and the archive indexes'
cursors (``archive_cursors``): schema version 5.

An article read from the live site has the origin ``site`` and the time of the fetch; one read
from a web archive has ``wayback`` or ``commoncrawl``, the archive's capture time, the crawl
(Common Crawl's crawl id) and the address its bytes were read at. The next run over an archive
fetches an article again only for a newer capture (``mayadeen.webarchives.captures``).
"""

import sqlite3
from dataclasses import dataclass
from typing import Final

SITE: Final = "site"

TABLES: Final = (
    """CREATE TABLE article_origins (
  url TEXT PRIMARY KEY,
  via TEXT NOT NULL,
  captured_at TEXT NOT NULL,
  collection TEXT,
  source_url TEXT,
  record_id TEXT,
  digest TEXT,
  run_id TEXT
)""",
    """CREATE TABLE archive_cursors (
  query TEXT PRIMARY KEY,
  resume TEXT NOT NULL,
  saved_at TEXT NOT NULL
)""",
)


@dataclass(frozen=True)
class Origin:
    via: str
    """``site``, ``wayback`` or ``commoncrawl``."""
    captured_at: str
    collection: str | None = None
    source_url: str | None = None
    """Where the bytes were read: the replay URL, the WARC file."""
    record_id: str | None = None
    """The archive's record id (Common Crawl's ``WARC-Record-ID``)."""
    digest: str | None = None
    """The archive's digest of the capture's payload (SHA-1, base 32)."""


def set_origin(
    db: sqlite3.Connection, url: str, origin: Origin, run_id: str | None, replace: bool = True
) -> None:
    """Record where ``url``'s stored article came from; without ``replace``, only when nothing
    is recorded yet (an article re-extracted from the archive keeps the origin of its bytes)."""
    update = (
        "UPDATE SET via = excluded.via, captured_at = excluded.captured_at, "
        "collection = excluded.collection, source_url = excluded.source_url, "
        "record_id = excluded.record_id, digest = excluded.digest, run_id = excluded.run_id"
        if replace
        else "NOTHING"
    )
    db.execute(
        "INSERT INTO article_origins (url, via, captured_at, collection, source_url, record_id, "
        f"digest, run_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(url) DO {update}",
        (
            url,
            origin.via,
            origin.captured_at,
            origin.collection,
            origin.source_url,
            origin.record_id,
            origin.digest,
            run_id,
        ),
    )


def stored_origins(db: sqlite3.Connection) -> dict[str, tuple[str, str | None]]:
    """URL → when the capture its stored article was read from was taken (site or archive), and
    the archive's digest of its payload."""
    rows = db.execute("SELECT url, captured_at, digest FROM article_origins")
    return {url: (captured_at, digest) for url, captured_at, digest in rows}


def same_bytes_later(db: sqlite3.Connection, url: str, captured_at: str) -> None:
    """A newer capture holds the very bytes the article was stored from: it is as new as that
    capture, with nothing fetched."""
    db.execute("UPDATE article_origins SET captured_at = ? WHERE url = ?", (captured_at, url))


def origin_of(db: sqlite3.Connection, url: str) -> Origin | None:
    row = db.execute(
        "SELECT via, captured_at, collection, source_url, record_id, digest FROM article_origins "
        "WHERE url = ?",
        (url,),
    ).fetchone()
    return Origin(*row) if row else None


def cursor(db: sqlite3.Connection, query: str) -> str | None:
    """Where an index listing stopped (``resumeKey``, or Common Crawl's page number)."""
    row = db.execute("SELECT resume FROM archive_cursors WHERE query = ?", (query,)).fetchone()
    return str(row[0]) if row else None


def cursors_under(db: sqlite3.Connection, prefix: str) -> dict[str, str]:
    """Every listing's position whose key begins with ``prefix`` (the home page's listings of an
    archive: ``mayadeen.webarchives.home``)."""
    rows = db.execute(
        "SELECT query, resume FROM archive_cursors WHERE substr(query, 1, ?) = ?",
        (len(prefix), prefix),
    )
    return {str(query): str(resume) for query, resume in rows}


def save_cursor(db: sqlite3.Connection, query: str, resume: str | None, now: str) -> None:
    """Keep where a listing goes on; None: it was read to its end (the next run starts over)."""
    if resume is None:
        db.execute("DELETE FROM archive_cursors WHERE query = ?", (query,))
    else:
        db.execute(
            "INSERT INTO archive_cursors (query, resume, saved_at) VALUES (?, ?, ?) "
            "ON CONFLICT(query) DO UPDATE SET resume = excluded.resume, saved_at = excluded.saved_at",
            (query, resume, now),
        )
