"""End to end: ``scrapy reextract`` as a batch job. Its output is the same row for row whatever
``--jobs``, and it rebuilds the ``breaking`` table from the archive: two crawls a ticker bucket
apart, their lines deleted, and the re-extraction gives the table back line by line."""

import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from mayadeen.loopback import FixtureSite, LoopbackServer
from mayadeen.loopback.ticker import Ticker
from mayadeen.store import store_path
from tests.helpers.runs import crawl, reextract
from tests.helpers.ticker import PERIOD, Clock

BREAKING = "text, attribution, first_seen_at, last_seen_at, times_seen, first_seen_on, origin"
RUN_TIMES = {
    "first_seen_at",
    "last_seen_at",
    "changed_at",
    "superseded_at",
    "quarantined_at",
    "found_at",
}
"""Columns the store fills with the time of the run that wrote the row: not the output's."""
COMPARED = (
    "articles",
    "article_versions",
    "article_tags",
    "aliases",
    "quarantine",
    "captures",
    # Signed in the workers with --jobs 2, by the writer with --jobs 1: the same.
    "article_signatures",
    "near_duplicates",
)


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """Two crawls of the fixture site a ticker bucket apart, every page archived."""
    data = tmp_path_factory.mktemp("crawled")
    clock = Clock()
    with LoopbackServer(FixtureSite(), ticker=Ticker(clock=clock, period=PERIOD)) as server:
        for bucket in (0, 1):
            clock.now = bucket * PERIOD
            done = crawl(server.root, data, "-s", "MAYADEEN_ARCHIVE_DISCOVERY=True")
            assert done.returncode == 0, done.stderr[-3000:]
        yield server.root, data


def breaking(data: Path) -> list[tuple[Any, ...]]:
    with sqlite3.connect(store_path(data)) as db:
        return list(db.execute(f"SELECT {BREAKING} FROM breaking ORDER BY text"))  # noqa: S608


def output(data: Path) -> dict[str, list[tuple[Any, ...]]]:
    """The tables a re-extraction writes, without the run's own ids and times."""
    with sqlite3.connect(store_path(data)) as db:
        tables = {}
        for table in COMPARED:
            columns = [row[1] for row in db.execute(f"PRAGMA table_info({table})")]
            kept = [c for c in columns if c not in RUN_TIMES and c != "run_id"]
            query = f"SELECT {', '.join(kept)} FROM {table} ORDER BY 1, 2"  # noqa: S608
            tables[table] = list(db.execute(query))
        tables["breaking"] = breaking(data)
        return tables


def feeds(data: Path) -> list[bytes]:
    return [path.read_bytes() for path in sorted((data / "feeds").glob("articles-*.csv"))]


def copy(source: Path, target: Path) -> Path:
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("crawl.lock"))
    return target


def test_reextract_rebuilds_the_breaking_table_from_the_archive(
    crawled: tuple[str, Path], tmp_path: Path
) -> None:
    root, original = crawled
    data = copy(original, tmp_path / "data")
    before = breaking(data)
    assert len(before) == 5, "four lines a bucket, one changed between the crawls"
    with sqlite3.connect(store_path(data)) as db:
        db.execute("DELETE FROM breaking")

    done = reextract(root, data, "--jobs", "2")
    assert done.returncode == 0, done.stderr[-3000:]
    assert breaking(data) == before, "every line, first and last seen, times seen"

    again = reextract(root, data)  # read again, nothing counted twice
    assert again.returncode == 0, again.stderr[-3000:]
    assert breaking(data) == before


@pytest.mark.parametrize("source", ["archive", "from"])
def test_reextract_writes_the_same_rows_whatever_the_jobs(
    crawled: tuple[str, Path], tmp_path: Path, source: str
) -> None:
    root, original = crawled
    results = []
    for jobs in ("1", "2"):
        if source == "archive":  # over the crawled store: every article unchanged
            data = copy(original, tmp_path / f"jobs-{jobs}")
            done = reextract(root, data, "--jobs", jobs)
        else:  # into an empty data dir: every article new, every capture indexed
            data = tmp_path / f"jobs-{jobs}"
            warcs = sorted(str(p) for p in (original / "archive").glob("*.warc.gz"))
            done = reextract(root, data, "--jobs", jobs, "--from", *warcs)
        assert done.returncode == 0, done.stderr[-3000:]
        results.append((output(data), feeds(data), done.stdout))
    (rows_1, feeds_1, printed_1), (rows_2, feeds_2, printed_2) = results
    assert rows_1["articles"], "articles were stored"
    assert rows_1 == rows_2
    assert feeds_1 == feeds_2
    assert printed_1.splitlines()[1:] == printed_2.splitlines()[1:], "the per-field report"
