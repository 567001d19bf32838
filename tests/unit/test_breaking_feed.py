"""The per-run breaking feed through the real run writer and store: what it lists, its formats,
and the article feeds' guarantees (``.partial`` until whole; what an incomplete or killed run's
feed did not list, the next run's lists)."""

import csv
import gzip
import json
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from scrapy.statscollectors import StatsCollector

from mayadeen.pages.ticker import TickerLine
from mayadeen.run.breaking_feed import BREAKING_FEED_FAILURES, BreakingFeed
from mayadeen.run.writer import STORE_ERRORS, StoreWriter
from mayadeen.store.breaking import COLUMNS, Sighting
from mayadeen.store.db import store_path
from tests.helpers.pipeline import make_crawler

PAGE = "http://127.0.0.1:8123/"
FORMATS = ("csv", "jsonl.gz", "parquet")
START = datetime(2026, 11, 21, 10, 0, tzinfo=UTC)


class Crawl:
    """One run of the store writer and its breaking feed, as the run drives them."""

    def __init__(self, data_dir: Path, number: int) -> None:
        crawler = make_crawler(data_dir)
        assert crawler.stats is not None
        self.stats: StatsCollector = crawler.stats
        self.writer = StoreWriter(crawler.settings, self.stats, store_path(data_dir))
        self.run_id = self.writer.open(START + timedelta(minutes=number))
        self.feed = BreakingFeed(self.writer, data_dir, FORMATS, shared=False)
        self.feed.opened()

    def sees(self, *texts: str) -> None:
        lines = [
            TickerLine(text, text.partition(":")[0] if ":" in text else None) for text in texts
        ]
        self.writer.see_breaking(lines, Sighting(PAGE, self.writer.clock.now(), "site"))

    def close(self, unreachable: bool = False) -> None:
        self.writer.commit(force=True)
        self.feed.close(unreachable)
        self.writer.finish("finished")

    def killed(self) -> None:
        """Stopped with its lines committed, before its close."""
        self.writer.commit(force=True)
        self.writer.store.close()


@pytest.fixture
def crawls(tmp_path: Path) -> Callable[[], Crawl]:
    """Runs of one data directory, a minute apart."""
    numbers = iter(range(100))
    return lambda: Crawl(tmp_path, next(numbers))


def feed_rows(data_dir: Path, run_id: str) -> list[dict[str, str]]:
    path = data_dir / "feeds" / f"breaking-{run_id}.csv"
    return list(csv.DictReader(path.open(encoding="utf-8", newline="")))


def jsonl_rows(data_dir: Path, run_id: str) -> list[dict[str, Any]]:
    path = data_dir / "feeds" / f"breaking-{run_id}.jsonl.gz"
    return [json.loads(line) for line in gzip.decompress(path.read_bytes()).splitlines()]


def still_owed(data_dir: Path, run_id: str) -> None:
    """The store as a run killed before noting its complete feed leaves it: its lines owed."""
    with sqlite3.connect(store_path(data_dir)) as db:
        db.execute("UPDATE breaking SET feed_run_id = ?", (run_id,))


def texts(rows: list[dict[str, Any]]) -> list[str]:
    return [row["text"] for row in rows]


def test_the_feed_lists_the_lines_first_seen_in_the_run(crawls: Any, tmp_path: Path) -> None:
    first = crawls()
    first.sees("Israeli media: Sirens sound", "-5 dead: a formula-looking line")
    first.sees("Israeli media: Sirens sound")
    first.close()
    rows = feed_rows(tmp_path, first.run_id)
    assert list(rows[0]) == list(COLUMNS)
    assert texts(rows) == ["Israeli media: Sirens sound", "'-5 dead: a formula-looking line"]
    assert rows[0]["times_seen"] == "2"
    assert rows[0]["run_id"] == first.run_id
    assert rows[0]["origin"] == "site"
    assert rows[0]["first_seen_on"] == PAGE
    lines = jsonl_rows(tmp_path, first.run_id)
    assert texts(lines) == ["Israeli media: Sirens sound", "-5 dead: a formula-looking line"]
    assert lines[0]["attribution"] == "Israeli media"
    assert lines[0]["times_seen"] == 2
    assert sorted(p.name for p in (tmp_path / "feeds").iterdir()) == [
        f"breaking-{first.run_id}.csv",
        f"breaking-{first.run_id}.jsonl.gz",
    ], "no Parquet breaking feed, no .partial left"
    assert first.feed.files == [
        tmp_path / "feeds" / f"breaking-{first.run_id}.csv",
        tmp_path / "feeds" / f"breaking-{first.run_id}.jsonl.gz",
    ]

    second = crawls()
    second.sees("Israeli media: Sirens sound", "Trump says no")
    second.close()
    assert texts(feed_rows(tmp_path, second.run_id)) == ["Trump says no"]
    third = crawls()
    third.sees("Trump says no")
    third.close()
    assert feed_rows(tmp_path, third.run_id) == []
    header = (tmp_path / "feeds" / f"breaking-{third.run_id}.csv").read_text().strip()
    assert header == ",".join(COLUMNS), "a run with no new line writes the header only"


def test_a_killed_runs_lines_are_listed_by_the_next_runs_feed(crawls: Any, tmp_path: Path) -> None:
    killed = crawls()
    killed.sees("Israeli media: Sirens sound")
    killed.killed()
    after = crawls()
    after.sees("Trump says no")
    after.close()
    assert texts(feed_rows(tmp_path, after.run_id)) == [
        "Israeli media: Sirens sound",
        "Trump says no",
    ]
    again = crawls()
    again.close()
    assert feed_rows(tmp_path, again.run_id) == [], "listed once"


def test_a_run_killed_while_renaming_is_made_partial_and_relisted(
    crawls: Any, tmp_path: Path
) -> None:
    first = crawls()
    first.sees("Israeli media: Sirens sound")
    first.close()
    feeds = tmp_path / "feeds"
    csv_file = feeds / f"breaking-{first.run_id}.csv"
    csv_file.rename(csv_file.with_name(csv_file.name + ".partial"))  # one renamed, one not
    still_owed(tmp_path, first.run_id)  # the store as the kill left it
    after = crawls()
    assert sorted(p.name for p in feeds.iterdir()) == [
        f"breaking-{first.run_id}.csv.partial",
        f"breaking-{first.run_id}.jsonl.gz.partial",
    ]
    after.close()
    assert texts(feed_rows(tmp_path, after.run_id)) == ["Israeli media: Sirens sound"]


def test_a_run_killed_after_renaming_is_noted_and_not_relisted(crawls: Any, tmp_path: Path) -> None:
    first = crawls()
    first.sees("Israeli media: Sirens sound")
    first.close()
    still_owed(tmp_path, first.run_id)  # renamed, the store not told yet
    after = crawls()
    after.close()
    assert feed_rows(tmp_path, after.run_id) == []
    assert texts(feed_rows(tmp_path, first.run_id)) == ["Israeli media: Sirens sound"]


def test_a_run_whose_store_refused_a_write_keeps_its_feed_partial(
    crawls: Any, tmp_path: Path
) -> None:
    failing = crawls()
    failing.sees("Israeli media: Sirens sound")
    failing.stats.inc_value(STORE_ERRORS)
    failing.close()
    feeds = tmp_path / "feeds"
    assert sorted(p.name for p in feeds.iterdir()) == [
        f"breaking-{failing.run_id}.csv.partial",
        f"breaking-{failing.run_id}.jsonl.gz.partial",
    ]
    assert failing.stats.get_value(BREAKING_FEED_FAILURES) == 1
    assert failing.feed.files == []
    assert failing.feed.partials
    after = crawls()
    after.close()
    assert texts(feed_rows(tmp_path, after.run_id)) == ["Israeli media: Sirens sound"]


def test_a_run_that_could_not_reach_the_site_writes_no_feed(crawls: Any, tmp_path: Path) -> None:
    crawls().close(unreachable=True)
    assert not (tmp_path / "feeds").exists() or not list((tmp_path / "feeds").iterdir())
