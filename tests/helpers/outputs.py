"""Reading what a run left in its data directory: the store, the feeds, the run manifests."""

import csv
import json
import sqlite3
from collections import Counter
from pathlib import Path
from typing import Any


def stored(data_dir: Path) -> dict[str, dict[str, Any]]:
    """The store's rows by URL, read as an analyst would."""
    with sqlite3.connect(data_dir / "articles.sqlite") as db:
        db.row_factory = sqlite3.Row
        return {row["url"]: dict(row) for row in db.execute("SELECT * FROM articles")}


def exported(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines()]


def owed_rows(data_dir: Path) -> dict[str, tuple[str, int]]:
    with sqlite3.connect(data_dir / "articles.sqlite") as db:
        return {
            url: (reason, attempts)
            for url, reason, attempts in db.execute("SELECT url, reason, attempts FROM owed")
        }


def committed_feed_urls(data_dir: Path) -> Counter[str]:
    """How many complete (final-named) per-run feeds list each URL."""
    listed: Counter[str] = Counter()
    for feed in (data_dir / "feeds").glob("articles-*.csv"):
        with feed.open(encoding="utf-8", newline="") as rows:
            listed.update(row["url"] for row in csv.DictReader(rows))
    return listed


def feed_urls(data_dir: Path, runs: set[str] | None = None) -> list[str]:
    """The URLs of every per-run feed in ``data_dir`` (or of the feeds of ``runs``)."""
    urls = []
    for feed in (data_dir / "feeds").glob("articles-*.csv"):
        if runs is None or feed.stem.removeprefix("articles-") in runs:
            urls += [row["url"] for row in csv.DictReader(feed.open(encoding="utf-8"))]
    return urls


def manifests(data_dir: Path) -> list[dict[str, Any]]:
    """Every run's manifest in ``data_dir``, in the order the runs started (their ids sort so)."""
    return [
        json.loads(path.read_text("utf-8"))
        for path in sorted((data_dir / "runs").glob("*.json"), key=lambda path: path.stem)
    ]


def manifest(data_dir: Path) -> dict[str, Any]:
    """The latest run's manifest."""
    return manifests(data_dir)[-1]


def run_stats(data_dir: Path) -> Counter[str]:
    """The latest run's Scrapy stats, from its manifest: 0 for a counter that never happened."""
    return stats_of(manifest(data_dir))


def stats_of(record: dict[str, Any]) -> Counter[str]:
    """A manifest's Scrapy stats, 0 for a counter that never happened."""
    return Counter(record["stats"])
