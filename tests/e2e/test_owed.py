"""End to end: what a run could not settle is owed to later runs, the incremental shortcuts rest on
what the store knows was covered, and a data directory a crawl cannot use is one line before
anything is fetched."""

import contextlib
import os
import shutil
import signal
import sqlite3
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from mayadeen.loopback import GeneratedSite, LoopbackServer
from mayadeen.store import Store
from mayadeen.store.files import DataDirLock
from tests.helpers.outputs import committed_feed_urls, manifest, owed_rows, run_stats, stored
from tests.helpers.runs import crawl, start_crawl, wait_for_rows
from tests.helpers.search import assert_search_whole
from tests.helpers.sites import article_urls, requested_paths

NO_RETRIES = ("-s", "RETRY_ENABLED=0")


def last_line(stderr: str) -> str:
    return stderr.rstrip().splitlines()[-1]


def the_one_line(stderr: str) -> str:
    """The one line of a refused start: the last, after Scrapy's start-up log, and no other
    error nor traceback."""
    assert "Traceback" not in stderr, stderr[-3000:]
    assert not [line for line in stderr.splitlines()[:-1] if " ERROR: " in line], stderr[-3000:]
    return last_line(stderr)


def test_old_articles_that_failed_once_are_fetched_by_the_next_incremental_run(
    tmp_path: Path,
) -> None:
    """The issue's case: articles deep in the listings and in old sitemap months failed in a run
    that otherwise finished; the next run's shortcuts would never reach them again."""
    small_site = GeneratedSite(300, seed=7, minutes_between=60 * 24 * 2)  # 20 monthly sitemaps
    oldest = small_site.articles[-5:]
    with LoopbackServer(small_site) as server:
        for article, fault in zip(
            oldest, ("status:500", "reset", "truncate", "status:503", "reset"), strict=True
        ):
            server.add_fault(f"{article.path}={fault}")
        # Due again at once (by default the first retry waits an hour).
        first = crawl(server.root, tmp_path, *NO_RETRIES, "-s", "MAYADEEN_OWED_RETRY_HOURS=0")
        assert first.returncode == 0, first.stderr[-3000:]  # 5 of 300: within the 10% limit
        failed = {f"{server.root}{a.path}" for a in oldest}
        assert set(owed_rows(tmp_path)) == failed
        assert {attempts for _, attempts in owed_rows(tmp_path).values()} == {1}
        assert (
            "owed: 5 failed in this run, 0 not found (404/410), 0 gone, 0 forbidden by "
            "robots.txt, 0 settled from earlier runs, 5 outstanding" in first.stderr
        )
        assert set(stored(tmp_path)) == article_urls(small_site, server.root) - failed

        server.clear_faults()
        server.clear_requests()
        second = crawl(server.root, tmp_path)
        second_stats = run_stats(tmp_path)
        assert second.returncode == 0, second.stderr[-3000:]
        requested = requested_paths(server)

    assert set(stored(tmp_path)) == article_urls(small_site, server.root)
    assert owed_rows(tmp_path) == {}
    assert second_stats["mayadeen/owed/settled"] == 5
    assert second_stats["mayadeen/discovery/owed/owed"] == 5
    assert all(requested.count(a.path) == 1 for a in oldest)
    assert len(requested) < 60, "an incremental run: the shortcuts still hold for the rest"


def test_a_run_that_reached_nothing_shortens_no_later_run(
    small_site: GeneratedSite, tmp_path: Path
) -> None:
    """The README's first command run offline: it is recorded as failed and covers nothing, so
    the next run reads every sitemap and listing to the end."""
    with LoopbackServer(small_site) as server:
        server.add_fault("/*=reset")
        offline = crawl(server.root, tmp_path, *NO_RETRIES)
        assert offline.returncode == 1
        assert "run failed: stored no article and hit" in last_line(offline.stderr)
        server.clear_faults()
        after = crawl(server.root, tmp_path)
    assert after.returncode == 0, after.stderr[-3000:]
    assert "nothing covered by an earlier run: full discovery" in after.stderr
    assert set(stored(tmp_path)) == article_urls(small_site, server.root)


def test_an_article_answering_404_twice_is_gone_and_no_run_fails_for_the_sites_answer(
    small_site: GeneratedSite, tmp_path: Path
) -> None:
    politics = [a for a in small_site.articles if a.path.startswith("/news/politics/")]
    share = len(politics) / len(small_site.articles)
    assert 0.1 < share < 0.5
    with LoopbackServer(small_site) as server:
        server.add_fault("/news/politics/*=status:404")
        first = crawl(server.root, tmp_path, *NO_RETRIES, "-s", "MAYADEEN_OWED_RETRY_HOURS=0")
        assert first.returncode == 0, first.stderr[-3000:]  # a 404 is the site's answer
        losses = next(c for c in manifest(tmp_path)["health"] if c["check"] == "losses")
        assert losses["status"] == "ok"
        assert losses["detail"] == (
            f"0 of {len(small_site.articles)} article fetches failed ({len(politics)} not found)"
        )
        assert f"0 failed in this run, {len(politics)} not found (404/410)" in first.stderr
        second = crawl(server.root, tmp_path, *NO_RETRIES, "-s", "MAYADEEN_OWED_RETRY_HOURS=0")
        second_stats = run_stats(tmp_path)
        assert second.returncode == 0, second.stderr[-3000:]
        server.clear_requests()
        third = crawl(server.root, tmp_path)
        requested = requested_paths(server)
    assert second_stats["mayadeen/owed/gone"] == len(politics)
    with sqlite3.connect(tmp_path / "articles.sqlite") as db:
        (gone,) = db.execute("SELECT count(*) FROM gone WHERE status = 404").fetchone()
    assert gone == len(politics)
    assert owed_rows(tmp_path) == {}
    assert not any(path in requested for path in (a.path for a in politics))
    assert third.returncode == 0, third.stderr[-3000:]


def test_a_run_losing_a_third_of_its_fetches_on_its_side_fails(
    small_site: GeneratedSite, tmp_path: Path
) -> None:
    politics = [a for a in small_site.articles if a.path.startswith("/news/politics/")]
    with LoopbackServer(small_site) as server:
        server.add_fault("/news/politics/*=status:503")  # failed after retries (none here)
        done = crawl(server.root, tmp_path, *NO_RETRIES)
    assert done.returncode == 1
    assert f"losses: {len(politics)} of {len(small_site.articles)} article fetches failed" in (
        done.stderr
    )
    assert "run failed: " in done.stderr


def test_a_data_directory_is_used_by_one_crawl_and_belongs_to_one_site(
    server: LoopbackServer, small_site: GeneratedSite, tmp_path: Path
) -> None:
    lock = DataDirLock(tmp_path)
    lock.acquire()
    try:
        held = crawl(server.root, tmp_path)
    finally:
        lock.release()
    assert held.returncode == 1
    assert the_one_line(held.stderr) == (
        f"mayadeen: another crawl is using {tmp_path} (pid {os.getpid()}): wait "
        "for it to end, or give this one another MAYADEEN_DATA_DIR"
    )
    assert server.requests == []

    assert crawl(server.root, tmp_path, "-a", "max_articles=3").returncode == 0
    with LoopbackServer(small_site) as other:
        refused = crawl(other.root, tmp_path)
        assert refused.returncode == 2
        assert the_one_line(refused.stderr).endswith(  # "scrapy: error: ..." (argparse's prog)
            f": error: the store {tmp_path / 'articles.sqlite'} holds {server.root}, not "
            f"{other.root}: set MAYADEEN_DATA_DIR to another directory for this site (or "
            "MAYADEEN_REBIND_SITE=1 to move this store to it)"
        )
        assert other.requests == []
        moved = crawl(other.root, tmp_path, "-a", "max_articles=3", "-s", "MAYADEEN_REBIND_SITE=1")
        assert moved.returncode == 0, moved.stderr[-3000:]


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (
            "not_a_database",
            "is damaged (file is not a database): restore it from a backup, or "
            "rescue its rows with `sqlite3 ",
        ),
        ("future_version", "has schema version 99; this mayadeen knows up to"),
        ("symlink", "is a symlink (to "),
        ("foreign_wal", "does not belong to the store"),
        ("data_dir_is_a_file", "cannot create the data directory"),
    ],
)
def test_a_data_directory_that_cannot_be_used_is_one_line_and_nothing_is_fetched(
    server: LoopbackServer, tmp_path: Path, damage: str, message: str
) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    store = data_dir / "articles.sqlite"
    if damage == "not_a_database":
        store.write_bytes(b"these are not the pages of an SQLite database" * 100)
    elif damage == "future_version":
        with sqlite3.connect(store) as db:
            db.execute("PRAGMA user_version = 99")
    elif damage == "foreign_wal":  # another database's log, planted beside the store
        Store.open(store).close()
        other = sqlite3.connect(tmp_path / "other.sqlite")
        other.execute("PRAGMA page_size = 16384")
        other.execute("PRAGMA journal_mode = WAL")
        other.execute("CREATE TABLE planted (x TEXT)")
        other.executemany("INSERT INTO planted VALUES (?)", [("x" * 500,)] * 200)
        other.commit()
        shutil.copyfile(tmp_path / "other.sqlite-wal", data_dir / "articles.sqlite-wal")
        other.close()
    elif damage == "symlink":
        (tmp_path / "elsewhere.sqlite").touch()
        store.symlink_to(tmp_path / "elsewhere.sqlite")
    else:
        data_dir.rmdir()
        data_dir.write_text("a file where the data directory should be", encoding="utf-8")
    before = store.read_bytes() if store.is_file() and not store.is_symlink() else b""
    done = crawl(server.root, data_dir)
    assert done.returncode == 1
    line = the_one_line(done.stderr)
    assert line.startswith("mayadeen: ")
    assert message in line
    assert server.requests == []
    if damage == "foreign_wal":  # refused before SQLite replayed it into the store
        assert store.read_bytes() == before


@pytest.mark.parametrize("stop", ["SIGKILL", "double Ctrl-C"])
def test_after_kills_every_stored_article_is_in_exactly_one_complete_feed(
    tmp_path: Path, stop: str
) -> None:
    """Runs SIGKILLed (or stopped by a double Ctrl-C, Scrapy's unclean shutdown) midway leave
    .partial feeds no reader takes for complete ones, and claim nothing they did not commit;
    their articles are listed by the next complete run's feeds, each once."""
    generated = GeneratedSite(600, seed=5)
    with LoopbackServer(generated) as server:
        server.add_fault("/news/*/*=slow:0.02")
        for at_least in (100, 300) if stop == "SIGKILL" else (150,):
            crawler = start_crawl(server.root, tmp_path)
            try:
                wait_for_rows(tmp_path, at_least=at_least, process=crawler)
            finally:
                if stop == "SIGKILL":
                    os.killpg(crawler.pid, signal.SIGKILL)
                else:  # (it may have ended at the first)
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(crawler.pid, signal.SIGINT)
                        time.sleep(0.3)
                        os.kill(crawler.pid, signal.SIGINT)
                crawler.wait(timeout=60)
            if stop == "SIGKILL":
                assert list((tmp_path / "feeds").glob("*.partial"))
                assert not list((tmp_path / "feeds").glob("articles-*.csv"))
            assert set(committed_feed_urls(tmp_path)) <= set(stored(tmp_path))
            with sqlite3.connect(tmp_path / "articles.sqlite") as db:
                claimed = db.execute("SELECT sum(items_new) FROM runs").fetchone()[0] or 0
            assert claimed <= len(stored(tmp_path)), "no run claims what was not committed"
        server.clear_faults()
        before = len(stored(tmp_path))
        done = crawl(server.root, tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    expected = article_urls(generated, server.root)
    assert set(stored(tmp_path)) == expected
    listed = committed_feed_urls(tmp_path)
    assert set(listed) == expected
    assert set(listed.values()) == {1}
    assert_search_whole(tmp_path)
    with sqlite3.connect(tmp_path / "articles.sqlite") as db:
        assert db.execute("SELECT count(*) FROM feed_owed").fetchone() == (0,)
        (new,) = db.execute("SELECT items_new FROM runs ORDER BY run_id DESC LIMIT 1").fetchone()
    assert new == len(expected) - before, "the run's counters count what it committed"


def take_write_lock(store: Path, within: float) -> sqlite3.Connection:
    """The store's write lock, taken between two of the crawl's commits. SQLite's own busy
    handler sleeps up to 100 ms between tries and can miss every short gap, so this tries every
    millisecond."""
    holder = sqlite3.connect(store, isolation_level=None, timeout=0)
    deadline = time.monotonic() + within
    while True:
        try:
            holder.execute("BEGIN IMMEDIATE")
            return holder
        except sqlite3.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.001)


def test_a_store_locked_for_longer_than_the_busy_timeout_loses_nothing(
    small_site: GeneratedSite, tmp_path: Path
) -> None:
    """Another program holds the store's write lock past the 30 s busy timeout: the writes it
    refused fail the run, and what they held is stored by the next run."""
    with LoopbackServer(small_site) as server:
        # Articles answer together a second after they were asked for, and the store commits
        # 0.2 s after a write: the crawl leaves its write lock free most of each second, long
        # after the lock is taken (whatever the machine's load), until the crawl writes again.
        server.add_fault("/news/*/*=slow:1")
        crawler = start_crawl(server.root, tmp_path, "-s", "MAYADEEN_STORE_COMMIT_INTERVAL=0.2")
        wait_for_rows(tmp_path, at_least=40, process=crawler)
        holder = take_write_lock(tmp_path / "articles.sqlite", within=60)
        time.sleep(40)  # past the busy timeout (30 s) of a write that began after this one
        holder.execute("ROLLBACK")
        holder.close()
        assert crawler.wait(timeout=120) == 1, "the refused writes fail the run"
        server.clear_faults()
        after = crawl(server.root, tmp_path)
    assert after.returncode == 0, after.stderr[-3000:]
    assert set(stored(tmp_path)) == article_urls(small_site, server.root)
    assert owed_rows(tmp_path) == {}
    listed = committed_feed_urls(tmp_path)
    assert set(listed) == article_urls(small_site, server.root)
    assert set(listed.values()) == {1}


def test_a_symlink_planted_where_a_feed_goes_is_not_followed(
    small_site: GeneratedSite, tmp_path: Path
) -> None:
    """Someone who may write in the data directory plants links where the next run's feeds will
    be (run ids are the start time): the run writes nothing through them."""
    precious = tmp_path / "precious.txt"
    precious.write_text("keep me", encoding="utf-8")
    data_dir = tmp_path / "data"
    (data_dir / "feeds").mkdir(parents=True)
    now = datetime.now(UTC)
    for second in range(60):
        run_id = (now + timedelta(seconds=second)).strftime("%Y%m%dT%H%M%SZ")
        (data_dir / "feeds" / f"articles-{run_id}.csv.partial").symlink_to(precious)
    with LoopbackServer(small_site) as server:
        done = crawl(server.root, data_dir, "-a", "max_articles=5")
    assert precious.read_text(encoding="utf-8") == "keep me"
    assert done.returncode == 1
    assert "Traceback" not in done.stderr, done.stderr[-3000:]
    assert "the per-run feeds are incomplete" in done.stderr
