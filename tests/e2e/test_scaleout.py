"""Scaling out: ``scrapy crawl articles`` workers sharing one crawl through a real ``redis-server``
on 127.0.0.1 (scrapy-redis), with one data directory or one each, killed or not.

Without ``redis-server`` these tests skip on a developer machine but fail under CI (``CI`` set),
where ``.ci/run`` installs it."""

import os
import signal
import sqlite3
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest
from redis import Redis

from mayadeen.loopback import GeneratedSite, LoopbackServer
from mayadeen.warc.scanning import scan
from tests.helpers.merge import (
    assert_captures_name_their_urls,
    check_reextract_equals_the_store,
    merged,
    rows,
)
from tests.helpers.outputs import exported, feed_urls, manifests, run_stats, stats_of, stored
from tests.helpers.redis import free_port
from tests.helpers.runs import ROOT, crawl, crawl_arguments, wait_for_rows
from tests.helpers.sites import article_urls, requested_paths


@pytest.fixture(scope="module")
def big_site() -> GeneratedSite:
    return GeneratedSite(500, seed=3)


@dataclass
class Worker:
    returncode: int
    log: str
    items: list[dict[str, object]]


def crawl_together(root: str, redis: str, data_dirs: list[Path], *arguments: str) -> list[Worker]:
    """One ``scrapy crawl articles`` per data directory, all started at once, as workers of one
    crawl shared through ``redis``; each also writes its items with ``-O``."""
    outputs, processes = [], []
    for number, data_dir in enumerate(data_dirs):
        output = data_dir / f"items-{len(list(data_dir.glob('items-*')))}-{number}.jsonl"
        outputs.append(output)
        command = crawl_arguments(root, "-O", str(output), *arguments)
        env = {**os.environ, "MAYADEEN_DATA_DIR": str(data_dir), "MAYADEEN_REDIS_URL": redis}
        processes.append(
            subprocess.Popen(
                [sys.executable, "-m", *command],
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                text=True,
            )
        )
    workers = []
    for process, output in zip(processes, outputs, strict=True):
        _, log = process.communicate(timeout=300)
        assert process.returncode == 0, log[-3000:]
        assert "Traceback" not in log, log[-3000:]
        workers.append(Worker(process.returncode, log, exported(output)))
    return workers


def run_ids(data_dir: Path) -> dict[str, str]:
    with sqlite3.connect(data_dir / "articles.sqlite") as db:
        return dict(db.execute("SELECT run_id, close_reason FROM runs").fetchall())


def fetched_articles(requests: list[str], generated: GeneratedSite) -> Counter[str]:
    """How often each article page was requested (whatever its spelling)."""
    paths = {article.path for article in generated.articles}
    return Counter(path for path in requests if path in paths)


def test_two_workers_sharing_a_data_dir_store_each_article_once_and_later_only_what_is_new(
    redis_url: str, big_site: GeneratedSite, tmp_path: Path
) -> None:
    with LoopbackServer(big_site) as server:
        expected = article_urls(big_site, server.root)
        workers = crawl_together(server.root, redis_url, [tmp_path, tmp_path])
        first_requests = requested_paths(server)
        first_runs, first_feeds = run_ids(tmp_path), feed_urls(tmp_path)

        server.site = after = big_site.with_new_articles(5)
        server.clear_requests()
        later = crawl_together(server.root, redis_url, [tmp_path, tmp_path])

    items = [item["url"] for worker in workers for item in worker.items]
    assert sorted(items) == sorted(expected), "together: every article, none twice"
    for worker in workers:
        assert "scale-out: " in worker.log
    first_round = [m for m in manifests(tmp_path) if m["run_id"] in first_runs]
    new_by_worker = [stats_of(m)["mayadeen/items/new"] for m in first_round]
    assert len(new_by_worker) == 2, "each worker has its run and its manifest"
    assert min(new_by_worker) > 0, "both workers did real work"
    fetches = fetched_articles(first_requests, big_site)
    assert len(fetches) == len(expected)
    assert set(fetches.values()) == {1}, "each article fetched by one worker, once"
    assert first_requests.count("/") == 1, "the start pages are shared too"
    assert len(first_runs) == 2, "each worker has its run, even when both start in one second"
    assert sorted(first_feeds) == sorted(expected)
    assert Redis.from_url(redis_url).keys("*") == [], "the crawl's keys are gone when it is over"

    new = article_urls(after, server.root) - expected
    assert len(new) == 5
    assert sorted(item["url"] for worker in later for item in worker.items) == sorted(new)
    later_round = [m for m in manifests(tmp_path) if m["run_id"] not in first_runs]
    assert len(later_round) == len(later) == 2
    assert sum(stats_of(m)["mayadeen/items/new"] for m in later_round) == 5
    assert set(stored(tmp_path)) == expected | new
    assert sorted(feed_urls(tmp_path, set(run_ids(tmp_path)) - set(first_runs))) == sorted(new)
    assert set(run_ids(tmp_path).values()) == {"finished"}


def test_two_workers_with_their_own_data_dirs_split_the_crawl_and_their_stores_merge(
    redis_url: str, big_site: GeneratedSite, tmp_path: Path
) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    for data_dir in (first, second):
        data_dir.mkdir()
    with LoopbackServer(big_site) as server:
        crawl_together(server.root, redis_url, [first, second])
        expected = article_urls(big_site, server.root)

    in_first, in_second = set(stored(first)), set(stored(second))
    assert in_first, "both workers did real work"
    assert in_second, "both workers did real work"
    assert not in_first & in_second, "no article in both stores"
    assert in_first | in_second == expected
    assert sorted(feed_urls(first) + feed_urls(second)) == sorted(expected)

    # After the round: both stores merged into the analysts' store with `scrapy merge`.
    target = tmp_path / "merged"
    done = merged(server.root, target, first, second)
    assert len(done.stdout.strip().splitlines()) == 3, "a line per source and the manifest's"
    urls = [url for (url,) in rows(target, "SELECT url FROM articles")]
    assert sorted(urls) == sorted(expected), "every article once"
    owed = (
        rows(first, "SELECT count(*) FROM owed")[0][0]
        + rows(second, "SELECT count(*) FROM owed")[0][0]
    )
    assert owed > 0, "each worker owes in its store what it queued and the other fetched"
    assert rows(target, "SELECT count(*) FROM owed") == [(0,)], "the merge settles all of it"
    assert_captures_name_their_urls(target)
    captures = rows(target, "SELECT url, warc_file, offset, payload_digest FROM captures")
    query = "SELECT url, offset, payload_digest FROM captures"
    assert sorted((u, o, d) for u, _, o, d in captures) == sorted(
        rows(first, query) + rows(second, query)
    ), "every capture of both, once"
    names = {name for _, name, _, _ in captures}
    # Workers started in the same second write files of the same name: one is renamed.
    records = {
        (name, record.offset): record.url
        for name in names
        for record in scan(target / "archive" / name)
    }
    for url, name, offset, _ in captures:
        assert records.get((name, offset)) == url, "each capture's record is in its file"
    # Run ids kept; a run of the other machine started in the same second gets the next `_2`.
    merged_runs, source_runs = set(run_ids(target)), set(run_ids(first)) | set(run_ids(second))
    assert source_runs <= merged_runs
    assert len(merged_runs) == len(run_ids(first)) + len(run_ids(second))
    check_reextract_equals_the_store(server.root, target)


def test_urls_are_fetched_by_the_worker_given_them_without_touching_the_shared_crawl(
    redis_url: str, big_site: GeneratedSite, tmp_path: Path
) -> None:
    paths = [article.path for article in big_site.articles[:3]]
    with LoopbackServer(big_site) as server:
        done = crawl(
            server.root,
            tmp_path,
            "-a",
            f"urls={','.join(paths)}",
            "-s",
            f"MAYADEEN_REDIS_URL={redis_url}",
        )
        stats = run_stats(tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    assert stats["item_scraped_count"] == 3
    assert "fetched by this worker alone" in done.stderr
    assert Redis.from_url(redis_url).keys("*") == []


def test_an_unreachable_redis_fails_the_run_before_anything_is_fetched(
    server: LoopbackServer, tmp_path: Path
) -> None:
    done = crawl(server.root, tmp_path, "-s", f"MAYADEEN_REDIS_URL=redis://127.0.0.1:{free_port()}")
    assert done.returncode == 1
    assert "Redis is not reachable at MAYADEEN_REDIS_URL" in done.stderr
    assert "run failed: the crawl did not finish (close reason: redis_unreachable)" in done.stderr
    assert server.requests == []


def test_a_worker_killed_midway_leaves_its_articles_owed_and_the_next_crawl_stores_them(
    redis_url: str, tmp_path: Path
) -> None:
    """kill -9 of one of two workers sharing a data directory: the requests it held are lost from
    the shared queue, but each was owed in the store before it was fetched, so the next crawl
    requests them; every article ends stored once and listed by exactly one complete feed."""
    generated = GeneratedSite(700, seed=9)
    with LoopbackServer(generated) as server:
        server.add_fault("/news/*/*=slow:0.03")
        command = [sys.executable, "-m", *crawl_arguments(server.root, "-s", "LOG_LEVEL=WARNING")]
        env = {**os.environ, "MAYADEEN_DATA_DIR": str(tmp_path), "MAYADEEN_REDIS_URL": redis_url}
        workers = [
            subprocess.Popen(
                command,
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
            )
            for _ in range(2)
        ]
        wait_for_rows(tmp_path, at_least=150, process=workers[0])
        os.killpg(workers[0].pid, signal.SIGKILL)
        workers[0].wait(timeout=30)
        assert workers[1].wait(timeout=300) == 0
        server.clear_faults()
        after = crawl(server.root, tmp_path)
    assert after.returncode == 0, after.stderr[-3000:]
    expected = article_urls(generated, server.root)
    assert set(stored(tmp_path)) == expected
    listed = Counter(feed_urls(tmp_path))
    assert set(listed) == expected
    assert set(listed.values()) == {1}, "each article in exactly one complete feed"
    with sqlite3.connect(tmp_path / "articles.sqlite") as db:
        assert db.execute("SELECT count(*) FROM owed").fetchone() == (0,)
