"""Parquet: the per-run feed (``MAYADEEN_FEED_FORMAT=parquet``) and ``scrapy export``'s
``.parquet``, typed; and ``scrapy export``'s filters (section, tag, publication, change)."""

import io
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from scrapy.settings import BaseSettings

from mayadeen import exporters
from mayadeen.commands.export import export
from mayadeen.crawl.configuration import SettingError, check_settings
from mayadeen.exporters import EXPORT_FORMATS
from mayadeen.items import FIELD_NAMES, LIST_FIELDS, plain_field_docs
from mayadeen.itemschema import SCHEMA_ID
from mayadeen.store import Store, store_path
from tests.helpers.pipeline import CRAWLED_AT, changed, fixture_items, run_pipelines

ITEMS = list(fixture_items().values())


def test_the_feed_is_parquet_a_setting_away_with_typed_columns(tmp_path: Path) -> None:
    run_pipelines(tmp_path, ITEMS[:3], MAYADEEN_FEED_FORMAT="csv,parquet")
    (feed,) = (tmp_path / "feeds").glob("articles-*.parquet")
    table = pq.read_table(feed)
    schema = table.schema
    assert [name for name in schema.names if not name.endswith("_utc")] == list(FIELD_NAMES)
    assert schema.names.index("published_at_utc") == schema.names.index("published_at") + 1
    for name in LIST_FIELDS:
        assert schema.field(name).type == pa.list_(pa.string())
    assert schema.field("word_count").type == pa.int64()
    for name in ("published_at", "modified_at", "crawled_at"):
        assert schema.field(name).type == pa.string(), "the contract's text, offset kept"
        assert schema.field(f"{name}_utc").type == pa.timestamp("us", tz="UTC")
    rows = {row["url"]: row for row in table.to_pylist()}
    belarus = rows[ITEMS[0].url]
    assert belarus["published_at"] == "2022-02-24T14:05:00+02:00" == ITEMS[0].published_at
    assert belarus["published_at_utc"] == datetime(2022, 2, 24, 12, 5, tzinfo=UTC)
    assert belarus["tags"] == ITEMS[0].tags
    assert belarus["word_count"] == ITEMS[0].word_count


def test_every_column_is_described_the_schema_named_and_the_file_zstd(tmp_path: Path) -> None:
    """The descriptions are the data dictionary's (the field docstrings as plain text); they and
    the schema id travel in the file, as pyarrow and DuckDB read them back."""
    run_pipelines(tmp_path, ITEMS[:3], MAYADEEN_FEED_FORMAT="parquet")
    (feed,) = (tmp_path / "feeds").glob("articles-*.parquet")
    schema = pq.read_schema(feed)
    docs = plain_field_docs()
    assert list(docs) == list(FIELD_NAMES)
    for name in FIELD_NAMES:
        assert schema.field(name).metadata == {b"description": docs[name].encode()}
    assert "``" not in docs["word_count"], "plain text, no reST"
    utc = schema.field("published_at_utc").metadata[b"description"].decode()
    assert utc == "The same instant as published_at, as a UTC timestamp."
    assert schema.metadata[b"mayadeen.schema_id"] == SCHEMA_ID.encode()
    assert b"english.almayadeen.net" in schema.metadata[b"description"]
    metadata = pq.ParquetFile(feed).metadata
    chunks = [metadata.row_group(0).column(i) for i in range(metadata.num_columns)]
    assert {chunk.compression for chunk in chunks} == {"ZSTD"}
    named = "SELECT decode(value) FROM parquet_kv_metadata($feed) WHERE decode(key) = $key"
    key = duckdb.sql(named, params={"feed": str(feed), "key": "mayadeen.schema_id"}).fetchall()
    assert key == [(SCHEMA_ID,)]


def test_scrapy_own_feeds_write_parquet(tmp_path: Path) -> None:
    """``-O items.parquet``: a feed of the user's, every article of the run, typed the same; its
    compression one of the feed's options."""
    own = tmp_path / "items.parquet"
    snappy = {"compression": "snappy"}
    feeds = {str(own): {"format": "parquet", "overwrite": True, "item_export_kwargs": snappy}}
    run_pipelines(tmp_path / "data", ITEMS[:3], FEEDS=feeds)
    table = pq.read_table(own)
    assert table.column("url").to_pylist() == [item.url for item in ITEMS[:3]]
    assert table.schema.field("tags").type == pa.list_(pa.string())
    assert table.schema.field("modified_at_utc").type == pa.timestamp("us", tz="UTC")
    assert pq.ParquetFile(own).metadata.row_group(0).column(0).compression == "SNAPPY"


def test_a_run_with_nothing_new_writes_a_parquet_file_with_the_columns(tmp_path: Path) -> None:
    run_pipelines(tmp_path, [], MAYADEEN_FEED_FORMAT="parquet")
    (feed,) = (tmp_path / "feeds").glob("articles-*.parquet")
    assert pq.read_table(feed).num_rows == 0


def test_without_pyarrow_parquet_is_a_one_line_error(monkeypatch: pytest.MonkeyPatch) -> None:
    real = exporters.importlib.util.find_spec
    monkeypatch.setattr(
        exporters.importlib.util,
        "find_spec",
        lambda name, *a: None if name == "pyarrow" else real(name, *a),
    )
    message = "parquet needs pyarrow: pip install 'mayadeen[parquet]'"
    assert EXPORT_FORMATS["parquet"].problem("parquet") == message
    assert EXPORT_FORMATS["csv"].problem("csv") is None
    with pytest.raises(SettingError, match=r"MAYADEEN_FEED_FORMAT='csv,parquet': .*pip install"):
        check_settings(BaseSettings({"MAYADEEN_FEED_FORMAT": "csv,parquet"}))


@pytest.fixture
def store(tmp_path: Path) -> Path:
    """Fixture articles, one of them stored a day later than the others."""
    with Store.open(store_path(tmp_path)) as opened:
        for item in ITEMS[1:]:
            opened.put(item, CRAWLED_AT)
        opened.put(ITEMS[0], "2026-11-22T09:00:00+00:00")
    return tmp_path


def exported(data_dir: Path, since: str | None = None, **filters: str | None) -> list[str]:
    out = io.BytesIO()
    export(store_path(data_dir), out, "parquet", since, **filters)
    return [row["url"] for row in pq.read_table(io.BytesIO(out.getvalue())).to_pylist()]


def urls(items: list[Any]) -> list[str]:
    return [item.url for item in sorted(items, key=lambda item: (item.published_at, item.url))]


def test_export_filters_by_section_tag_publication_and_change(store: Path) -> None:
    assert exported(store, section="politics") == urls(
        [i for i in ITEMS if i.section == "Politics"]
    )
    assert exported(store, tag="BELARUS") == urls([i for i in ITEMS if "Belarus" in i.tags])
    recent = [i for i in ITEMS if i.published_at and i.published_at[:10] >= "2024-07-18"]
    assert exported(store, published_since="2024-07-18") == urls(recent)
    assert exported(store, "2026-11-22") == [ITEMS[0].url], "changed (stored) since, not published"
    assert exported(store, "2026-11-22", section="Economy") == []
    both = [i for i in ITEMS if i.section == "Politics" and "Donbas" in i.tags]
    assert both
    assert exported(store, section="Politics", tag="donbas") == urls(both)


def test_publication_day_is_the_page_own_day(tmp_path: Path) -> None:
    """Published at 00:30 on 1 November in Beirut (22:30 on 31 October UTC): published on the
    1st, as the page says and the spider's ``since`` reads it."""
    item = changed(ITEMS[0], published_at="2026-11-01T00:30:00+02:00")
    with Store.open(store_path(tmp_path)) as opened:
        opened.put(item, CRAWLED_AT)
        assert [a["url"] for a in opened.articles(published_since="2026-11-01")] == [item.url]
        assert list(opened.articles(published_since="2026-11-02")) == []
