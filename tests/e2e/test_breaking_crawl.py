"""End to end: crawls of the loopback site, whose BREAKING ticker changes between them, fill the
``breaking`` table line by line, and no article holds a ticker line."""

import csv
import gzip
import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from mayadeen.loopback import FixtureSite, LoopbackServer
from mayadeen.loopback.ticker import Ticker
from mayadeen.store import store_path
from tests.helpers.runs import crawl
from tests.helpers.ticker import ATTRIBUTIONS, PERIOD, Clock


@pytest.fixture
def ticking(fixture_site: FixtureSite) -> Iterator[tuple[LoopbackServer, Ticker, Clock]]:
    clock = Clock()
    ticker = Ticker(clock=clock, period=PERIOD)
    with LoopbackServer(fixture_site, ticker=ticker) as server:
        yield server, ticker, clock


def html_pages(server: LoopbackServer, site: FixtureSite) -> list[str]:
    """The HTML pages the server sent with a 200 since its log was cleared (each shows a ticker)."""
    pages = []
    for record in server.requests:
        page = site.get(record.path, record.query)
        if record.status == 200 and page is not None and page.content_type.startswith("text/html"):
            pages.append(f"{server.root}{record.path}")
    return pages


def crawled(server: LoopbackServer, data_dir: Path) -> None:
    server.clear_requests()
    done = crawl(server.root, data_dir)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Traceback" not in done.stderr, done.stderr[-3000:]


def table(data_dir: Path) -> dict[str, dict[str, Any]]:
    db = sqlite3.connect(store_path(data_dir))
    db.row_factory = sqlite3.Row
    return {row["text"]: dict(row) for row in db.execute("SELECT * FROM breaking")}


def nulls(row: dict[str, str]) -> dict[str, None]:
    """CSV writes null as an empty cell; JSON keeps it null."""
    return {name: None for name, value in row.items() if value == ""}


def runs(data_dir: Path) -> list[tuple[str, str, str]]:
    db = sqlite3.connect(store_path(data_dir))
    return list(db.execute("SELECT run_id, started_at, finished_at FROM runs ORDER BY run_id"))


def test_repeated_crawls_record_each_line_once_with_when_and_where_it_was_seen(
    ticking: tuple[LoopbackServer, Ticker, Clock], fixture_site: FixtureSite, tmp_path: Path
) -> None:
    server, ticker, clock = ticking
    crawled(server, tmp_path)
    pages_1 = html_pages(server, fixture_site)
    clock.now = PERIOD  # the next bucket: one line goes, one comes
    crawled(server, tmp_path)
    pages_2 = html_pages(server, fixture_site)
    (run_1, start_1, end_1), (run_2, start_2, end_2) = runs(tmp_path)
    shown_1, shown_2 = set(ticker.shown(0)), set(ticker.shown(1))
    assert len(shown_1 & shown_2) == 3
    assert pages_1
    assert pages_2

    rows = table(tmp_path)
    assert set(rows) == shown_1 | shown_2
    for text, row in rows.items():
        assert row["attribution"] == ATTRIBUTIONS[text]
        assert row["origin"] == "site"
        assert start_1 <= row["first_seen_at"] <= row["last_seen_at"] <= end_2
        if text in shown_1:  # first seen in the first crawl, on one of its pages
            assert (row["run_id"], row["first_seen_on"] in pages_1) == (run_1, True)
            assert row["first_seen_at"] <= end_1
        else:
            assert (row["run_id"], row["first_seen_on"] in pages_2) == (run_2, True)
            assert row["first_seen_at"] >= start_2
        if text in shown_2:  # still shown: last seen in the second crawl
            assert row["last_seen_at"] >= start_2
        else:
            assert row["last_seen_at"] <= end_1
        expected = len(pages_1) * (text in shown_1) + len(pages_2) * (text in shown_2)
        assert row["times_seen"] == expected, text

    # Each run's breaking feed: the lines it saw first, in both formats, named in its manifest.
    for run_id, new in ((run_1, shown_1), (run_2, shown_2 - shown_1)):
        manifest = json.loads((tmp_path / "runs" / f"{run_id}.json").read_text())
        feeds = [tmp_path / "feeds" / f"breaking-{run_id}.{ext}" for ext in ("csv", "jsonl.gz")]
        assert manifest["outputs"]["breaking_feeds"] == [str(path) for path in feeds]
        listed = list(csv.DictReader(feeds[0].open(encoding="utf-8", newline="")))
        assert {row["text"] for row in listed} == new
        assert [row["first_seen_at"] for row in listed] == sorted(
            r["first_seen_at"] for r in listed
        )
        lines = [json.loads(line) for line in gzip.decompress(feeds[1].read_bytes()).splitlines()]
        assert lines == [
            {**row, "times_seen": int(row["times_seen"])} | nulls(row) for row in listed
        ]
    assert not list((tmp_path / "feeds").glob("*.partial"))

    db = sqlite3.connect(store_path(tmp_path))
    bodies = " ".join(
        " ".join(str(v) for v in row)
        for row in db.execute("SELECT title, summary, body, source FROM articles")
    )
    assert db.execute("SELECT count(*) FROM articles").fetchone()[0] > 20
    for text in rows:
        assert text.partition(": ")[2] not in bodies
