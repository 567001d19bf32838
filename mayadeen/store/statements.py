"""The statements that write and read an article's row (``mayadeen.store.db``), derived from
``ArticleItem``'s fields: one statement for a new URL, one upsert for a new version.
"""

from functools import cache
from typing import Final

from mayadeen.items import FIELD_NAMES

COMPARED: Final = tuple(name for name in FIELD_NAMES if name != "crawled_at")
"""Fields whose change makes a stored article ``updated``; a new fetch time alone is no change."""

_N = len(FIELD_NAMES)
COMPARED_POSITIONS = tuple(FIELD_NAMES.index(name) for name in COMPARED)
COLUMNS = ", ".join(FIELD_NAMES)
_VALUES = (
    f"({COLUMNS}, first_seen_at, last_seen_at, changed_at, capture_id, version) "
    f"VALUES ({', '.join('?' * _N)}, ?, ?, ?, ?, 1)"
)
INSERT_NEW = f"INSERT INTO articles {_VALUES} ON CONFLICT(url) DO NOTHING"
"""A new URL in one statement: no lookup first (most items of a crawl are new)."""
UPSERT = (
    f"INSERT INTO articles {_VALUES} "
    "ON CONFLICT(url) DO UPDATE SET "
    + ", ".join(f"{name} = excluded.{name}" for name in FIELD_NAMES[1:])
    + ", last_seen_at = excluded.last_seen_at, changed_at = excluded.changed_at"
    ", capture_id = excluded.capture_id, version = articles.version + 1"
)
SEEN_AGAIN = (
    "UPDATE articles SET last_seen_at = ?, capture_id = coalesce(?, capture_id) WHERE url = ?"
)
"""The same values again: seen now; extracted from this capture, when there is one."""
KEEP_VERSION = (
    f"INSERT INTO article_versions ({COLUMNS}, first_seen_at, changed_at, version, "
    f"superseded_at, capture_id) SELECT {COLUMNS}, first_seen_at, changed_at, version, ?, "
    "capture_id "
    "FROM articles WHERE url = ?"
)
TAGS_POSITION = FIELD_NAMES.index("tags")
BODY_POSITION = FIELD_NAMES.index("body")
PUBLISHED_POSITION = FIELD_NAMES.index("published_at")
COMPARED_BODY = COMPARED.index("body")
# By the old tags, through the primary key (tag, url): an index on url alone would be one more
# index to update on every insert, for the rare update.
DROP_TAGS = "DELETE FROM article_tags WHERE url = ? AND tag IN (SELECT value FROM json_each(?))"
COMPARED_TAGS = COMPARED.index("tags")
STORED = f"SELECT {', '.join(COMPARED)} FROM articles WHERE url = ?"
KNOWN = (
    "SELECT url, published_at, modified_at, last_seen_at FROM articles UNION ALL "
    "SELECT aliases.alias_url, articles.published_at, articles.modified_at, articles.last_seen_at "
    "FROM aliases JOIN articles ON articles.url = aliases.url"
)


@cache
def add_tags(count: int) -> str:
    """One statement for all of an article's tags (``executemany`` costs more per row)."""
    return "INSERT OR IGNORE INTO article_tags (tag, url) VALUES " + ", ".join(["(?, ?)"] * count)
