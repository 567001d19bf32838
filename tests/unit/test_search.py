"""The store's full-text index (``articles_fts``): new articles indexed at their batch's commit,
kept in step with every other write of an article, built for an older store by its migration,
queried as ``docs/store.md`` shows."""

import sqlite3
from pathlib import Path

import pytest

from mayadeen.store import SCHEMA_VERSION, Store
from tests.helpers.pipeline import CRAWLED_AT, changed, fixture_items

ITEMS = list(fixture_items().values())
LATER = "2026-11-22T10:00:00+00:00"

SEARCH_QUERY = (
    "SELECT a.url FROM articles_fts JOIN articles a ON a.rowid = articles_fts.rowid "
    "WHERE articles_fts MATCH ? ORDER BY rank"
)
"""The query of docs/store.md."""


def found(store: Store, query: str) -> list[str]:
    return [row[0] for row in store.db.execute(SEARCH_QUERY, (query,))]


def count_indexed(db: sqlite3.Connection) -> int:
    return int(db.execute("SELECT count(*) FROM articles_fts_docsize").fetchone()[0])


def assert_index_whole(db: sqlite3.Connection) -> None:
    """FTS5's own check that the index holds exactly what ``articles`` holds."""
    db.execute("INSERT INTO articles_fts (articles_fts, rank) VALUES ('integrity-check', 1)")


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "articles.sqlite"


def test_a_new_article_is_found_by_title_summary_body_and_tag(path: Path) -> None:
    belarus, economy = ITEMS[0], ITEMS[2]
    with Store.open(path) as store:
        for item in ITEMS:
            store.put(item, CRAWLED_AT)
        assert found(store, "Lukashenko") == [], "indexed with its batch, at the commit"
        store.commit()
        assert belarus.url in found(store, "Lukashenko")
        assert found(store, "title:semiconductor") == [economy.url]
        body_word = next(w for w in economy.body.split() if w.isalpha() and len(w) > 6)
        assert economy.url in found(store, f"body:{body_word}")
        assert found(store, 'tags:"trade war"') == [economy.url]
        assert_index_whole(store.db)


@pytest.mark.parametrize("committed", [True, False], ids=["indexed", "in-the-same-batch"])
def test_a_new_version_replaces_the_old_text_in_the_index(path: Path, committed: bool) -> None:
    item = ITEMS[2]
    with Store.open(path) as store:
        store.put(item, CRAWLED_AT)
        if committed:
            store.commit()
        assert (
            store.put(changed(item, title="Zanzibar ferry", tags=["Ferries"]), LATER) == "updated"
        )
        store.commit()
        assert found(store, "zanzibar") == [item.url]
        assert found(store, "tags:ferries") == [item.url]
        assert found(store, "title:semiconductor") == [], "the old title is gone from the index"
        assert found(store, 'tags:"trade war"') == []
        assert_index_whole(store.db)


def test_an_unchanged_article_and_its_capture_are_not_reindexed(path: Path) -> None:
    item = ITEMS[0]
    with Store.open(path) as store:
        store.put(item, CRAWLED_AT)
        store.commit()
        before = store.db.total_changes
        assert store.put(item, LATER) == "unchanged"
        store.set_capture(item.url, 7)
        store.commit()
        assert store.db.total_changes - before == 2, "two row updates, no index writes"
        assert found(store, "Lukashenko")
        assert_index_whole(store.db)


@pytest.mark.parametrize("committed", [True, False], ids=["indexed", "in-the-same-batch"])
def test_a_deleted_article_leaves_the_index(path: Path, committed: bool) -> None:
    with Store.open(path) as store:
        for item in ITEMS[:3]:
            store.put(item, CRAWLED_AT)
        if committed:
            store.commit()
        store.db.execute("DELETE FROM articles WHERE url = ?", (ITEMS[0].url,))
        store.commit()
        assert ITEMS[0].url not in found(store, "Lukashenko")
        assert ITEMS[1].url in found(store, "Lukashenko")
        assert found(store, "title:semiconductor") == [ITEMS[2].url]
        assert_index_whole(store.db)


def test_each_batch_indexes_its_new_articles_in_one_statement(path: Path) -> None:
    with Store.open(path) as store:
        traced: list[str] = []
        store.db.set_trace_callback(traced.append)
        for item in ITEMS[:3]:
            store.put(item, CRAWLED_AT)
        assert not [s for s in traced if "articles_fts" in s], "no index write per article"
        store.commit()
        assert len([s for s in traced if s.startswith("INSERT INTO articles_fts")]) == 1
        for item in ITEMS[3:]:
            store.put(item, CRAWLED_AT)
        store.commit()
        store.db.set_trace_callback(None)
        assert_index_whole(store.db)
        assert count_indexed(store.db) == len(ITEMS)


def test_an_older_store_gets_its_index_built_by_the_migration(path: Path) -> None:
    """A store of schema 5 (before the index) with articles in it: the next open indexes them."""
    with Store.open(path) as store:
        for item in ITEMS:
            store.put(item, CRAWLED_AT)
    db = sqlite3.connect(path)
    for trigger in ("articles_fts_delete", "articles_fts_update"):
        db.execute(f"DROP TRIGGER {trigger}")
    db.execute("DROP TABLE articles_fts")
    db.execute("DROP TABLE forbidden")  # schema 7's
    db.execute("DROP TABLE breaking_fts")  # schema 9's
    db.execute("DROP TABLE breaking")
    db.execute("DROP TABLE near_duplicates")  # schema 8's
    db.execute("DROP TABLE article_signatures")
    db.execute("PRAGMA user_version = 5")
    db.commit()
    assert not db.execute("SELECT 1 FROM sqlite_master WHERE name LIKE 'articles_fts%'").fetchall()
    db.close()
    with Store.open(path) as store:
        assert store.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert ITEMS[0].url in found(store, "Lukashenko")
        assert_index_whole(store.db)
        store.put(changed(ITEMS[0], title="Zanzibar"), LATER)
        assert found(store, "zanzibar") == [ITEMS[0].url], "the triggers came with it"
        assert not trigger_exists(store.db, "articles_fts_insert"), "schema 10's batches fill it"


def trigger_exists(db: sqlite3.Connection, name: str) -> bool:
    query = "SELECT 1 FROM sqlite_master WHERE type = 'trigger' AND name = ?"
    return db.execute(query, (name,)).fetchone() is not None


def test_a_store_of_schema_8_loses_its_insert_trigger_and_its_missing_rows_are_indexed(
    path: Path,
) -> None:
    """Schema 8's trigger per article, and an index missing some rows (written with it
    dropped): migration 10 indexes what is missing, and new batches fill the index."""
    with Store.open(path) as store:
        for item in ITEMS[:4]:
            store.put(item, CRAWLED_AT)
    db = sqlite3.connect(path)
    for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall():
        db.execute(f"DROP TRIGGER {name}")
    db.execute(
        "INSERT INTO articles_fts (articles_fts, rowid, title, summary, body, tags) "
        "SELECT 'delete', rowid, title, summary, body, tags FROM articles WHERE url = ?",
        (ITEMS[1].url,),
    )
    for statement in SCHEMA_8_TRIGGERS:
        db.execute(statement)
    for table in ("breaking_fts", "breaking"):  # schema 9's
        db.execute(f"DROP TABLE {table}")
    db.execute("PRAGMA user_version = 8")
    db.commit()
    db.close()
    with Store.open(path) as store:
        assert trigger_exists(store.db, "articles_fts_update")
        assert not trigger_exists(store.db, "articles_fts_insert")
        assert_index_whole(store.db)
        assert count_indexed(store.db) == 4
        for item in ITEMS[4:]:
            store.put(item, CRAWLED_AT)
        store.commit()
        assert_index_whole(store.db)
        assert count_indexed(store.db) == len(ITEMS)


SCHEMA_8_TRIGGERS = (
    "CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN "
    "INSERT INTO articles_fts (rowid, title, summary, body, tags) "
    "VALUES (new.rowid, new.title, new.summary, new.body, new.tags); END",
    "CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN "
    "INSERT INTO articles_fts (articles_fts, rowid, title, summary, body, tags) "
    "VALUES ('delete', old.rowid, old.title, old.summary, old.body, old.tags); END",
    "CREATE TRIGGER articles_fts_update AFTER UPDATE OF title, summary, body, tags ON articles "
    "BEGIN INSERT INTO articles_fts (articles_fts, rowid, title, summary, body, tags) "
    "VALUES ('delete', old.rowid, old.title, old.summary, old.body, old.tags); "
    "INSERT INTO articles_fts (rowid, title, summary, body, tags) "
    "VALUES (new.rowid, new.title, new.summary, new.body, new.tags); END",
)
"""The triggers of schemas 6 to 9, as they were (a copy: the code has them no more)."""


def test_a_read_only_store_answers_searches(path: Path) -> None:
    with Store.open(path) as store:
        store.put(ITEMS[0], CRAWLED_AT)
    with Store.open(path, readonly=True) as store:
        assert found(store, "lukashenko*") == [ITEMS[0].url]
