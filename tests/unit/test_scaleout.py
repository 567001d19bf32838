"""Scaling out, in process: the Redis URL switches the scheduler, a job name must fit in a key,
and the Redis side of the workers' coordination (a real ``redis-server`` on 127.0.0.1).

Without ``redis-server`` these tests skip on a developer machine but fail under CI (``CI`` set),
where ``.ci/run`` installs it."""

import pytest
from redis import Redis
from scrapy.settings import Settings

from mayadeen import settings as project_settings
from mayadeen.scaleout import SCHEDULER, ScaleOutAddon
from mayadeen.scaleout.crew import CrawlKeys, Crew


def settings_with(**values: object) -> Settings:
    settings = Settings()
    settings.setmodule(project_settings, priority="project")
    settings.update(values, priority="cmdline")
    ScaleOutAddon().update_settings(settings)
    return settings


def test_the_redis_url_switches_the_scheduler_and_commits_each_article() -> None:
    settings = settings_with(MAYADEEN_REDIS_URL="redis://10.0.0.5:6379/1")
    assert settings["SCHEDULER"] == SCHEDULER
    assert settings["REDIS_URL"] == "redis://10.0.0.5:6379/1"
    assert settings.getint("MAYADEEN_STORE_BATCH_SIZE") == 1
    chosen = settings_with(MAYADEEN_REDIS_URL="redis://h", MAYADEEN_STORE_BATCH_SIZE=50)
    assert chosen.getint("MAYADEEN_STORE_BATCH_SIZE") == 50, "a batch size the user chose stays"


def test_without_a_redis_url_nothing_changes() -> None:
    settings = settings_with(MAYADEEN_REDIS_URL="")
    assert settings["SCHEDULER"] == Settings()["SCHEDULER"]
    assert settings.getint("MAYADEEN_STORE_BATCH_SIZE") == 1000


def test_a_job_name_that_cannot_be_part_of_a_key_is_refused() -> None:
    with pytest.raises(ValueError, match="MAYADEEN_REDIS_JOB"):
        settings_with(MAYADEEN_REDIS_URL="redis://h", MAYADEEN_REDIS_JOB="my job")


KEYS = CrawlKeys.of("test", "articles", "")


def crew(redis_url: str, worker: str) -> Crew:
    return Crew(Redis.from_url(redis_url), KEYS, worker, ttl=60)


def test_the_crawl_is_over_when_its_queue_is_empty_and_no_worker_holds_requests(
    redis_url: str,
) -> None:
    server = Redis.from_url(redis_url)
    first, second = crew(redis_url, "first"), crew(redis_url, "second")
    assert first.join() == (0, 0), "the first worker starts the crawl"
    server.zadd(KEYS.requests, {b"listing": 0, b"article": -10})  # score: -priority
    server.sadd(KEYS.seen, "fingerprint")
    assert second.join() == (1, 0), "the second joins it, queue and fingerprints kept"
    assert first.take() == b"article", "highest priority first"
    assert second.idle() == ("queued", 1)
    assert second.take() == b"listing"
    assert second.take() is None
    assert second.idle() == ("busy", 1), "the first still holds a request: wait"
    first.beat(busy=True)
    assert second.idle() == ("busy", 1)
    assert first.idle() == ("done", 0)
    assert server.exists(KEYS.requests, KEYS.seen) == 0, "the next crawl starts afresh"
    assert second.idle() == ("done", 0)
    first.leave()
    second.leave()
    assert server.keys("*") == []


def test_a_worker_that_died_is_forgotten_and_its_crawl_left_behind_is_dropped(
    redis_url: str,
) -> None:
    server = Redis.from_url(redis_url)
    server.zadd(KEYS.alive, {"dead": 0})  # expired long ago by the server's clock
    server.zadd(KEYS.busy, {"dead": 0})
    server.zadd(KEYS.requests, {b"left-over": 0})
    server.sadd(KEYS.seen, "fingerprint")
    worker = crew(redis_url, "new")
    assert worker.join() == (0, 1), "no live worker: a new crawl, the left-over dropped"
    assert server.exists(KEYS.requests, KEYS.seen) == 0
    server.zadd(KEYS.busy, {"dead": 0})
    assert worker.idle() == ("done", 0), "a dead worker's busy mark does not hold the crawl"
