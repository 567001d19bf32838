"""``scrapy merge`` over stores built by real crawls of the loopback site, through the real
command: versions, captures and their WARC files, the ledger, the full-text index, merging again,
the order of the sources, re-extraction, the next crawl, an older schema, runs of the same second.
"""

import json
import shutil
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from mayadeen.loopback import GeneratedSite, LoopbackServer
from mayadeen.loopback.catalog import Page
from mayadeen.store import store_path
from mayadeen.warc.scanning import scan
from tests.helpers.merge import (
    assert_captures_name_their_urls,
    check_reextract_equals_the_store,
    digest,
    dump,
    merged,
    rows,
)
from tests.helpers.runs import crawl
from tests.helpers.search import assert_search_whole


class MissingPages:
    """The generated site answering 404 for some article pages."""

    def __init__(self, inner: GeneratedSite, missing: set[str]) -> None:
        self.inner = inner
        self.missing = missing

    def get(self, raw_path: str, query: str = "") -> Page | None:
        if raw_path.rstrip("/") in self.missing:
            return Page(b"<html><body>Not found</body></html>", status=404)
        return self.inner.get(raw_path, query)


@dataclass
class Crawled:
    server: LoopbackServer
    site: GeneratedSite
    first: Path
    """All articles but two pages answering 404 (``owed``)."""
    second: Path
    """Later, after three articles were edited: those, five unchanged, and one of the owed."""
    edited: set[str]
    settled: str
    owed: str

    @property
    def root(self) -> str:
        return self.server.root

    def url(self, path: str) -> str:
        return f"{self.root}{path}"


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Crawled]:
    site = GeneratedSite(24, seed=16)
    paths = [article.path for article in site.articles]
    settled, owed = paths[10], paths[11]
    base = tmp_path_factory.mktemp("merge")
    with LoopbackServer(MissingPages(site, {settled, owed})) as server:
        first, second = base / "first", base / "second"
        done = crawl(server.root, first, "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=8")
        assert "Traceback" not in done.stderr, done.stderr[-3000:]
        edits = frozenset(a.index for p in paths[:3] if (a := site.article(p)) is not None)
        server.site = MissingPages(site.with_edits(edits), {owed})
        urls = ",".join([*paths[:8], settled])
        done = crawl(
            server.root, second, "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=8", "-a", f"urls={urls}"
        )
        assert done.returncode == 0, done.stderr[-3000:]
        yield Crawled(server, site, first, second, set(paths[:3]), settled, owed)


def test_two_crawled_stores_merge_into_every_article_once_with_its_versions_captures_and_ledger(
    crawled: Crawled, tmp_path: Path
) -> None:
    first, second = crawled.first, crawled.second
    owed_first = {url for (url,) in rows(first, "SELECT url FROM owed")}
    assert owed_first == {crawled.url(crawled.settled), crawled.url(crawled.owed)}
    sources = {path: digest(store_path(path)) for path in (first, second)}
    target = tmp_path / "merged"

    done = merged(crawled.root, target, first, second)

    [manifest_file] = (target / "merges").glob("*.json")
    manifest = json.loads(manifest_file.read_text())
    assert [s["articles"] for s in manifest["sources"]] == [
        {"new": 22, "newer": 0, "older": 0, "same": 0},
        {"new": 1, "newer": 3, "older": 0, "same": 5},
    ]
    # The first crawl archived the two 404 answers too; the second, the one of them.
    assert [s["captures"] for s in manifest["sources"]] == [24, 9]
    assert len(done.stdout.strip().splitlines()) == 3, "a line per source and the manifest's"
    assert {path: digest(store_path(path)) for path in sources} == sources, "sources untouched"

    every = {crawled.url(a.path) for a in crawled.site.articles} - {crawled.url(crawled.owed)}
    assert sorted(url for (url,) in rows(target, "SELECT url FROM articles")) == sorted(every)
    assert_captures_name_their_urls(target)
    for (name,) in rows(target, "SELECT DISTINCT warc_file FROM captures"):
        assert (target / "archive" / name).is_file()
    # The edited articles: the second crawl's version is the row, the first's a version.
    edited = {crawled.url(path) for path in crawled.edited}
    newest = dict(rows(second, "SELECT url, content_hash FROM articles"))
    oldest = dict(rows(first, "SELECT url, content_hash FROM articles"))
    for url, content_hash, version in rows(
        target, "SELECT url, content_hash, version FROM articles"
    ):
        assert content_hash == newest.get(url, oldest.get(url))
        assert version == (2 if url in edited else 1)
    assert rows(
        target, "SELECT url, version, content_hash FROM article_versions ORDER BY url"
    ) == sorted((url, 1, oldest[url]) for url in edited)
    # The ledger: what the second crawl stored is settled, what neither stored stays owed.
    assert rows(target, "SELECT url FROM owed") == [(crawled.url(crawled.owed),)]
    assert len(rows(target, "SELECT run_id FROM runs")) == 2
    # The full-text index answers as if crawled.
    assert_search_whole(target)
    db = sqlite3.connect(store_path(target))
    db.execute("INSERT INTO articles_fts (articles_fts, rank) VALUES ('integrity-check', 1)")
    for rowid, title in db.execute("SELECT rowid, title FROM articles").fetchall():
        phrase = '"' + title.replace('"', " ") + '"'
        found = [
            r
            for (r,) in db.execute(
                "SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?", (phrase,)
            )
        ]
        assert rowid in found, title
    db.close()

    before = dump(target)
    again = merged(crawled.root, target, second, first)
    assert dump(target) == before, "merging again changes nothing"
    assert "0 new, 0 newer" in again.stdout

    # The other order gives the same articles, versions and ledger.
    other = tmp_path / "other"
    merged(crawled.root, other, second, first)
    [figures] = [json.loads(p.read_text()) for p in (other / "merges").glob("*.json")]
    assert figures["sources"][1]["captures_renumbered"] > 0, "the older captures came second"
    query = (
        "SELECT url, version, content_hash, first_seen_at, last_seen_at, changed_at FROM articles "
        "UNION ALL SELECT url, version, content_hash, first_seen_at, superseded_at, changed_at "
        "FROM article_versions UNION ALL SELECT url, reason, attempts, first_owed_at, '', '' "
        "FROM owed ORDER BY 1, 2"
    )
    assert rows(other, query) == rows(target, query)
    check_reextract_equals_the_store(crawled.root, other)

    # The next crawl of the merged store fetches the article still owed, and no settled one.
    crawled.server.site = crawled.site.with_edits(
        frozenset(a.index for p in crawled.edited if (a := crawled.site.article(p)) is not None)
    )
    crawled.server.clear_requests()
    done = crawl(crawled.root, target, "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=8")
    assert done.returncode == 0, done.stderr[-3000:]
    articles = {a.path for a in crawled.site.articles}
    fetched = [r.path for r in crawled.server.requests if r.path.rstrip("/") in articles]
    assert fetched == [crawled.owed]
    assert rows(target, "SELECT count(*) FROM owed") == [(0,)]


def test_a_store_of_an_older_schema_is_merged_from_a_migrated_copy_and_left_as_it_was(
    crawled: Crawled, tmp_path: Path
) -> None:
    old = tmp_path / "old"
    old.mkdir()
    with (
        sqlite3.connect(store_path(crawled.second)) as source,
        sqlite3.connect(store_path(old)) as copy,
    ):
        source.backup(copy)
    with sqlite3.connect(store_path(old)) as db:  # back to schema 5: no full-text index
        db.execute("DROP TABLE forbidden")  # nor the tables of later migrations
        db.execute("DROP TABLE near_duplicates")
        db.execute("DROP TABLE article_signatures")
        for (name,) in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger'"
        ).fetchall():
            db.execute(f"DROP TRIGGER {name}")
        db.execute("DROP TABLE articles_fts")
        db.execute("DROP TABLE breaking_fts")
        db.execute("DROP TABLE breaking")
        db.execute("PRAGMA user_version = 5")
    (old / "archive").symlink_to(crawled.second / "archive")
    before = digest(store_path(old))

    merged(crawled.root, tmp_path / "target", old)

    assert digest(store_path(old)) == before
    assert rows(old, "PRAGMA user_version") == [(5,)]
    target = tmp_path / "target"
    assert rows(target, "SELECT count(*) FROM articles") == [(9,)]
    assert rows(target, "SELECT count(*) FROM articles_fts") == [(9,)]
    db = sqlite3.connect(store_path(target))
    db.execute("INSERT INTO articles_fts (articles_fts, rank) VALUES ('integrity-check', 1)")
    db.close()


def twin(crawled: Crawled, destination: Path) -> Path:
    """The second crawl's data directory as if its run had started in the same second as the
    first's, on another machine: the same run id, a WARC file of the same name."""
    shutil.copytree(crawled.second, destination)
    [(first_run,)] = rows(crawled.first, "SELECT run_id FROM runs")
    [(ours,)] = rows(destination, "SELECT run_id FROM runs")
    [(first_file,)] = rows(crawled.first, "SELECT DISTINCT warc_file FROM captures")
    [(our_file,)] = rows(destination, "SELECT DISTINCT warc_file FROM captures")
    (destination / "archive" / our_file).rename(destination / "archive" / first_file)
    with sqlite3.connect(store_path(destination)) as db:
        for table in ("runs", "captures", "quarantine", "owed", "article_origins", "feed_owed"):
            db.execute(f"UPDATE {table} SET run_id = ? WHERE run_id = ?", (first_run, ours))  # noqa: S608
        db.execute("UPDATE captures SET warc_file = ?", (first_file,))
    return destination


def test_runs_of_the_same_second_on_two_machines_keep_apart_with_their_files(
    crawled: Crawled, tmp_path: Path
) -> None:
    second = twin(crawled, tmp_path / "twin")
    target = tmp_path / "target"
    merged(crawled.root, target, crawled.first, second)

    [(first_run,)] = rows(crawled.first, "SELECT run_id FROM runs")
    assert rows(target, "SELECT run_id FROM runs ORDER BY run_id") == [
        (first_run,),
        (f"{first_run}_2",),
    ]
    [(name,)] = rows(second, "SELECT DISTINCT warc_file FROM captures")
    renamed = name.replace(".warc.gz", ".merged-2.warc.gz")
    assert sorted(rows(target, "SELECT DISTINCT warc_file, run_id FROM captures")) == sorted(
        [(name, first_run), (renamed, f"{first_run}_2")]
    )
    assert digest(target / "archive" / renamed) == digest(second / "archive" / name)
    records = {
        (file.name, record.offset): record.url
        for file in (target / "archive").iterdir()
        for record in scan(file)
    }
    for url, file, offset in rows(target, "SELECT url, warc_file, offset FROM captures"):
        assert records[(file, offset)] == url
    check_reextract_equals_the_store(crawled.root, target)


def test_a_source_whose_warc_files_are_missing_is_merged_and_says_so(
    crawled: Crawled, tmp_path: Path
) -> None:
    source = tmp_path / "source"
    shutil.copytree(crawled.second, source, ignore=shutil.ignore_patterns("archive"))
    done = merged(crawled.root, tmp_path / "target", source)
    assert "1 WARC files its captures name are missing" in done.stderr
    [manifest] = [json.loads(p.read_text()) for p in (tmp_path / "target" / "merges").iterdir()]
    assert manifest["sources"][0]["files"] == {"missing": 1}
    assert rows(tmp_path / "target", "SELECT count(*) FROM articles") == [(9,)]
