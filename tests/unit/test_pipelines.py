"""Each pipeline built with ``from_crawler``, fed items as extraction yields them."""

import csv
import gzip
import json
import sqlite3
from dataclasses import replace
from pathlib import Path

import pytest
from scrapy.exceptions import DropItem

from mayadeen.items import FIELD_NAMES, content_hash
from mayadeen.loopback import GeneratedSite
from mayadeen.pipelines.dedupe import DeduplicatePipeline
from mayadeen.pipelines.drops import DuplicateItem, InvalidItem
from mayadeen.pipelines.store import StorePipeline
from mayadeen.pipelines.validate import ValidationPipeline
from mayadeen.store import store_path
from tests.helpers.pipeline import (
    PipelineRun,
    changed,
    fixture_items,
    generated_items,
    make_crawler,
    opened_run,
    run_pipelines,
    stats,
)
from tests.helpers.runs import SHARED

ARTICLES = fixture_items("article")
INVALID = fixture_items("invalid")


# -- validation ----------------------------------------------------------------------------


def test_every_article_fixture_and_generated_article_is_valid(tmp_path: Path) -> None:
    pipeline = ValidationPipeline.from_crawler(make_crawler(tmp_path))
    for item in [*ARTICLES.values(), *generated_items(GeneratedSite(500, seed=3))]:
        assert pipeline.process_item(item) is item
    assert not (tmp_path / "quarantine").exists()


def test_the_shared_samples_are_valid(tmp_path: Path) -> None:
    samples = SHARED / "site" / "samples" / "expected.json"
    if not samples.is_file():
        pytest.skip(f"{samples} is not beside this checkout")
    pipeline = ValidationPipeline.from_crawler(make_crawler(tmp_path))
    for expected in json.loads(samples.read_text("utf-8")).values():
        item = {**expected, "crawled_at": "2026-11-21T10:00:00+00:00"}
        assert pipeline.process_item(item) is item


@pytest.mark.parametrize(
    ("name", "reasons"),
    [("invalid-empty-body", ["missing:body"]), ("invalid-no-title", ["missing:title"])],
)
def test_broken_fixtures_are_quarantined_with_their_reasons(
    tmp_path: Path, name: str, reasons: list[str]
) -> None:
    with opened_run(tmp_path) as run:
        crawler, run_id = run.crawler, run.run.run_id
        pipeline = ValidationPipeline.from_crawler(crawler)
        with pytest.raises(InvalidItem) as dropped:
            pipeline.process_item(INVALID[name])
    assert dropped.value.reasons == reasons
    assert isinstance(dropped.value, DropItem)
    assert dropped.value.log_level == "WARNING"
    (line,) = (tmp_path / "quarantine" / f"{run_id}.jsonl").read_text().splitlines()
    record = json.loads(line)
    assert record["reasons"] == reasons
    assert record["url"] == INVALID[name].url
    assert list(record["item"]) == list(FIELD_NAMES), "the whole item, to re-check it"
    assert stats(crawler)["mayadeen/quarantine/items"] == 1
    assert stats(crawler)[f"mayadeen/quarantine/{reasons[0]}"] == 1


@pytest.mark.parametrize(
    ("values", "reason"),
    [
        ({"url": "https://example.com/news/politics/x"}, "url:offsite"),
        ({"url": "https://english.almayadeen.net/news/politics"}, "url:not_article"),
        ({"url": "https://english.almayadeen.net/news/politics/x/"}, "url:not_canonical"),
        ({"published_at": "24 Feb 2022"}, "date:unparseable"),
        ({"published_at": "2027-01-01T00:00:00+02:00"}, "date:future"),
        ({"published_at": "1970-01-01T00:00:00+00:00"}, "date:too_old"),
        ({"modified_at": "yesterday"}, "modified:unparseable"),
        ({"content_type": "video"}, "content_type:unknown"),
        ({"language": "ar"}, "language:unexpected"),
        ({"word_count": 3}, "word_count:mismatch"),
        ({"content_hash": "0" * 64}, "content_hash:mismatch"),
        ({"tags": "Lebanon"}, "type:tags"),
        ({"word_count": "88"}, "type:word_count"),
        ({"published_at": None}, "missing:published_at"),
    ],
)
def test_each_rule_has_its_reason(tmp_path: Path, values: dict[str, object], reason: str) -> None:
    with opened_run(tmp_path) as run:
        pipeline = ValidationPipeline.from_crawler(run.crawler)
        with pytest.raises(InvalidItem) as dropped:
            pipeline.process_item(changed(ARTICLES["news-jsonld-only"], **values))
    assert dropped.value.reasons == [reason]


def test_a_short_body_is_too_short(tmp_path: Path) -> None:
    item = ARTICLES["news-jsonld-only"]
    short = changed(item, body="Only a few words here.", word_count=5, content_hash=None)
    with opened_run(tmp_path) as run:
        pipeline = ValidationPipeline.from_crawler(run.crawler)
        with pytest.raises(InvalidItem) as dropped:
            pipeline.process_item(short)
    assert dropped.value.reasons == ["missing:content_hash", "body:too_short"]


def test_problems_checked_where_the_item_was_extracted_are_not_checked_again(
    tmp_path: Path,
) -> None:
    """A re-extraction's worker checks each item's problems (``Provenance.problems``): an item it
    found valid passes, one it found invalid is quarantined with its reasons."""
    short = changed(ARTICLES["news-jsonld-only"], body="Only a few words here.", word_count=5)
    with opened_run(tmp_path) as run:
        pipeline = ValidationPipeline.from_crawler(run.crawler)
        short.provenance = replace(short.provenance, problems=())
        assert pipeline.process_item(short) is short  # as the worker found it
        short.provenance = replace(short.provenance, problems=("body:too_short",))
        with pytest.raises(InvalidItem) as dropped:
            pipeline.process_item(short)
    assert dropped.value.reasons == ["body:too_short"]


# -- deduplication ---------------------------------------------------------------------------


def test_the_same_url_twice_in_a_run_is_a_duplicate(tmp_path: Path) -> None:
    with opened_run(tmp_path) as run:
        crawler = run.crawler
        pipeline = DeduplicatePipeline.from_crawler(crawler)
        pipeline.open_spider()
        item = ARTICLES["features-long"]
        assert pipeline.process_item(item) is item
        with pytest.raises(DuplicateItem) as dropped:
            pipeline.process_item(changed(item))
    assert dropped.value.kind == "url"
    assert dropped.value.log_level == "DEBUG"
    assert stats(crawler)["mayadeen/duplicates/url"] == 1


def test_the_same_content_under_another_url_is_a_duplicate(tmp_path: Path) -> None:
    with opened_run(tmp_path) as run:
        crawler = run.crawler
        pipeline = DeduplicatePipeline.from_crawler(crawler)
        pipeline.open_spider()
        item = ARTICLES["features-long"]
        pipeline.process_item(item)
        copy = changed(item, url="https://english.almayadeen.net/articles/features/a-copy")
        with pytest.raises(DuplicateItem) as dropped:
            pipeline.process_item(copy)
    assert (dropped.value.kind, dropped.value.original) == ("content", item.url)
    assert dropped.value.log_level == "INFO"
    assert stats(crawler)["mayadeen/duplicates/content"] == 1


def _run(tmp_path: Path, items: list[object]) -> dict[str, object]:
    """One crawl's pipelines over ``items``, driven as the engine drives them (signals included)."""
    return run_pipelines(tmp_path, items)


def test_content_seen_in_an_earlier_run_is_an_alias(tmp_path: Path) -> None:
    item = ARTICLES["opinion-disclaimer"]
    _run(tmp_path, [item])
    copy = changed(item, url="https://english.almayadeen.net/articles/opinion/old-slug")
    got = _run(tmp_path, [copy, item])
    assert got["mayadeen/duplicates/content"] == 1
    assert got["mayadeen/items/unchanged"] == 1
    db = sqlite3.connect(store_path(tmp_path))
    assert db.execute("SELECT alias_url, url FROM aliases").fetchall() == [(copy.url, item.url)]
    assert db.execute("SELECT count(*) FROM articles").fetchone() == (1,)


# -- store and feed --------------------------------------------------------------------------


def test_store_labels_counts_and_records_the_run(tmp_path: Path) -> None:
    items = list(ARTICLES.values())
    first = _run(tmp_path, [*items, *INVALID.values(), items[0]])
    assert first["mayadeen/items/new"] == len(items)
    assert first["mayadeen/duplicates/url"] == 1
    assert first["mayadeen/quarantine/items"] == 2
    body = f"{items[1].body} More."
    edited = changed(
        items[1],
        body=body,
        word_count=len(body.split()),
        content_hash=content_hash(items[1].title or "", body),
    )
    second = _run(tmp_path, [edited, *items[2:]])
    assert second["mayadeen/items/updated"] == 1
    assert second["mayadeen/items/unchanged"] == len(items) - 2
    assert "mayadeen/items/new" not in second
    db = sqlite3.connect(store_path(tmp_path))
    runs = db.execute(
        "SELECT close_reason, items_new, items_updated, items_unchanged, duplicates, quarantined "
        "FROM runs ORDER BY run_id"
    ).fetchall()
    assert runs == [("finished", len(items), 0, 0, 1, 2), ("finished", 0, 1, len(items) - 2, 0, 0)]
    assert db.execute("SELECT count(*) FROM quarantine").fetchone() == (2,)
    assert db.execute("SELECT count(*) FROM article_versions").fetchone() == (1,)
    feeds = sorted((tmp_path / "feeds").glob("articles-*.csv"))
    assert [len(list(csv.reader(f.open(encoding="utf-8")))) - 1 for f in feeds] == [len(items), 1]


def test_store_commits_every_batch(tmp_path: Path) -> None:
    batches = {"MAYADEEN_STORE_BATCH_SIZE": 3, "MAYADEEN_STORE_COMMIT_INTERVAL": 3600}
    with opened_run(tmp_path, **batches) as run:
        pipeline = StorePipeline.from_crawler(run.crawler)
        items = list(ARTICLES.values())[:7]
        for item in items:
            pipeline.process_item(item)
        reader = sqlite3.connect(store_path(tmp_path))
        assert reader.execute("SELECT count(*) FROM articles").fetchone() == (6,)
    assert reader.execute("SELECT count(*) FROM articles").fetchone() == (7,)


def test_store_commits_after_the_interval(tmp_path: Path) -> None:
    with opened_run(tmp_path, MAYADEEN_STORE_COMMIT_INTERVAL=0.01) as run:
        StorePipeline.from_crawler(run.crawler).process_item(ARTICLES["features-long"])
        store = run.run.writer.store
        store._last_commit -= 1  # as if a second had passed
        store.commit_if_due()
        reader = sqlite3.connect(store_path(tmp_path))
        assert reader.execute("SELECT count(*) FROM articles").fetchone() == (1,)


def test_feed_is_jsonl_a_setting_away(tmp_path: Path) -> None:
    item = ARTICLES["news-technology-tweets"]
    run_pipelines(tmp_path, [item], MAYADEEN_FEED_FORMAT="jsonl")
    (feed,) = (tmp_path / "feeds").glob("articles-*.jsonl")
    (row,) = [json.loads(line) for line in feed.read_text("utf-8").splitlines()]
    assert row == {name: getattr(item, name) for name in FIELD_NAMES}


def test_an_unknown_feed_format_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="MAYADEEN_FEED_FORMAT = 'xml'"):
        make_crawler(tmp_path, MAYADEEN_FEED_FORMAT="xml")


@pytest.mark.parametrize(("store_empty", "files"), [(True, 1), (False, 0)])
def test_an_empty_run_follows_feed_store_empty(
    tmp_path: Path, store_empty: bool, files: int
) -> None:
    run_pipelines(tmp_path, [], FEED_STORE_EMPTY=store_empty)
    feeds = list((tmp_path / "feeds").glob("articles-*.csv"))
    assert len(feeds) == files
    if files:
        assert feeds[0].read_bytes() == (",".join(FIELD_NAMES) + "\r\n").encode()


def test_feed_rows_reach_the_file_as_items_are_exported(tmp_path: Path) -> None:
    """A crawl killed midway leaves every row exported before it, whole (unbuffered files), in
    the feed's ``.partial`` file: it gets its final name only when complete."""
    items = list(ARTICLES.values())[:5]
    seen: list[list[list[str]]] = []

    async def before_the_close(run: PipelineRun) -> None:
        assert not list((tmp_path / "feeds").glob("articles-*.csv"))
        (feed,) = (tmp_path / "feeds").glob("articles-*.csv.partial")
        with feed.open(encoding="utf-8", newline="") as lines:
            seen.append(list(csv.reader(lines)))

    run_pipelines(tmp_path, items, during=before_the_close)
    (rows,) = seen
    assert rows[0] == list(FIELD_NAMES)
    assert [row[0] for row in rows[1:]] == [item.url for item in items]


def test_the_per_run_feeds_are_csv_and_gzip_json_lines_of_the_same_articles(
    tmp_path: Path,
) -> None:
    items = list(ARTICLES.values())
    run_pipelines(tmp_path, items)
    (csv_feed,) = (tmp_path / "feeds").glob("articles-*.csv")
    (gzip_feed,) = (tmp_path / "feeds").glob("articles-*.jsonl.gz")
    assert gzip_feed.name.removesuffix(".jsonl.gz") == csv_feed.name.removesuffix(".csv")
    with csv_feed.open(encoding="utf-8", newline="") as lines:
        rows = list(csv.DictReader(lines))
    with gzip.open(gzip_feed, "rt", encoding="utf-8") as lines:
        records = [json.loads(line) for line in lines]
    assert [r["url"] for r in rows] == [r["url"] for r in records] == [i.url for i in items]
    assert records[0] == {name: getattr(items[0], name) for name in FIELD_NAMES}
