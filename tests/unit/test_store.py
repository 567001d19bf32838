"""The store on its own: schema from the item, upserts, versions, aliases, runs, readers."""

import json
import multiprocessing
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from mayadeen.items import FIELD_NAMES, LIST_FIELDS
from mayadeen.store import (
    SCHEMA_VERSION,
    KnownArticle,
    Run,
    SchemaError,
    Store,
    known_articles,
    last_finished_run,
    store_path,
)
from tests.helpers.pipeline import changed, fixture_items

ITEMS = list(fixture_items().values())
NOW, LATER = "2026-11-21T10:00:00+00:00", "2026-11-22T10:00:00+00:00"


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return store_path(tmp_path)


def test_store_path_is_in_the_data_dir(tmp_path: Path) -> None:
    assert store_path(tmp_path) == tmp_path / "articles.sqlite"
    assert store_path(str(tmp_path)) == tmp_path / "articles.sqlite"


def test_schema_follows_the_item(path: Path) -> None:
    with Store.open(path) as store:
        columns = [(row[1], row[2]) for row in store.db.execute("PRAGMA table_info(articles)")]
        assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert store.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert [name for name, _ in columns][: len(FIELD_NAMES)] == list(FIELD_NAMES)
    types = dict(columns)
    assert types["word_count"] == types["read_time_minutes"] == "INTEGER"
    assert all(types[name] == "TEXT" for name in LIST_FIELDS)
    assert [name for name, _ in columns][len(FIELD_NAMES) :] == [
        "first_seen_at",
        "last_seen_at",
        "changed_at",
        "version",
        "capture_id",
    ]


def test_an_article_names_the_capture_its_values_came_from(path: Path) -> None:
    item = ITEMS[0]
    edited = changed(item, body=item.body + " More.")
    with Store.open(path) as store:

        def capture() -> Any:
            return store.db.execute(
                "SELECT capture_id FROM articles WHERE url = ?", (item.url,)
            ).fetchone()[0]

        assert (store.put(item, NOW, 7), capture()) == ("new", 7)
        assert (store.put(item, LATER), capture()) == ("unchanged", 7), "kept: same values"
        assert (store.put(item, LATER, 8), capture()) == ("unchanged", 8), "a later capture"
        assert (store.put(edited, LATER), capture()) == ("updated", None), "from no capture"
        versions = store.db.execute("SELECT capture_id FROM article_versions").fetchall()
        assert versions == [(8,)], "the old version keeps its capture"
        assert (store.put(changed(edited, body="x"), LATER, 9), capture()) == ("updated", 9)


def test_new_then_unchanged_then_updated_keeps_the_old_version(path: Path) -> None:
    item = ITEMS[0]
    with Store.open(path) as store:
        assert store.put(item, NOW) == "new"
        assert store.put(changed(item, crawled_at=LATER), LATER) == "unchanged"
        edited = changed(item, body=item.body + "\n\nA new paragraph.", modified_at=None)
        assert store.put(edited, LATER) == "updated"
        assert store.put(changed(edited, tags=["Other"]), LATER) == "updated"
    db = sqlite3.connect(path)
    row = db.execute(
        "SELECT body, first_seen_at, last_seen_at, changed_at, version, tags, crawled_at "
        "FROM articles WHERE url = ?",
        (item.url,),
    ).fetchone()
    assert row == (edited.body, NOW, LATER, LATER, 3, '["Other"]', item.crawled_at)
    versions = db.execute(
        "SELECT version, body, tags, superseded_at FROM article_versions ORDER BY version"
    ).fetchall()
    assert versions == [
        (1, item.body, json.dumps(item.tags, ensure_ascii=False), LATER),
        (2, edited.body, json.dumps(item.tags, ensure_ascii=False), LATER),
    ]
    assert db.execute("SELECT tag FROM article_tags WHERE url = ?", (item.url,)).fetchall() == [
        ("Other",)
    ]
    assert db.execute("SELECT count(*) FROM articles").fetchone() == (1,)


def test_rows_read_back_as_the_items(path: Path) -> None:
    with Store.open(path) as store:
        for item in ITEMS:
            store.put(item, NOW)
        back = {row["url"]: row for row in store.articles()}
    assert len(back) == len(ITEMS)
    for item in ITEMS:
        assert back[item.url] == {name: getattr(item, name) for name in FIELD_NAMES}


def test_tags_are_found_by_an_index_in_any_case(path: Path) -> None:
    with Store.open(path) as store:
        for item in ITEMS:
            store.put(item, NOW)
        tagged = [item.url for item in ITEMS if "Belarus" in item.tags]
        plan = " ".join(
            str(row)
            for row in store.db.execute(
                "EXPLAIN QUERY PLAN SELECT url FROM article_tags WHERE tag = ?", ("belarus",)
            )
        )
        rows = store.db.execute("SELECT url FROM article_tags WHERE tag = 'belarus'").fetchall()
    assert tagged
    assert sorted(url for (url,) in rows) == sorted(tagged)
    assert "USING PRIMARY KEY" in plan or "USING INDEX" in plan


def test_known_articles_and_aliases_need_a_commit(path: Path) -> None:
    first, second = ITEMS[:2]
    with Store.open(path) as store:
        store.put(first, NOW)
        store.add_alias("https://english.almayadeen.net/news/politics/copy", first.url, None, NOW)
        assert known_articles(path) == {}, "nothing is known before the commit"
        store.commit()
        known = known_articles(path)
        store.put(second, NOW)
    assert known == {
        first.url: KnownArticle(first.published_at, first.modified_at, NOW),
        "https://english.almayadeen.net/news/politics/copy": KnownArticle(
            first.published_at, first.modified_at, NOW
        ),
    }
    assert second.url in known_articles(path), "closing commits"


def test_a_missing_store_reads_as_empty(tmp_path: Path) -> None:
    path = store_path(tmp_path / "nothing-yet")
    assert known_articles(path) == {}
    assert last_finished_run(path) is None
    with Store.open(path, readonly=True) as store:
        assert list(store.articles()) == []
    assert not path.exists()
    assert not path.parent.exists()


def test_last_finished_run_skips_unfinished_ones(path: Path) -> None:
    with Store.open(path) as store:
        store.claim_run("20261120T100000Z", "2026-11-20T10:00:00+00:00")
        store.finish_run("20261120T100000Z", "2026-11-20T10:05:00+00:00", "finished", {})
        store.claim_run("20261121T100000Z", "2026-11-21T10:00:00+00:00")
        store.finish_run("20261121T100000Z", "2026-11-21T10:01:00+00:00", "shutdown", {})
        store.claim_run("20261122T100000Z", "2026-11-22T10:00:00+00:00")  # killed: never finished
    assert last_finished_run(path) == Run(
        "20261120T100000Z", "2026-11-20T10:00:00+00:00", "2026-11-20T10:05:00+00:00"
    )


def test_a_reader_in_a_long_transaction_never_blocks_the_writer(path: Path) -> None:
    with Store.open(path) as store:
        store.put(ITEMS[0], NOW)
        store.commit()
        reader = sqlite3.connect(path, timeout=1)
        reader.execute("BEGIN")
        assert reader.execute("SELECT count(*) FROM articles").fetchone() == (1,)
        for item in ITEMS[1:]:
            store.put(item, NOW)
        store.commit()
        assert reader.execute("SELECT count(*) FROM articles").fetchone() == (1,), "a snapshot"
        reader.rollback()
        assert reader.execute("SELECT count(*) FROM articles").fetchone() == (len(ITEMS),)
        reader.close()


def test_a_newer_schema_is_refused(path: Path) -> None:
    Store.open(path).close()
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    db.close()
    with pytest.raises(SchemaError, match="upgrade mayadeen"):
        Store.open(path)


def test_a_field_added_to_the_item_becomes_a_column(path: Path) -> None:
    """A store written before a field existed gains its column on the next writable open."""
    Store.open(path).close()
    db = sqlite3.connect(path)
    db.execute("ALTER TABLE articles DROP COLUMN coverage")
    db.execute("ALTER TABLE article_versions DROP COLUMN coverage")
    db.close()
    with Store.open(path) as store:
        assert store.put(ITEMS[0], NOW) == "new"
    with Store.open(path, readonly=True) as store:
        (row,) = store.articles()
    assert row["coverage"] == ITEMS[0].coverage


def test_runs_claimed_in_the_same_second_by_two_writers_get_distinct_ids(path: Path) -> None:
    started = "2026-11-21T10:15:00+00:00"
    with Store.open(path) as first, Store.open(path) as second:
        ids = [store.claim_run("20261121T101500Z", started) for store in (first, second, first)]
    assert ids == ["20261121T101500Z", "20261121T101500Z_2", "20261121T101500Z_3"]
    with sqlite3.connect(path) as db:
        assert sorted(row[0] for row in db.execute("SELECT run_id FROM runs")) == ids


def _open_and_claim(path: Path, start: Any, results: Any) -> None:
    start.wait()
    try:
        with Store.open(path) as store:
            store.claim_run("20261121T000000Z", "2026-11-21T00:00:00+00:00")
        results.put("ok")
    except Exception as error:  # reported to the test, which names it
        results.put(f"{type(error).__name__}: {error}")


def test_crawls_opening_a_new_store_at_once_all_get_in(tmp_path: Path) -> None:
    """Switching a new store to WAL does not wait for the lock as other statements do: without
    a retry, one opening in five failed with "database is locked" (workers sharing a store)."""
    context = multiprocessing.get_context("fork")
    for attempt in range(15):
        start, results = context.Barrier(3), context.Queue()
        path = tmp_path / str(attempt) / "articles.sqlite"
        workers = [
            context.Process(target=_open_and_claim, args=(path, start, results)) for _ in range(3)
        ]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(timeout=60)
        outcomes = [results.get(timeout=10) for _ in workers]
        assert outcomes == ["ok"] * 3
        with sqlite3.connect(path) as db:
            (runs,) = db.execute("SELECT count(DISTINCT run_id) FROM runs").fetchone()
        assert runs == 3


def test_the_data_directorys_files_are_never_written_through_a_planted_symlink(
    tmp_path: Path,
) -> None:
    from mayadeen.store.files import open_nofollow

    target = tmp_path / "elsewhere.txt"
    target.write_text("precious", encoding="utf-8")
    planted = tmp_path / "articles-20261128T000000Z.csv"
    planted.symlink_to(target)
    for mode in ("wb", "ab", "w", "a"):
        with pytest.raises(OSError, match="Too many levels of symbolic links"):
            open_nofollow(planted, mode)
    assert target.read_text(encoding="utf-8") == "precious"
    with open_nofollow(tmp_path / "plain.csv", "w") as out:
        out.write("ok")
    assert (tmp_path / "plain.csv").read_text(encoding="utf-8") == "ok"


def test_a_schema_6_store_forgets_the_robots_txt_refusals_it_owed(tmp_path: Path) -> None:
    """Earlier versions owed a URL robots.txt forbids, forever: migration 7 settles them (the
    next run that meets one records it ``forbidden``) and keeps every other debt."""
    path = tmp_path / "articles.sqlite"
    Store.open(path).close()
    db = sqlite3.connect(path)
    db.execute("DROP TABLE forbidden")
    db.execute("DROP TABLE breaking_fts")  # schema 9's
    db.execute("DROP TABLE breaking")
    db.execute("DROP TABLE near_duplicates")  # schema 8's
    db.execute("DROP TABLE article_signatures")
    owed = "INSERT INTO owed (url, reason, first_owed_at, next_attempt_at) VALUES (?, ?, 'x', 'x')"
    db.execute(owed, ("https://site/news/a", "Forbidden by robots.txt"))
    db.execute(owed, ("https://site/news/b", "HTTP 503"))
    db.execute("PRAGMA user_version = 6")
    db.commit()
    db.close()
    with Store.open(path) as store:
        assert store.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert [row[0] for row in store.db.execute("SELECT url FROM owed")] == [
            "https://site/news/b"
        ]
        assert store.db.execute("SELECT count(*) FROM forbidden").fetchone() == (0,)
