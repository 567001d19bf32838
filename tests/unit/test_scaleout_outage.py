"""A Redis outage's clock, in process: the waits back off to a bound, are logged once, and the
outage becomes hopeless only after ``MAYADEEN_REDIS_GIVE_UP_SECONDS``."""

import logging

import pytest

from mayadeen.scaleout.outage import LAST_RETRY_SECONDS, RedisOutage


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_an_outage_backs_off_to_a_bound_logs_once_and_becomes_hopeless_after_the_limit(
    caplog: pytest.LogCaptureFixture,
) -> None:
    clock = Clock()
    outage = RedisOutage(give_up_after=30, clock=clock)
    assert not outage.ongoing
    assert outage.may_try()
    assert not outage.hopeless()
    waits = []
    with caplog.at_level(logging.WARNING):
        for _ in range(8):
            outage.failed("taking the next request", ConnectionError("refused"))
            assert not outage.may_try()
            start = clock.now
            while not outage.may_try():
                clock.now += 0.25
            waits.append(clock.now - start)
    assert waits[:4] == [0.5, 1.0, 2.0, 4.0]
    assert max(waits) == LAST_RETRY_SECONDS
    assert [r.message for r in caplog.records].count(caplog.records[0].message) == 1
    assert outage.hopeless()
    outage.answered()
    assert not outage.ongoing
    assert outage.may_try()
    assert not outage.hopeless()


def test_an_outage_shorter_than_the_limit_is_not_hopeless() -> None:
    clock = Clock()
    outage = RedisOutage(give_up_after=30, clock=clock)
    outage.failed("beating", ConnectionError("reset"))
    clock.now += 29
    assert outage.ongoing
    assert not outage.hopeless()
    clock.now += 1
    assert outage.hopeless()
