"""Near-duplicates flagged as each article is stored (``mayadeen.store.near_duplicates``): pairs
with small edits found near their true similarity, unrelated articles not, a new body's pairs
replaced, earlier articles found after a reopen, by another writer and after a migration."""

import dataclasses
import io
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from mayadeen.items import ArticleItem
from mayadeen.loopback import GeneratedSite
from mayadeen.store import SCHEMA_VERSION, Store, shingles, store_path
from mayadeen.store import near_duplicates as nd
from tests.helpers.exports import read_back
from tests.helpers.near_duplicates import (
    ITEMS,
    LATER,
    NOW,
    a_store_with_a_pair,
    long_item,
    with_words_changed,
)


def true_jaccard(first: str | None, second: str | None) -> float:
    a, b = set(shingles.shingles(first)), set(shingles.shingles(second))
    return len(a & b) / len(a | b)


def pairs(store: Store) -> list[tuple[Any, ...]]:
    return store.db.execute(
        "SELECT url, of_url, similarity FROM near_duplicates ORDER BY url, of_url"
    ).fetchall()


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return store_path(tmp_path)


def test_a_copy_with_small_edits_is_flagged_near_its_true_similarity(path: Path) -> None:
    original = long_item()
    copy = with_words_changed(original, 12, original.url + "-copy")
    expected = true_jaccard(original.body, copy.body)
    assert 0.6 < expected < 0.95
    with Store.open(path) as store:
        for item in ITEMS:
            store.put(item, NOW)
        assert pairs(store) == [], "the sample articles are unrelated"
        store.put(copy, LATER)
        ((url, of_url, similarity),) = pairs(store)
        found_at = store.db.execute("SELECT found_at FROM near_duplicates").fetchone()[0]
    assert abs(similarity - expected) < 0.1, (similarity, expected)
    # Published at the same minute: the URL orders them, the copy's sorts after.
    assert (url, of_url, found_at) == (copy.url, original.url, LATER)


def test_a_signature_computed_elsewhere_gives_the_same_pairs(tmp_path: Path) -> None:
    original = long_item()
    copy = with_words_changed(original, 12, original.url + "-copy")
    found = []
    for name, signed in (("here", None), ("elsewhere", nd.signed(copy.body))):
        with Store.open(tmp_path / f"{name}.sqlite") as store:
            for item in ITEMS:
                store.put(item, NOW)
            store.put(copy, LATER, signed=signed)
            found.append(
                (
                    pairs(store),
                    store.db.execute("SELECT signature FROM article_signatures").fetchall(),
                )
            )
    assert found[0] == found[1]
    assert found[0][0], "the copy is flagged"


def test_unrelated_generated_articles_are_not_flagged(path: Path) -> None:
    """The generated site's bodies share stock phrases (up to a quarter of their shingles)."""
    site = GeneratedSite(300)
    with Store.open(path) as store:
        for article in site.articles_by_index:
            store.put(ArticleItem(**site.expected_item(article), crawled_at=NOW), NOW)
        assert pairs(store) == []
        signatures = store.db.execute("SELECT count(*) FROM article_signatures").fetchone()[0]
    assert signatures == 300


def test_the_article_published_first_is_the_one_copied(path: Path) -> None:
    original = long_item()
    earlier = dataclasses.replace(
        with_words_changed(original, 3, original.url + "-earlier"),
        published_at="2000-01-01T00:00:00+03:00",
    )
    with Store.open(path) as store:
        store.put(original, NOW)
        store.put(earlier, LATER)
        assert [row[:2] for row in pairs(store)] == [(original.url, earlier.url)]


def test_a_new_body_replaces_the_articles_pairs(path: Path) -> None:
    original = long_item()
    copy = with_words_changed(original, 5, original.url + "-copy")
    unrelated = next(item for item in ITEMS if item.url != original.url)
    with Store.open(path) as store:
        store.put(original, NOW)
        store.put(copy, NOW)
        assert len(pairs(store)) == 1
        assert store.put(dataclasses.replace(copy, body=unrelated.body), LATER) == "updated"
        assert pairs(store) == [], "its new body copies nothing"
        assert store.put(dataclasses.replace(copy, title="Another title"), LATER) == "updated"
        assert store.put(copy, LATER) == "updated"
        assert len(pairs(store)) == 1, "the copy again"
        edited = with_words_changed(original, 30, original.url)
        assert store.put(edited, LATER) == "updated"
        ((_, _, similarity),) = pairs(store)
        assert abs(similarity - true_jaccard(edited.body, copy.body)) < 0.1


def test_a_reopened_store_finds_pairs_with_earlier_articles(path: Path) -> None:
    original = long_item()
    with Store.open(path) as store:
        for item in ITEMS:
            store.put(item, NOW)
    with Store.open(path) as store:
        store.put(with_words_changed(original, 4, original.url + "-copy"), LATER)
        assert [row[1] for row in pairs(store)] == [original.url]


def test_another_writers_articles_are_found(path: Path) -> None:
    """Workers sharing a store: what the other committed since this one built its index."""
    original = long_item()
    with Store.open(path) as first, Store.open(path) as second:
        second.put(ITEMS[0] if ITEMS[0] is not original else ITEMS[1], NOW)  # builds its index
        second.commit()
        first.put(original, NOW)
        first.commit()
        second.put(with_words_changed(original, 4, original.url + "-copy"), LATER)
        assert [row[1] for row in pairs(second)] == [original.url]


def test_a_rolled_back_batch_leaves_no_pair_with_its_articles(path: Path) -> None:
    original = long_item()
    with Store.open(path) as store:
        store.put(original, NOW)
        store.rollback()
        store.put(with_words_changed(original, 4, original.url + "-copy"), LATER)
        assert pairs(store) == []


def test_the_index_holds_only_the_latest_articles(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(nd, "INDEXED_ARTICLES", 3)
    original = long_item()
    others = [item for item in ITEMS if item is not original]
    with Store.open(path) as store:
        store.put(original, NOW)
        for item in others[:3]:
            store.put(item, NOW)
        assert store._near is not None
        assert len(store._near.ids) == len(store._near.lsh) == 3
        store.put(with_words_changed(original, 4, original.url + "-copy"), LATER)
        assert pairs(store) == [], "the original is no longer compared"
    rows = sqlite3.connect(path).execute("SELECT count(*) FROM article_signatures").fetchone()
    assert rows == (5,), "every signature is kept"


def test_a_schema_7_store_gets_the_pairs_of_its_articles(path: Path) -> None:
    original = long_item()
    with Store.open(path) as store:
        for item in [*ITEMS, with_words_changed(original, 6, original.url + "-copy")]:
            store.put(item, NOW)
        expected = pairs(store)
    assert len(expected) == 1
    db = sqlite3.connect(path)
    db.execute("DROP TABLE breaking_fts")  # schema 9's
    db.execute("DROP TABLE breaking")
    db.execute("DROP TABLE near_duplicates")
    db.execute("DROP TABLE article_signatures")
    db.execute("PRAGMA user_version = 7")
    db.commit()
    db.close()
    with Store.open(path) as store:
        assert store.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert pairs(store) == expected
        (signatures,) = store.db.execute("SELECT count(*) FROM article_signatures").fetchone()
        assert signatures == len(ITEMS) + 1
        store.put(with_words_changed(original, 3, original.url + "-again", seed=1), LATER)
        assert len(pairs(store)) == 3, "the third copy pairs with both"


def test_the_pairs_are_read_with_both_titles(path: Path) -> None:
    original = long_item()
    copy = with_words_changed(original, 4, original.url + "-copy")
    with Store.open(path) as store:
        store.put(original, NOW)
        store.put(dataclasses.replace(copy, title="The copy"), LATER)
    with Store.open(path, readonly=True) as store:
        (row,) = store.near_duplicates()
    assert row["url"] == copy.url
    assert row["title"] == "The copy"
    assert row["of_url"] == original.url
    assert row["of_title"] == original.title
    assert row["found_at"] == LATER
    assert 0.5 <= row["similarity"] <= 1


def test_the_saved_query_lists_the_pairs_with_both_titles(tmp_path: Path) -> None:
    from mayadeen.datasette_metadata import QUERIES, metadata

    original, copy = a_store_with_a_pair(tmp_path)
    db = sqlite3.connect(store_path(tmp_path))
    db.row_factory = sqlite3.Row
    (row,) = db.execute(QUERIES["near_duplicates"]["sql"]).fetchall()
    assert (row["title"], row["url"]) == (copy.title, copy.url)
    assert (row["of_title"], row["of_url"]) == (original.title, original.url)
    tables = metadata()["databases"]["articles"]["tables"]
    assert tables["article_signatures"] == {"hidden": True}
    assert not tables["near_duplicates"].get("hidden")


@pytest.mark.parametrize("file_format", ["csv", "jsonl", "json", "jsonl.gz"])
def test_the_pairs_export_in_every_format(tmp_path: Path, file_format: str) -> None:
    from mayadeen.commands.export import export
    from mayadeen.commands.export_rows import NEAR_DUPLICATES

    original, copy = a_store_with_a_pair(tmp_path)
    stream = io.BytesIO()
    assert export(store_path(tmp_path), stream, file_format, None, NEAR_DUPLICATES) == 1
    (record,) = read_back(stream.getvalue(), file_format)
    assert list(record)[:2] == ["url", "title"]
    assert (record["url"], record["of_url"]) == (copy.url, original.url)
    assert record["of_title"] == original.title
    assert record["title"] == copy.title
    assert 0.5 <= float(record["similarity"]) <= 1
