"""The ``breaking`` table through the real store: one row per line, sightings extending it, an
earlier sighting moving its first one, the full-text index, and the migration of an older store."""

import sqlite3
from pathlib import Path

from scrapy.http import HtmlResponse, Request

from mayadeen.middlewares.ticker import sighting
from mayadeen.store import SCHEMA_VERSION, Store
from mayadeen.store.breaking import (
    Sighting,
    all_lines,
    lines_of_run,
    merge_from,
    record_sighting,
)
from mayadeen.webarchives.captures import ORIGIN_META, Capture

HOME = "http://127.0.0.1:8123/"
LISTING = "http://127.0.0.1:8123/news/politics"


def rows(store: Store) -> dict[str, dict[str, object]]:
    return {line["text"]: line for line in all_lines(store.db)}


def test_a_line_seen_again_is_one_row_seen_longer(tmp_path: Path) -> None:
    with Store.open(tmp_path / "s.sqlite") as store:
        first = [("Israeli media: Sirens sound", "Israeli media"), ("Trump says no", None)]
        record_sighting(store.db, first, Sighting(HOME, "2026-01-01T10:00:00+00:00", "site"), "R1")
        later = Sighting(LISTING, "2026-01-01T10:05:00+00:00", "site")
        record_sighting(store.db, first[:1], later, "R2")
        lines = rows(store)
        assert lines["Israeli media: Sirens sound"] == {
            "text": "Israeli media: Sirens sound",
            "attribution": "Israeli media",
            "first_seen_at": "2026-01-01T10:00:00+00:00",
            "last_seen_at": "2026-01-01T10:05:00+00:00",
            "times_seen": 2,
            "first_seen_on": HOME,
            "run_id": "R1",
            "origin": "site",
        }
        assert lines["Trump says no"]["times_seen"] == 1
        assert lines["Trump says no"]["last_seen_at"] == "2026-01-01T10:00:00+00:00"
        assert lines_of_run(store.db, "R1") == 2
        assert lines_of_run(store.db, "R2") == 0


def test_an_earlier_capture_moves_the_first_sighting_and_keeps_the_run(tmp_path: Path) -> None:
    with Store.open(tmp_path / "s.sqlite") as store:
        line = [("Israeli media: Sirens sound", "Israeli media")]
        record_sighting(store.db, line, Sighting(HOME, "2026-01-01T10:00:00+00:00", "site"), "R1")
        archived = Sighting("http://127.0.0.1:8123", "2025-12-31T23:00:00+00:00", "wayback")
        record_sighting(store.db, line, archived, "R2")
        (row,) = rows(store).values()
        assert row["first_seen_at"] == "2025-12-31T23:00:00+00:00"
        assert row["first_seen_on"] == "http://127.0.0.1:8123"
        assert row["origin"] == "wayback"
        assert row["last_seen_at"] == "2026-01-01T10:00:00+00:00"
        assert row["run_id"] == "R1", "the run that recorded it first (its feed lists it)"


def test_lines_are_searchable_by_text_and_attribution(tmp_path: Path) -> None:
    with Store.open(tmp_path / "s.sqlite") as store:
        lines = [
            ("Local sources in Aleppo: Violent clashes erupt", "Local sources in Aleppo"),
            ("Al Mayadeen's correspondent: A drone strike on Ḥula", "Al Mayadeen's correspondent"),
        ]
        record_sighting(store.db, lines, Sighting(HOME, "2026-01-01T10:00:00+00:00", "site"), "R")

        def search(query: str) -> list[str]:
            found = store.db.execute(
                "SELECT text FROM breaking WHERE id IN "
                "(SELECT rowid FROM breaking_fts WHERE breaking_fts MATCH ?)",
                (query,),
            )
            return [text for (text,) in found]

        assert search("clashes") == [lines[0][0]]
        assert search('attribution:"correspondent"') == [lines[1][0]]
        assert search("hula") == [lines[1][0]], "diacritics folded, as for the articles"


def test_a_store_of_schema_7_gains_the_table(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    with Store.open(path):
        pass
    db = sqlite3.connect(path)
    for name in ("breaking_fts", "breaking", "near_duplicates", "article_signatures"):
        db.execute(f"DROP TABLE {name}")
    db.execute("PRAGMA user_version = 7")
    db.commit()
    db.close()
    with Store.open(path) as store:
        assert store.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        line = [("Yemeni Armed Forces: A statement", "Yemeni Armed Forces")]
        record_sighting(store.db, line, Sighting(HOME, "2026-01-01T10:00:00+00:00", "site"), "R")
        assert store.db.execute("SELECT count(*) FROM breaking_fts").fetchone() == (1,)


def test_a_page_read_from_an_archive_is_seen_at_its_capture_time() -> None:
    capture = Capture("wayback", LISTING, LISTING, "20240102030405")
    request = Request(
        "http://web.archive.test/web/20240102030405id_/x", meta={ORIGIN_META: capture}
    )
    response = HtmlResponse(LISTING, body=b"<html></html>", request=request)
    assert sighting(request, response, "2026-01-01T00:00:00+00:00") == Sighting(
        LISTING, "2024-01-02T03:04:05+00:00", "wayback"
    )
    plain = Request(LISTING)
    assert sighting(plain, response, "2026-01-01T00:00:00+00:00") == Sighting(
        LISTING, "2026-01-01T00:00:00+00:00", "site"
    )


def test_a_merge_keeps_one_row_per_line_from_the_first_sighting_to_the_last(
    tmp_path: Path,
) -> None:
    line = ("Israeli media: Sirens sound", "Israeli media")
    other = ("Trump says no", None)
    with Store.open(tmp_path / "src.sqlite") as source:
        record_sighting(
            source.db, [line, other], Sighting(HOME, "2026-01-01T09:00:00+00:00", "site"), "S"
        )
        record_sighting(source.db, [line], Sighting(HOME, "2026-01-01T09:30:00+00:00", "site"), "S")
    with Store.open(tmp_path / "main.sqlite") as target:
        record_sighting(
            target.db, [line], Sighting(LISTING, "2026-01-01T10:00:00+00:00", "site"), "T"
        )
        target.commit()
        db = target.db
        db.create_function("merged_run", 1, lambda run: run and f"{run}-merged")
        db.execute("ATTACH DATABASE ? AS src", (str(tmp_path / "src.sqlite"),))
        for _ in range(2):  # merging the same source again changes nothing
            merge_from(db)
        lines = rows(target)
    assert lines[line[0]] == {
        "text": line[0],
        "attribution": "Israeli media",
        "first_seen_at": "2026-01-01T09:00:00+00:00",
        "last_seen_at": "2026-01-01T10:00:00+00:00",
        "times_seen": 2,
        "first_seen_on": HOME,
        "run_id": "T",
        "origin": "site",
    }
    assert lines[other[0]]["run_id"] == "S-merged"
