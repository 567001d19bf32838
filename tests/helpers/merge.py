"""Helpers for the ``scrapy merge`` tests: running the command, reading a store as it is."""

import hashlib
import json
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

from tests.helpers.runs import run


def merge(
    root: str, target: Path, *sources: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return run(
        "scrapy",
        "merge",
        "-s",
        f"MAYADEEN_BASE_URL={root}",
        *map(str, sources),
        env={"MAYADEEN_DATA_DIR": str(target), **(env or {})},
    )


def merged(root: str, target: Path, *sources: Path) -> subprocess.CompletedProcess[str]:
    done = merge(root, target, *sources)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Traceback" not in done.stderr, done.stderr[-3000:]
    return done


def rows(data_dir: Path, query: str, *parameters: Any) -> list[tuple[Any, ...]]:
    db = sqlite3.connect(f"{(data_dir / 'articles.sqlite').as_uri()}?mode=ro", uri=True)
    try:
        return db.execute(query, parameters).fetchall()
    finally:
        db.close()


def dump(data_dir: Path) -> list[str]:
    """Every row of every table, and the schema version: the store as a whole."""
    db = sqlite3.connect(f"{(data_dir / 'articles.sqlite').as_uri()}?mode=ro", uri=True)
    try:
        return [*db.iterdump(), str(db.execute("PRAGMA user_version").fetchone()[0])]
    finally:
        db.close()


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def check_reextract_equals_the_store(root: str, data_dir: Path) -> None:
    """``scrapy reextract`` over a merged store reads every article's page and finds each as
    stored."""
    compared = "SELECT url, title, body, content_hash, modified_at, tags FROM articles ORDER BY url"
    before = rows(data_dir, compared)
    done = run(
        "scrapy",
        "reextract",
        "-s",
        f"MAYADEEN_BASE_URL={root}",
        env={"MAYADEEN_DATA_DIR": str(data_dir)},
    )
    assert done.returncode == 0, done.stderr[-3000:]
    [manifest] = [
        json.loads(path.read_text())
        for path in (data_dir / "runs").glob("*.json")
        if json.loads(path.read_text())["close_reason"] == "reextracted"
    ]
    pages = sum(manifest["reextract"]["pages"].values())
    assert pages == len(before), "every page of both stores read"
    assert manifest["articles"]["unchanged"] == len(before)
    assert manifest["articles"]["new"] == manifest["articles"]["updated"] == 0
    assert rows(data_dir, compared) == before


def assert_captures_name_their_urls(data_dir: Path) -> None:
    """Every ``capture_id`` of an article or a version names a capture of that article's URL."""
    for table in ("articles", "article_versions"):
        assert rows(
            data_dir,
            f"SELECT count(*) FROM {table} a LEFT JOIN captures c ON c.id = a.capture_id "  # noqa: S608
            "WHERE c.url IS NOT a.url",
        ) == [(0,)], f"every {table}.capture_id names a capture of its URL"
