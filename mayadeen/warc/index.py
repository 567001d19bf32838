"""The archive's index in the store: the ``captures`` table (``mayadeen.store.schema``).

One row per archived response or revisit record: the URL, when it was captured, the WARC file
(its name under ``<MAYADEEN_DATA_DIR>/archive/``, or an absolute path for a WARC read with
``scrapy reextract --from``), the record's offset and length, its payload digest. Each stored
article's ``capture_id`` names the capture it was extracted from.
"""

import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mayadeen.store import Store
from mayadeen.store.rows import item_dict
from mayadeen.store.schema import COLUMNS
from mayadeen.warc.writing import Original, Written


@dataclass(frozen=True)
class Capture:
    id: int
    url: str
    captured_at: str
    file: str
    offset: int
    payload_digest: str


def add_capture(
    db: sqlite3.Connection, url: str, written: Written, run_id: str | None, rendered: bool
) -> int:
    """Index a written record; returns its capture id."""
    cursor = db.execute(
        "INSERT INTO captures (url, captured_at, warc_file, offset, length, payload_digest, "
        "record_type, status, rendered, run_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            url,
            written.captured_at,
            written.file,
            written.offset,
            written.length,
            written.payload_digest,
            written.record_type,
            written.status,
            int(rendered),
            run_id,
        ),
    )
    assert cursor.lastrowid is not None
    return cursor.lastrowid


def captured_at(db: sqlite3.Connection, capture_id: int) -> str | None:
    """When the capture ``capture_id`` was made (its record's ``WARC-Date``)."""
    row = db.execute("SELECT captured_at FROM captures WHERE id = ?", (capture_id,)).fetchone()
    return str(row[0]) if row else None


def unchanged_original(db: sqlite3.Connection, url: str, digest: str) -> Original | None:
    """The archived response an unchanged payload refers to: the URL's last capture has the same
    digest, and the response record with that payload is indexed."""
    last = db.execute(
        "SELECT payload_digest FROM captures WHERE url = ? ORDER BY id DESC LIMIT 1", (url,)
    ).fetchone()
    if last is None or last[0] != digest:
        return None
    row = db.execute(
        "SELECT captured_at FROM captures WHERE url = ? AND payload_digest = ? "
        "AND record_type = 'response' ORDER BY id DESC LIMIT 1",
        (url, digest),
    ).fetchone()
    return Original(url, row[0]) if row else None


def readable(since: str | None, urls: list[str] | None) -> tuple[str, list[str]]:
    """The ``WHERE`` clause of the captures a re-extraction reads (status 200, captured at or
    after ``since``, only ``urls``) and its parameters."""
    conditions, parameters = ["status = 200"], []
    if since:
        conditions.append("captured_at >= ?")
        parameters.append(since)
    if urls is not None:
        conditions.append("url IN (SELECT value FROM json_each(?))")
        parameters.append(json.dumps(urls))
    return f"WHERE {' AND '.join(conditions)}", parameters


def latest_captures(
    db: sqlite3.Connection, since: str | None = None, urls: list[str] | None = None
) -> list[Capture]:
    """The latest capture of each URL with status 200 (captured at or after ``since``; only
    ``urls``), with a revisit resolved to the response record holding its payload; in file order,
    for reading. An error page (a 503, a block) is archived too, but never re-extracted."""
    where, parameters = readable(since, urls)
    query = f"""
        WITH latest AS (
          SELECT url, max(id) AS id FROM captures {where} GROUP BY url
        )
        SELECT latest.id, c.url, c.captured_at, p.warc_file, p.offset, c.payload_digest
        FROM latest JOIN captures c ON c.id = latest.id
        JOIN captures p ON p.id = (
          SELECT max(id) FROM captures o WHERE o.url = c.url
          AND o.payload_digest = c.payload_digest AND o.record_type = 'response' AND o.id <= c.id
        )
        ORDER BY p.warc_file, p.offset
    """
    return [Capture(*row) for row in db.execute(query, parameters)]


def capture_path(archive_dir: Path, file: str) -> Path:
    """An indexed file's path: names are under the archive directory, foreign WARCs absolute."""
    path = Path(file)
    return path if path.is_absolute() else archive_dir / path


def connection(store: Store) -> sqlite3.Connection | None:
    """A read-only store's connection, None while the store does not exist."""
    try:
        return store.db
    except RuntimeError:
        return None


def stored_article(db: sqlite3.Connection, url: str) -> dict[str, Any] | None:
    """The stored article at ``url`` as the item's dict (None: not stored)."""
    row = db.execute(f"SELECT {COLUMNS} FROM articles WHERE url = ?", (url,)).fetchone()
    return item_dict(row) if row else None


def superseded_article(db: sqlite3.Connection, url: str) -> dict[str, Any] | None:
    """The latest version of the article at ``url`` that an update superseded."""
    row = db.execute(
        f"SELECT {COLUMNS} FROM article_versions WHERE url = ? ORDER BY version DESC LIMIT 1",
        (url,),
    ).fetchone()
    return item_dict(row) if row else None
