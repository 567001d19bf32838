"""Datasette's metadata for the store, ``docs/datasette.json``, generated like the data dictionary
and the JSON Schema from the item's field docstrings, so the three never disagree.

It makes ``datasette serve data/articles.sqlite --metadata docs/datasette.json`` open ready to
use: every column of the analysts' tables described in plain text, articles newest first with
section and tag facets, the crawl's bookkeeping tables hidden, and saved queries (ranked search
with the words around the match, articles per day by section, articles edited after publication,
one article's versions). ``python -m mayadeen.datadict`` rewrites it; a test keeps the committed
file equal to ``render()``.
"""

import json
import textwrap
from typing import Any, Final

from mayadeen.items import FIELD_NAMES, plain_field_docs

DATABASE: Final = "articles"
"""Datasette names a database by its file's stem: ``articles.sqlite``."""

HIDDEN: Final = (
    "archive_cursors",
    "covered",
    "feed_owed",
    "gone",
    "forbidden",
    "non_articles",
    "owed",
    "site",
    "captures",
    "article_origins",
    "article_signatures",
    "sqlite_sequence",
    "breaking_fts",
    "breaking_fts_config",
    "breaking_fts_data",
    "breaking_fts_docsize",
    "breaking_fts_idx",
)
"""The crawl's bookkeeping: what it owes, what is gone, where each page came from, each body's
near-duplicate signature, and SQLite's own counter of the signatures' ids (Datasette shows it)."""

STORE_COLUMNS: Final = {
    "first_seen_at": "UTC time the URL was first stored.",
    "last_seen_at": "UTC time the URL was last stored (fetched again, changed or not).",
    "changed_at": "UTC time its values last changed: the first insert or the last update.",
    "version": "1, then one more for each update of the article's values.",
    "capture_id": "The archived page (captures.id) its values were extracted from; null when the "
    "archive was off.",
}
"""The store's own columns of ``articles``, after the item's (``store/schema.py``)."""

VERSION_COLUMNS: Final = {
    "first_seen_at": STORE_COLUMNS["first_seen_at"],
    "changed_at": "UTC time this version was first stored.",
    "version": "This version's number: 1 is the first stored.",
    "superseded_at": "UTC time a newer version replaced this one.",
    "capture_id": "The archived page (captures.id) this version was extracted from.",
}

OTHER_TABLES: Final[dict[str, dict[str, Any]]] = {
    "breaking": {
        "description": "The site's BREAKING ticker: one row per distinct urgent line any page "
        "showed, with when it was first and last seen; search it with the box.",
        "sort_desc": "first_seen_at",
        "facets": ["attribution", "origin"],
        "fts_table": "breaking_fts",
        "columns": {
            "text": "The line as the ticker showed it, entities decoded, whitespace collapsed.",
            "attribution": "Who the line names as its source (the text before its first colon, "
            "when that names one); null otherwise.",
            "first_seen_at": "When a page first showed the line (a crawl's fetch, or a web "
            "archive's capture time), UTC.",
            "last_seen_at": "When a page last showed it, UTC.",
            "times_seen": "How many fetched pages showed it.",
            "first_seen_on": "The page it was first seen on.",
            "run_id": "The run that first recorded it.",
            "origin": "Where that page was read: site, wayback or commoncrawl.",
            "feed_run_id": "The run whose breaking feed listed it (null until one did).",
        },
    },
    "article_tags": {
        "description": "One row per tag of each article: the articles of a tag (any case).",
        "columns": {"tag": "A tag, as the article spells it.", "url": "The article's URL."},
    },
    "aliases": {
        "description": "URLs that served an article already stored under another URL.",
        "columns": {
            "alias_url": "The URL that served the article.",
            "url": "The URL the article is stored under (articles.url).",
            "content_hash": "The content hash the alias served.",
            "first_seen_at": "UTC time the alias was first seen.",
            "last_seen_at": "UTC time the alias was last seen.",
        },
    },
    "quarantine": {
        "description": "Items that failed validation, with their reasons; not in articles.",
        "sort_desc": "quarantined_at",
        "facets": [{"array": "reasons"}],
        "columns": {
            "run_id": "The run that quarantined the item.",
            "url": "The item's URL.",
            "reasons": "Why, as a JSON list: missing:title, date:future, ...",
            "item": "The whole item, as JSON.",
            "quarantined_at": "UTC time it was quarantined.",
        },
    },
    "near_duplicates": {
        "description": "Pairs of articles whose bodies are nearly the same text (wire copies, "
        "republished stories with small edits), found as each article is stored; both articles "
        "stay in articles. The 'Near-duplicate articles' query shows both titles.",
        "sort_desc": "found_at",
        "columns": {
            "url": "The copy: the article of the pair published later (articles.url).",
            "of_url": "The article it copies: the one published first (articles.url).",
            "similarity": "Estimated Jaccard similarity of the two bodies' 5-word shingles "
            "(MinHash, within about 0.05), from 0.5 (the threshold) to 1.",
            "found_at": "UTC time the pair was found: when the later of the two bodies was stored.",
        },
    },
    "runs": {
        "description": "Every crawl of this data directory, newest first.",
        "sort_desc": "started_at",
        "columns": {
            "run_id": "The run's id (its feeds and manifest are named by it).",
            "started_at": "UTC start time.",
            "finished_at": "UTC end time; null while running, or when the run was killed.",
            "close_reason": "How it ended: finished, blocked, shutdown, ...",
            "items_new": "Articles stored for the first time.",
            "items_updated": "Articles whose values changed.",
            "items_unchanged": "Articles fetched again with the same values.",
            "duplicates": "Items dropped as a duplicate of another URL's article.",
            "quarantined": "Items that failed validation.",
            "pid": "The crawl's process id.",
        },
    },
}


def article_columns() -> dict[str, str]:
    """``articles``' columns, in order, each described."""
    return {**plain_field_docs(), **STORE_COLUMNS}


def _query(title: str, description: str, sql: str) -> dict[str, Any]:
    """A saved query; its SQL kept readable (indented lines) and folded away on its page."""
    lines = sql.strip().splitlines()
    text = "\n".join([lines[0], *textwrap.dedent("\n".join(lines[1:])).splitlines()])
    return {"title": title, "description": description, "sql": text, "hide_sql": True}


SNIPPET_COLUMN: Final = 2
"""The index column ``snippet`` quotes: ``body`` (``store.schema.SEARCHED``); the weights of
``bm25`` follow the same order (title, summary, body, tags)."""

QUERIES: Final = {
    "search": _query(
        "Search the articles, best match first",
        "Full-text search of title, summary, body and tags (FTS5 syntax: Belarus NEAR troops, "
        "title:Lukashenko, lukash*), ranked by bm25 with the title weighted most, with the words "
        "of the body around the match.",
        """SELECT a.published_at, a.section, a.title,
          snippet(articles_fts, 2, '[', ']', ' … ', 12) AS context,
          round(bm25(articles_fts, 10.0, 5.0, 1.0, 2.0), 2) AS score, a.url
        FROM articles_fts JOIN articles a ON a.rowid = articles_fts.rowid
        WHERE articles_fts MATCH :text
        ORDER BY bm25(articles_fts, 10.0, 5.0, 1.0, 2.0) LIMIT 100""",
    ),
    "articles_per_day": _query(
        "Articles per day by section",
        "How many articles each section published each day (the page's own date), newest first.",
        """SELECT substr(published_at, 1, 10) AS day, section, count(*) AS articles
        FROM articles GROUP BY day, section ORDER BY day DESC, articles DESC, section""",
    ),
    "edited_after_publication": _query(
        "Articles edited after publication",
        "Articles whose text or fields changed after the crawler first stored them: how many "
        "versions, how long after publication the last change was seen, and whether the headline "
        "changed (the first stored headline beside today's). scrapy diff URL shows what changed.",
        """SELECT a.published_at, a.section, a.title,
          (SELECT v.title FROM article_versions v WHERE v.url = a.url
           ORDER BY v.version LIMIT 1) AS first_title,
          a.title != (SELECT v.title FROM article_versions v WHERE v.url = a.url
           ORDER BY v.version LIMIT 1) AS headline_changed,
          a.version AS versions, a.modified_at, a.changed_at,
          round((julianday(a.changed_at) - julianday(a.published_at)) * 24, 1)
            AS hours_after_publication,
          a.url
        FROM articles a WHERE a.version > 1 ORDER BY a.changed_at DESC""",
    ),
    "article_versions": _query(
        "An article's versions",
        "Every stored version of one article, oldest first, the current one last (superseded_at "
        "empty). Paste its URL.",
        """SELECT version, changed_at, superseded_at, modified_at, title, word_count,
          content_hash, summary, body
        FROM article_versions WHERE url = :url
        UNION ALL
        SELECT version, changed_at, NULL, modified_at, title, word_count,
          content_hash, summary, body
        FROM articles WHERE url = :url
        ORDER BY version""",
    ),
    "near_duplicates": _query(
        "Near-duplicate articles",
        "Pairs of articles with nearly the same body under two URLs (agency copy republished, a "
        "story re-posted with small edits), most similar first, each with both titles.",
        """SELECT round(n.similarity, 2) AS similarity, a.published_at, a.title, n.url,
          o.published_at AS of_published_at, o.title AS of_title, n.of_url, n.found_at
        FROM near_duplicates n
        JOIN articles a ON a.url = n.url
        JOIN articles o ON o.url = n.of_url
        ORDER BY n.similarity DESC, a.published_at DESC""",
    ),
}
"""Saved queries: the questions an analyst asks first, one click each (``/articles/<name>``)."""


def metadata() -> dict[str, Any]:
    versions = {n: c for n, c in article_columns().items() if n in FIELD_NAMES}
    tables: dict[str, dict[str, Any]] = {
        "articles": {
            "description": "One row per article (its canonical URL), the current version; "
            "search it with the box, or with the 'Search the articles' query for ranked results.",
            "sort_desc": "published_at",
            "facets": ["section", {"array": "tags"}],
            "fts_table": "articles_fts",
            "columns": article_columns(),
        },
        "article_versions": {
            "description": "Each superseded version of a changed article (the current one is in "
            "articles).",
            "sort_desc": "superseded_at",
            "columns": {**versions, **VERSION_COLUMNS},
        },
        **OTHER_TABLES,
        **{name: {"hidden": True} for name in HIDDEN},
    }
    return {
        "title": "Al Mayadeen English articles",
        "description": "Articles of english.almayadeen.net crawled by mayadeen. Generated from "
        "mayadeen/items.py by python -m mayadeen.datadict.",
        "databases": {DATABASE: {"tables": tables, "queries": QUERIES}},
    }


def render() -> str:
    return json.dumps(metadata(), indent=2, ensure_ascii=False) + "\n"
