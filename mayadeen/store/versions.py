"""Reading an article's stored versions: the superseded ones (``article_versions``) and the
current one (``articles``), oldest first, for ``scrapy diff``, the report's edits section and the
Datasette queries of the same (``docs/datasette.json``)."""

import sqlite3
from dataclasses import dataclass
from typing import Any, Final

from mayadeen.store.ledger import bound_site
from mayadeen.store.rows import item_dict
from mayadeen.store.statements import COLUMNS

_VERSION_COLUMNS: Final = f"{COLUMNS}, version, changed_at"


@dataclass(frozen=True)
class Version:
    number: int
    stored_at: str
    """UTC time the crawler first stored this version (its ``changed_at``)."""
    values: dict[str, Any]
    """The item's fields as the item's dict, lists decoded."""


def versions(db: sqlite3.Connection, url: str) -> list[Version]:
    """Every stored version of the article at ``url``, oldest first; empty when none is stored."""
    rows = db.execute(
        f"SELECT {_VERSION_COLUMNS} FROM article_versions WHERE url = ? "
        f"UNION ALL SELECT {_VERSION_COLUMNS} FROM articles WHERE url = ? ORDER BY version",
        (url, url),
    ).fetchall()
    return [Version(row[-2], row[-1], item_dict(row[:-2])) for row in rows]


def edited_urls(db: sqlite3.Connection, since: str | None = None) -> list[str]:
    """The articles stored in more than one version, last changed first; with ``since`` (an ISO
    date or time, UTC), those with a version stored since then."""
    query = "SELECT url FROM articles WHERE version > 1"
    parameters: tuple[str, ...] = ()
    if since is not None:
        query += " AND changed_at >= ?"
        parameters = (since,)
    return [row[0] for row in db.execute(query + " ORDER BY changed_at DESC, url", parameters)]


def resolve(db: sqlite3.Connection, url: str) -> str | None:
    """The stored article ``url`` names: itself, the article an alias URL served, or, for a path
    (``/news/politics/slug``), the article at that path on the store's site."""
    if url.startswith("/"):
        root = bound_site(db)
        if root is None:
            return None
        url = root.rstrip("/") + url
    url = url.rstrip("/")
    row = db.execute(
        "SELECT url FROM articles WHERE url = ? UNION ALL SELECT url FROM aliases WHERE alias_url = ?",
        (url, url),
    ).fetchone()
    return None if row is None else str(row[0])
