"""``scrapy export --breaking``'s writing, in process: the ticker's lines in each format, in the
table's columns, first seen first, and ``--changed-since`` keeping those last seen since then."""

import io
import sqlite3
from pathlib import Path

import pytest

from mayadeen.commands.export import export
from mayadeen.commands.export_rows import BREAKING
from mayadeen.store import Store, store_path
from mayadeen.store.breaking import COLUMNS, Sighting, record_sighting
from tests.helpers.exports import read_back

HOME = "http://127.0.0.1:8123/"
EARLY = Sighting(HOME, "2026-01-01T10:00:00+00:00", "site")
LATE = Sighting(HOME + "news/politics", "2026-01-03T09:00:00+00:00", "wayback")


def a_store_with_lines(data_dir: Path) -> None:
    with Store.open(store_path(data_dir)) as store:
        record_sighting(store.db, [("Israeli media: Sirens sound", "Israeli media")], EARLY, "R1")
        record_sighting(store.db, [("Trump says no", None)], LATE, "R2")
        store.db.commit()


@pytest.mark.parametrize("file_format", ["csv", "jsonl", "json", "jsonl.gz"])
def test_every_format_reads_back_the_lines_first_seen_first(
    tmp_path: Path, file_format: str
) -> None:
    a_store_with_lines(tmp_path)
    stream = io.BytesIO()
    assert export(store_path(tmp_path), stream, file_format, None, BREAKING) == 2
    first, second = read_back(stream.getvalue(), file_format)
    assert list(first) == list(COLUMNS)
    assert (first["text"], second["text"]) == ("Israeli media: Sirens sound", "Trump says no")
    assert first["attribution"] == "Israeli media"
    assert second["attribution"] in (None, "")  # CSV has no null
    assert (first["first_seen_at"], first["origin"]) == (EARLY.seen_at, "site")
    assert (second["first_seen_on"], second["run_id"]) == (LATE.page_url, "R2")
    assert int(second["times_seen"]) == 1


def test_changed_since_keeps_the_lines_last_seen_that_day_or_later(tmp_path: Path) -> None:
    a_store_with_lines(tmp_path)
    stream = io.BytesIO()
    assert export(store_path(tmp_path), stream, "jsonl", "2026-01-02", BREAKING) == 1
    (line,) = read_back(stream.getvalue(), "jsonl")
    assert line["text"] == "Trump says no"


def test_a_store_older_than_the_table_exports_no_line_and_is_no_damage(tmp_path: Path) -> None:
    Store.open(store_path(tmp_path)).close()
    with sqlite3.connect(store_path(tmp_path)) as db:
        for table in ("breaking_fts", "breaking"):  # a schema-8 store, read as it is
            db.execute(f"DROP TABLE {table}")
        db.execute("PRAGMA user_version = 8")
    stream = io.BytesIO()
    assert export(store_path(tmp_path), stream, "csv", None, BREAKING) == 0
    assert stream.getvalue().decode("utf-8").splitlines() == [",".join(COLUMNS)]
