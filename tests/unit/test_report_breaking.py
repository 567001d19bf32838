"""The report's BREAKING section on a store written through the store's own API: lines per UTC
day of first sighting by origin, the latest lines, and a store without lines or the table."""

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from parsel import Selector

from mayadeen.report import history, page
from mayadeen.store import Store
from mayadeen.store.breaking import Sighting, record_sighting

HOME = "http://127.0.0.1:8123/"


def _rendered(store_file: Path, runs: Path) -> Selector:
    with Store.open(store_file, readonly=True) as store:
        figures = history.read(store.db, runs, last_runs=30, days=30, top=5)
    return Selector(text=page.render(figures, data_dir="d", generated_at=datetime.now(UTC)))


def test_lines_per_day_by_origin_and_the_latest_lines(tmp_path: Path) -> None:
    with Store.open(tmp_path / "articles.sqlite") as store:
        day_one = Sighting(HOME, "2026-01-01T10:00:00+00:00", "site")
        record_sighting(
            store.db, [("Israeli media: A", "Israeli media"), ("B", None)], day_one, "R"
        )
        archived = Sighting(HOME, "2025-12-31T23:59:00+00:00", "wayback")
        record_sighting(store.db, [("C", None)], archived, "R")
        later = Sighting(HOME, "2026-01-02T08:00:00+00:00", "site")
        record_sighting(store.db, [("Israeli media: A", "Israeli media"), ("D", None)], later, "R")
        store.db.commit()
    doc = _rendered(tmp_path / "articles.sqlite", tmp_path / "runs")
    marks = {
        (m.attrib["data-category"], m.attrib["data-series"]): m.attrib["data-value"]
        for m in doc.css('svg[data-chart="breaking"] rect[data-value]')
    }
    assert marks == {
        ("2025-12-31", "wayback"): "1",
        ("2026-01-01", "site"): "2",
        ("2026-01-02", "site"): "1",
    }
    assert doc.css('span[data-figure="breaking-lines"]::text').get() == "4"
    assert doc.css('#breaking td[data-figure="line"]::text').getall() == [
        "D",
        "B",  # first seen with A, recorded after it
        "Israeli media: A",
        "C",
    ]


def test_a_store_without_lines_or_without_the_table_says_so(tmp_path: Path) -> None:
    Store.open(tmp_path / "articles.sqlite").close()
    doc = _rendered(tmp_path / "articles.sqlite", tmp_path / "runs")
    assert doc.css("#breaking .empty::text").get() == "No ticker line recorded."
    with sqlite3.connect(tmp_path / "articles.sqlite") as db:
        db.execute("DROP TABLE breaking")
    with sqlite3.connect(tmp_path / "articles.sqlite") as db:
        figures = history.read(db, tmp_path / "runs", last_runs=30, days=30, top=5)
    assert figures.breaking.lines == 0
