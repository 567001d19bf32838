"""End to end: ``scrapy crawl articles`` into the store, the per-run feed and the quarantine."""

import csv
import json
import sqlite3
from pathlib import Path

from mayadeen.items import FIELD_NAMES, LIST_FIELDS
from mayadeen.loopback import GeneratedSite, LoopbackServer, load_fixtures
from mayadeen.store import Store, known_articles, last_finished_run, store_path
from tests.helpers.outputs import run_stats
from tests.helpers.runs import crawl, run
from tests.helpers.search import assert_search_whole

FIXTURES = load_fixtures()
ARTICLES = [f for f in FIXTURES if f.kind == "article"]
BROKEN = {"invalid-empty-body": ["missing:body"], "invalid-no-title": ["missing:title"]}


def crawled(root: str, data_dir: Path, paths: list[str], *options: str) -> str:
    done = crawl(root, data_dir, "-a", f"urls={','.join(paths)}", *options)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Traceback" not in done.stderr, done.stderr[-3000:]
    return done.stderr


def feed_rows(data_dir: Path) -> list[list[dict[str, str]]]:
    """Each run's feed rows, oldest run first."""
    feeds = sorted((data_dir / "feeds").glob("articles-*.csv"))
    return [list(csv.DictReader(feed.open(encoding="utf-8", newline=""))) for feed in feeds]


def test_a_crawl_fills_the_store_the_feed_and_the_quarantine_and_a_rerun_adds_nothing(
    fixture_server: LoopbackServer, tmp_path: Path
) -> None:
    paths = [f.path for f in FIXTURES]
    log = crawled(fixture_server.root, tmp_path, paths)
    stats = run_stats(tmp_path)
    assert stats["mayadeen/items/new"] == len(ARTICLES)
    assert stats["item_scraped_count"] == len(ARTICLES)
    assert stats["mayadeen/quarantine/items"] == len(BROKEN)
    for reasons in BROKEN.values():
        assert stats[f"mayadeen/quarantine/{reasons[0]}"] == 1
    assert log.count("Dropped: invalid article") == len(BROKEN)

    db = sqlite3.connect(store_path(tmp_path))
    with Store.open(store_path(tmp_path), readonly=True) as store:
        stored = {row["url"]: row for row in store.articles()}
    assert len(stored) == len(ARTICLES)
    (feed,) = feed_rows(tmp_path)
    assert len(feed) == len(ARTICLES)
    assert list(feed[0]) == list(FIELD_NAMES)
    for row in feed:
        in_store = stored[row["url"]]
        for name in LIST_FIELDS:
            assert json.loads(row[name]) == in_store[name]
        assert row["title"] == in_store["title"].lstrip("'")
        assert int(row["word_count"]) == in_store["word_count"]

    quarantined = {
        url.rsplit("/", 1)[1]: json.loads(reasons)
        for url, reasons in db.execute("SELECT url, reasons FROM quarantine")
    }
    by_slug = {f.path.rsplit("/", 1)[1]: BROKEN[f.name] for f in FIXTURES if f.name in BROKEN}
    assert quarantined == by_slug
    (jsonl,) = (tmp_path / "quarantine").glob("*.jsonl")
    assert sorted(json.loads(line)["reasons"] for line in jsonl.read_text().splitlines()) == sorted(
        BROKEN.values()
    )
    first_run = last_finished_run(store_path(tmp_path))
    assert first_run is not None
    assert jsonl.name == f"{first_run.run_id}.jsonl"

    log = crawled(fixture_server.root, tmp_path, paths)
    stats = run_stats(tmp_path)
    assert stats["mayadeen/items/unchanged"] == len(ARTICLES)
    assert stats["mayadeen/items/new"] == stats["mayadeen/items/updated"] == 0
    assert stats["item_scraped_count"] == len(ARTICLES), "-O/-o still get every article"
    assert db.execute("SELECT count(*) FROM articles").fetchone() == (len(ARTICLES),)
    assert [len(rows) for rows in feed_rows(tmp_path)] == [len(ARTICLES), 0]
    assert_search_whole(tmp_path)
    runs = db.execute("SELECT close_reason, items_new, items_unchanged FROM runs ORDER BY run_id")
    assert runs.fetchall() == [("finished", len(ARTICLES), 0), ("finished", 0, len(ARTICLES))]
    assert len(known_articles(store_path(tmp_path))) == len(ARTICLES)


def test_a_changed_article_is_updated_and_its_old_version_kept(
    server: LoopbackServer, small_site: GeneratedSite, tmp_path: Path
) -> None:
    articles = small_site.articles_by_index[:12]
    paths = [a.entry.path for a in articles]
    crawled(server.root, tmp_path, paths)
    db = sqlite3.connect(store_path(tmp_path))
    url, old_body, old_modified = db.execute(
        "SELECT url, body, modified_at FROM articles WHERE url LIKE ?", (f"%{paths[4]}",)
    ).fetchone()
    first_seen = db.execute("SELECT first_seen_at FROM articles WHERE url = ?", (url,)).fetchone()

    server.site = small_site.with_edits(frozenset({articles[4].index}))
    crawled(server.root, tmp_path, paths)
    stats = run_stats(tmp_path)
    assert stats["mayadeen/items/updated"] == 1
    assert stats["mayadeen/items/unchanged"] == len(paths) - 1
    body, modified, version = db.execute(
        "SELECT body, modified_at, version FROM articles WHERE url = ?", (url,)
    ).fetchone()
    assert body != old_body
    assert modified > old_modified
    assert version == 2
    assert (
        db.execute("SELECT first_seen_at FROM articles WHERE url = ?", (url,)).fetchone()
        == first_seen
    )
    assert db.execute("SELECT body, version FROM article_versions").fetchall() == [(old_body, 1)]
    assert [[row["url"] for row in rows] for rows in feed_rows(tmp_path)][1] == [url]
    assert known_articles(store_path(tmp_path))[url].modified_at == modified


def test_a_reader_holding_a_transaction_open_never_fails_the_crawl(
    server: LoopbackServer, small_site: GeneratedSite, tmp_path: Path
) -> None:
    paths = [a.entry.path for a in small_site.articles_by_index[:60]]
    crawled(server.root, tmp_path, paths[:10])
    reader = sqlite3.connect(store_path(tmp_path), timeout=5)
    reader.execute("BEGIN")
    assert reader.execute("SELECT count(*) FROM articles").fetchone() == (10,)
    crawled(server.root, tmp_path, paths, "-s", "MAYADEEN_STORE_BATCH_SIZE=7")
    stats = run_stats(tmp_path)
    assert stats["mayadeen/items/new"] == 50
    assert reader.execute("SELECT count(*) FROM articles").fetchone() == (10,), "its snapshot"
    reader.commit()
    assert reader.execute("SELECT count(*) FROM articles").fetchone() == (60,)
    reader.close()


def test_csv_output_option_writes_lists_as_json(
    fixture_server: LoopbackServer, tmp_path: Path
) -> None:
    article = next(f for f in ARTICLES if f.name == "article-belarusian-troops")
    crawled(fixture_server.root, tmp_path, [article.path], "-O", str(tmp_path / "out.csv"))
    (row,) = csv.DictReader((tmp_path / "out.csv").open(encoding="utf-8", newline=""))
    expected = article.expected()
    assert expected is not None
    assert list(row) == list(FIELD_NAMES)
    assert json.loads(row["tags"]) == expected["tags"]
    assert json.loads(row["authors"]) == expected["authors"]


def test_scrapy_export_writes_the_store_or_what_changed_since(
    fixture_server: LoopbackServer, tmp_path: Path
) -> None:
    crawled(fixture_server.root, tmp_path, [f.path for f in ARTICLES[:5]])
    env = {"MAYADEEN_DATA_DIR": str(tmp_path)}
    done = run("scrapy", "export", "-o", str(tmp_path / "all.jsonl"), env=env)
    assert done.returncode == 0, done.stderr
    rows = [json.loads(line) for line in (tmp_path / "all.jsonl").read_text("utf-8").splitlines()]
    assert len(rows) == 5
    assert all(list(row) == list(FIELD_NAMES) for row in rows)
    assert [row["published_at"] for row in rows] == sorted(row["published_at"] for row in rows)

    to_stdout = run("scrapy", "export", "--since", "2000-01-01", env=env)
    assert len(list(csv.DictReader(to_stdout.stdout.splitlines()))) == 5
    nothing = run("scrapy", "export", "--since", "2999-01-01", "--format", "jsonl", env=env)
    assert nothing.returncode == 0
    assert nothing.stdout == ""
    missing = run("scrapy", "export", env={"MAYADEEN_DATA_DIR": str(tmp_path / "none")})
    assert missing.returncode == 1
    assert "no store at" in missing.stderr


def test_a_store_that_cannot_be_opened_stops_the_run_before_anything_is_fetched(
    server: LoopbackServer, tmp_path: Path
) -> None:
    not_a_directory = tmp_path / "data"
    not_a_directory.write_text("a file where the data directory should be", encoding="utf-8")
    done = crawl(server.root, not_a_directory)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr, done.stderr[-3000:]
    assert done.stderr.rstrip().splitlines()[-1] == (
        f"mayadeen: cannot create the data directory {not_a_directory}: File exists: "
        "set MAYADEEN_DATA_DIR to a directory this user may write"
    )
    assert server.requests == [], "nothing is fetched that could not be kept"
