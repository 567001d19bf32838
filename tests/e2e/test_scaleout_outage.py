"""A shared crawl whose Redis goes away: restarted mid-crawl the workers carry on and finish; gone
for good, each worker stops within ``MAYADEEN_REDIS_GIVE_UP_SECONDS`` with one line, exit 1, the
data directory's lock released and what it did not fetch owed to the next crawl.

Real ``redis-server`` processes on 127.0.0.1, stopped and started again on the same port; without
it these tests skip on a developer machine but fail under CI (``CI`` set)."""

import os
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from redis import Redis, RedisError

from mayadeen.loopback import GeneratedSite, LoopbackServer
from tests.helpers.outputs import feed_urls, stored
from tests.helpers.redis import REDIS_SERVER, free_port
from tests.helpers.runs import ROOT, crawl, crawl_arguments, wait_for_rows
from tests.helpers.sites import article_urls


class RedisProcess:
    """One ``redis-server`` on a fixed port that a test can stop and start again (an upgrade, a
    crash); persisting nothing, so a restart loses the shared queue as a crash without
    persistence would."""

    def __init__(self, directory: Path) -> None:
        self.port = free_port()
        self.directory = directory
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        assert REDIS_SERVER is not None
        options = ["--bind", "127.0.0.1", "--port", str(self.port), "--dir", str(self.directory)]
        options += ["--save", "", "--appendonly", "no", "--daemonize", "no"]
        self.process = subprocess.Popen([REDIS_SERVER, *options], stdout=subprocess.DEVNULL)
        client = Redis(port=self.port)
        try:
            for _ in range(200):  # waiting until it listens, not a timing assertion
                try:
                    client.ping()
                    return
                except RedisError:
                    assert self.process.poll() is None, "redis-server did not start"
                    time.sleep(0.05)
        finally:
            client.close()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=30)


@pytest.fixture
def redis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisProcess]:
    if REDIS_SERVER is None:
        if os.environ.get("CI"):
            pytest.fail("CI must run the scale-out tests, but redis-server is missing (.ci/run)")
        pytest.skip("redis-server is not installed (apt-get install redis-server)")
    server = RedisProcess(tmp_path_factory.mktemp("redis"))
    server.start()
    try:
        yield server
    finally:
        server.stop()


def workers(root: str, redis_url: str, data_dir: Path, count: int) -> list[subprocess.Popen[str]]:
    command = [sys.executable, "-m", *crawl_arguments(root, "-s", "LOG_LEVEL=INFO")]
    command += ["-s", "MAYADEEN_REDIS_GIVE_UP_SECONDS=6"]
    env = {**os.environ, "MAYADEEN_DATA_DIR": str(data_dir), "MAYADEEN_REDIS_URL": redis_url}
    return [
        subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(count)
    ]


def finish(process: subprocess.Popen[str], within: float) -> tuple[int, str]:
    """The worker's exit status and log; failing the test if it does not exit ``within`` s."""
    try:
        _, log = process.communicate(timeout=within)
    except subprocess.TimeoutExpired as expired:
        process.kill()
        _, log = process.communicate()
        message = f"the worker did not exit within {within:.0f} s:\n{log[-3000:]}"
        raise AssertionError(message) from expired
    return process.returncode, log


def owed_count(data_dir: Path) -> int:
    with sqlite3.connect(data_dir / "articles.sqlite") as db:
        return int(db.execute("SELECT count(*) FROM owed").fetchone()[0])


def assert_every_article_once(data_dir: Path, generated: GeneratedSite, root: str) -> None:
    expected = article_urls(generated, root)
    assert set(stored(data_dir)) == expected
    listed = Counter(feed_urls(data_dir))
    assert set(listed) == expected
    assert set(listed.values()) == {1}, "each article in exactly one complete feed"
    assert owed_count(data_dir) == 0


def test_workers_survive_redis_restarting_mid_crawl_and_nothing_is_lost(
    redis: RedisProcess, tmp_path: Path
) -> None:
    generated = GeneratedSite(400, seed=21)
    with LoopbackServer(generated) as server:
        server.add_fault("/news/*/*=slow:0.03")
        running = workers(server.root, redis.url, tmp_path, 2)
        wait_for_rows(tmp_path, at_least=60, process=running[0])  # type: ignore[arg-type]
        redis.stop()
        time.sleep(2)  # both workers meet the dead connection meanwhile
        redis.start()
        outcomes = [finish(process, within=240) for process in running]
        server.clear_faults()
        for returncode, log in outcomes:
            assert returncode == 0, log[-3000:]
            assert "Traceback" not in log, log[-3000:]
            assert "Redis stopped answering" in log, log[-3000:]
        after = crawl(server.root, tmp_path)  # what the lost queue held is owed: fetched now
        assert after.returncode == 0, after.stderr[-3000:]
        assert_every_article_once(tmp_path, generated, server.root)


def test_a_worker_whose_redis_stays_away_stops_in_bounded_time_releasing_the_data_dir(
    redis: RedisProcess, tmp_path: Path
) -> None:
    generated = GeneratedSite(300, seed=22)
    with LoopbackServer(generated) as server:
        server.add_fault("/news/*/*=slow:0.05")
        (worker,) = workers(server.root, redis.url, tmp_path, 1)
        wait_for_rows(tmp_path, at_least=30, process=worker)  # type: ignore[arg-type]
        redis.stop()
        returncode, log = finish(worker, within=90)  # a worker that hangs fails here
        server.clear_faults()
        assert returncode == 1, log[-3000:]
        assert "Traceback" not in log, log[-3000:]
        failed = [line for line in log.splitlines() if "run failed:" in line]
        assert len(failed) == 1, log[-3000:]
        assert "redis_unreachable" in failed[0]
        assert "has not answered for 6 s" in log
        assert owed_count(tmp_path) > 0, "what it did not fetch is owed"
        after = crawl(server.root, tmp_path)  # the lock was released; the owed are fetched
        assert after.returncode == 0, after.stderr[-3000:]
        assert_every_article_once(tmp_path, generated, server.root)
