"""Helpers for the ``scrapy merge`` tests: running the command, reading a store as it is."""

import hashlib
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

from tests.conftest import run


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
