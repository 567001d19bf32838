"""The store's reads: the crawl's state (known articles and non-articles, the last finished run)
and the analysts' (articles by filter, near-duplicate pairs). ``Store`` has them as methods; on a
store that does not exist yet (opened read-only) every one answers with nothing."""

import sqlite3
from collections.abc import Iterator
from typing import Any, NamedTuple

from mayadeen.store.near_duplicates import NEAR_DUPLICATE_COLUMNS, NEAR_DUPLICATE_PAIRS
from mayadeen.store.rows import item_dict
from mayadeen.store.statements import COLUMNS, KNOWN


class KnownArticle(NamedTuple):
    published_at: str | None
    modified_at: str | None
    last_seen_at: str | None
    """When a run last fetched it: a sitemap ``lastmod`` after this, where the page states no
    ``modified_at``, means a version the store has not seen."""


class Run(NamedTuple):
    run_id: str
    started_at: str
    finished_at: str | None


class StoreReads:
    """The reading methods of ``Store``, over its connection (None: no store yet)."""

    _db: sqlite3.Connection | None

    def known_articles(self) -> dict[str, KnownArticle]:
        """Every committed article URL and alias URL → its article's published and modified times."""
        return dict(self.iter_known_articles())

    def iter_known_articles(self) -> Iterator[tuple[str, KnownArticle]]:
        """``known_articles`` one at a time, read as they are drawn (an alias URL after the
        article URLs, so where both name one URL the alias's comes last, as in the dict): a crawl
        keeps them on disk, not the whole store's in memory (``mayadeen.crawl.state``)."""
        if self._db is None:
            return
        for url, published, modified, seen in self._db.execute(KNOWN):
            yield url, KnownArticle(published, modified, seen)

    def non_articles(self) -> dict[str, str]:
        """Every committed URL whose page said it is not an article → its kind."""
        if self._db is None:
            return {}
        try:
            return dict(self._db.execute("SELECT url, kind FROM non_articles"))
        except sqlite3.OperationalError:  # a store of an older schema, opened read-only
            return {}

    def last_finished_run(self) -> Run | None:
        """The latest run that ended with ``finished`` (not shut down, not an error)."""
        if self._db is None:
            return None
        row = self._db.execute(
            "SELECT run_id, started_at, finished_at FROM runs WHERE close_reason = 'finished' "
            "ORDER BY started_at DESC, run_id DESC LIMIT 1"
        ).fetchone()
        return Run(*row) if row else None

    def run_ids_like(self, run_id: str) -> set[str]:
        """Run ids taken by runs started in the same second as ``run_id``."""
        if self._db is None:
            return set()
        rows = self._db.execute(
            "SELECT run_id FROM runs WHERE run_id = ? OR run_id GLOB ?", (run_id, f"{run_id}_*")
        )
        return {row[0] for row in rows}

    def content_owner(self, content_hash: str, other_than: str) -> str | None:
        """A stored article's URL with this content, other than ``other_than``."""
        if self._db is None:
            return None
        row = self._db.execute(
            "SELECT url FROM articles WHERE content_hash = ? AND url <> ? LIMIT 1",
            (content_hash, other_than),
        ).fetchone()
        return row[0] if row else None

    def near_duplicates(self) -> Iterator[dict[str, Any]]:
        """The near-duplicate pairs with both articles' titles and dates, in the order they were
        found (``NEAR_DUPLICATE_COLUMNS``)."""
        if self._db is None:
            return
        try:
            cursor = self._db.execute(NEAR_DUPLICATE_PAIRS)
        except sqlite3.OperationalError:  # a store of an older schema, opened read-only
            return
        for row in cursor:
            yield dict(zip(NEAR_DUPLICATE_COLUMNS, row, strict=True))

    def has_article(self, url: str) -> bool:
        if self._db is None:
            return False
        return (
            self._db.execute("SELECT 1 FROM articles WHERE url = ?", (url,)).fetchone() is not None
        )

    def articles(
        self,
        changed_since: str | None = None,
        *,
        published_since: str | None = None,
        section: str | None = None,
        tag: str | None = None,
    ) -> Iterator[dict[str, Any]]:
        """Stored articles as item dicts, oldest publication first. Each filter narrows them:
        ``changed_since`` (an ISO date or time, UTC): new or updated since then;
        ``published_since`` (a date): published on that day (as the page dates it, in its own
        offset) or later; ``section``: of that section, ``tag``: with that tag (any case)."""
        if self._db is None:
            return
        conditions, parameters = [], []
        for condition, value in (
            ("changed_at >= ?", changed_since),
            # The text's date part is the page's own day: '2026-11-01T00:30:00+03:00' >= '2026-11-01'.
            ("published_at >= ?", published_since),
            ("section = ? COLLATE NOCASE", section),
            ("url IN (SELECT url FROM article_tags WHERE tag = ?)", tag),
        ):
            if value is not None:
                conditions.append(condition)
                parameters.append(value)
        where = f"WHERE {' AND '.join(conditions)}" if conditions else ""
        query = f"SELECT {COLUMNS} FROM articles {where} ORDER BY published_at, url"
        for row in self._db.execute(query, parameters):
            yield item_dict(row)
