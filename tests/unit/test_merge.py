"""``scrapy merge``: every table has a merge rule, and the sources and targets it refuses, through
the real command (merges of crawled stores: ``tests/e2e/test_merge_crawled.py``)."""

import sqlite3
import subprocess
from pathlib import Path

from mayadeen.store import SCHEMA_VERSION, Store, store_path
from mayadeen.store.files import DataDirLock
from mayadeen.store.ledger import Ledger
from mayadeen.store.merge import ORDER, RULES, store_tables
from mayadeen.store.schema import ensure_schema
from tests.helpers.merge import digest, merge, rows

ROOT = "http://127.0.0.1:8999"


def test_every_table_of_the_schema_has_a_merge_rule() -> None:
    db = sqlite3.connect(":memory:")
    ensure_schema(db)
    tables = store_tables(db)
    assert "articles" in tables
    assert "articles_fts_data" not in tables, "FTS5's shadow tables follow their index"
    missing = sorted(set(tables) - set(RULES))
    assert not missing, f"tables without a merge rule (mayadeen/store/merge RULES): {missing}"
    assert sorted(set(RULES) - set(tables)) == [], "rules for tables the schema does not have"
    assert set(RULES.values()) <= set(ORDER), "every rule names a step that runs"


def a_store(data_dir: Path, root: str = ROOT, version: int | None = None) -> Path:
    with Store.open(store_path(data_dir)) as store:
        Ledger(store).bind_site(root)
    if version is not None:
        with sqlite3.connect(store_path(data_dir)) as db:
            db.execute(f"PRAGMA user_version = {version}")
    return data_dir


def refused(done: subprocess.CompletedProcess[str], status: int, *words: str) -> None:
    assert done.returncode == status, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("merge: "), lines
    assert all(word in lines[0] for word in words), lines[0]


def test_a_source_that_cannot_be_merged_is_refused_in_one_line_before_anything_is_written(
    tmp_path: Path,
) -> None:
    target = tmp_path / "target"
    newer = a_store(tmp_path / "newer", version=SCHEMA_VERSION + 1)
    other = a_store(tmp_path / "other", root="https://example.org")
    good = a_store(tmp_path / "good")
    before = digest(store_path(newer))
    refused(merge(ROOT, target, good, newer), 2, str(newer), "upgrade mayadeen")
    refused(merge(ROOT, target, other), 2, "https://example.org", "one site")
    refused(merge(ROOT, target, tmp_path / "nowhere"), 2, "no such directory")
    refused(merge(ROOT, good, good), 2, "MAYADEEN_DATA_DIR itself")
    assert not target.exists(), "nothing written for a refused merge"
    assert digest(store_path(newer)) == before


def test_a_target_another_crawl_holds_is_refused(tmp_path: Path) -> None:
    source, target = a_store(tmp_path / "source"), a_store(tmp_path / "target")
    lock = DataDirLock(target)
    lock.acquire()
    try:
        refused(merge(ROOT, target, source), 1, "another crawl is using")
    finally:
        lock.release()
    assert rows(target, "SELECT count(*) FROM runs") == [(0,)]


def test_what_robots_txt_forbade_is_merged_by_the_latest_robots_txt(tmp_path: Path) -> None:
    """A URL forbidden in either store stays forbidden in the merge (not owed, not refetched),
    under the robots.txt that forbade it last."""
    first, second = a_store(tmp_path / "first"), a_store(tmp_path / "second")
    for data_dir, rows_ in (
        (first, [("/a", "r1", "2026-01-01T00:00:00Z"), ("/b", "r1", "2026-01-01T00:00:00Z")]),
        (second, [("/b", "r2", "2026-02-01T00:00:00Z"), ("/c", "r2", "2026-02-01T00:00:00Z")]),
    ):
        with sqlite3.connect(store_path(data_dir)) as db:
            db.executemany(
                "INSERT INTO forbidden (url, robots, forbidden_at, run_id) VALUES (?, ?, ?, NULL)",
                [(f"{ROOT}{path}", robots, at) for path, robots, at in rows_],
            )
    target = tmp_path / "target"
    for _ in range(2):  # the same merge twice changes nothing
        done = merge(ROOT, target, second, first)
        assert done.returncode == 0, done.stderr
        assert rows(target, "SELECT url, robots FROM forbidden ORDER BY url") == [
            (f"{ROOT}/a", "r1"),
            (f"{ROOT}/b", "r2"),
            (f"{ROOT}/c", "r2"),
        ]
