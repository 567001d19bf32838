"""Datasette's metadata (docs/datasette.json): current with the item's field docs, describing every
column of the analysts' tables in plain text, hiding exactly the bookkeeping tables, and saved
queries that answer on a real store (Datasette itself serving it: tests/e2e/test_analysis.py)."""

import json
import sqlite3
from pathlib import Path

import pytest

from mayadeen import datasette_metadata
from mayadeen.datasette_metadata import DATABASE, HIDDEN, QUERIES, SNIPPET_COLUMN, metadata
from mayadeen.items import field_docs
from mayadeen.store import Store
from mayadeen.store.schema import SEARCHED
from tests.helpers.pipeline import CRAWLED_AT, changed, fixture_items
from tests.helpers.runs import ROOT

ITEMS = list(fixture_items().values())
LATER = "2026-11-23T10:00:00+00:00"
TABLES = metadata()["databases"][DATABASE]["tables"]


def test_the_committed_metadata_is_current() -> None:
    committed = (ROOT / "docs" / "datasette.json").read_text("utf-8")
    assert committed == datasette_metadata.render(), "run: python -m mayadeen.datadict"


@pytest.fixture
def store(tmp_path: Path) -> sqlite3.Connection:
    """A store of the fixture articles; the first one re-stored twice with a new headline."""
    path = tmp_path / "articles.sqlite"
    with Store.open(path) as writer:
        for item in ITEMS:
            writer.put(item, CRAWLED_AT)
        writer.commit()
        first = ITEMS[0]
        writer.put(changed(first, body=first.body + "\n\nA late paragraph."), LATER)
        writer.put(changed(first, title="Lukashenko says more", body=first.body), LATER)
        writer.commit()
    db = sqlite3.connect(path)
    db.row_factory = sqlite3.Row
    return db


def visible_tables(db: sqlite3.Connection) -> set[str]:
    names = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    return {name for name in names if not name.startswith("articles_fts")} - set(HIDDEN)


def test_every_table_is_described_or_hidden(store: sqlite3.Connection) -> None:
    """A table added to the store must be classified here: an analyst's, or bookkeeping."""
    assert visible_tables(store) == {
        name for name, table in TABLES.items() if not table.get("hidden")
    }
    assert all(TABLES[name]["hidden"] for name in HIDDEN)
    for name in visible_tables(store):
        table = TABLES[name]
        assert table["description"]
        columns = [row[1] for row in store.execute(f"PRAGMA table_info({name})")]
        assert list(table["columns"]) == [c for c in columns if c != "id"], name


def test_descriptions_are_the_field_docs_in_plain_text() -> None:
    columns = TABLES["articles"]["columns"]
    for name, doc in field_docs().items():
        assert "``" in doc or columns[name] == " ".join(doc.split())
        assert "``" not in columns[name]
        assert "\n" not in columns[name]
    assert columns["url"].startswith("Canonical URL: absolute")
    assert "(%3A → :)" in columns["url"]
    assert TABLES["article_versions"]["columns"]["title"] == columns["title"]


def test_articles_open_newest_first_with_section_and_tag_facets() -> None:
    articles = TABLES["articles"]
    assert articles["sort_desc"] == "published_at"
    assert articles["facets"] == ["section", {"array": "tags"}]
    assert articles["fts_table"] == "articles_fts"


def run(db: sqlite3.Connection, name: str, **parameters: str) -> list[sqlite3.Row]:
    return list(db.execute(QUERIES[name]["sql"], parameters))


def test_the_search_quotes_the_body() -> None:
    assert SEARCHED[SNIPPET_COLUMN] == "body"
    assert f"snippet(articles_fts, {SNIPPET_COLUMN}," in QUERIES["search"]["sql"]
    assert SEARCHED == ("title", "summary", "body", "tags"), "the bm25 weights' order"


def test_the_search_query_ranks_and_shows_the_words_around_the_match(
    store: sqlite3.Connection,
) -> None:
    rows = run(store, "search", text="Lukashenko")
    assert len(rows) == 2
    assert [row["score"] for row in rows] == sorted(row["score"] for row in rows)
    assert all("[Lukashenko]" in row["context"] for row in rows)
    assert {row["title"] for row in rows} >= {"Lukashenko says more"}
    assert run(store, "search", text="title:semiconductor")[0]["url"] == ITEMS[2].url


def test_articles_per_day_count_every_article(store: sqlite3.Connection) -> None:
    rows = run(store, "articles_per_day")
    assert sum(row["articles"] for row in rows) == len(ITEMS)
    days = [row["day"] for row in rows]
    assert days == sorted(days, reverse=True)


def test_edited_articles_and_their_versions(store: sqlite3.Connection) -> None:
    (edited,) = run(store, "edited_after_publication")
    first = ITEMS[0]
    assert edited["url"] == first.url
    assert edited["versions"] == 3
    assert edited["first_title"] == first.title
    assert edited["title"] == "Lukashenko says more"
    assert edited["headline_changed"] == 1
    assert edited["hours_after_publication"] > 0
    versions = run(store, "article_versions", url=first.url)
    assert [row["version"] for row in versions] == [1, 2, 3]
    assert [row["title"] for row in versions] == [first.title, first.title, "Lukashenko says more"]
    assert versions[-1]["superseded_at"] is None
    assert versions[1]["body"].endswith("A late paragraph.")


def test_the_metadata_is_json_datasette_reads() -> None:
    loaded = json.loads(datasette_metadata.render())
    assert set(loaded["databases"][DATABASE]["queries"]) == set(QUERIES)
    for query in QUERIES.values():
        assert query["title"]
        assert query["description"]
        assert query["sql"].startswith("SELECT")
