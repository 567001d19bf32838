"""The alerts' delivery through Spidermon, called as the run report's signal calls it, on a
crawler of chosen settings: the one line reaches the channels set up, a channel not set up does
not stop the others, a webhook that fails is counted, not raised, and a run that did not fail
announces nothing."""

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from scrapy import Spider
from scrapy.crawler import Crawler
from scrapy.utils.test import get_crawler

pytest.importorskip("spidermon")
from mayadeen.run import spidermon_alerts
from mayadeen.run.alerts import RunAlerts, alert_line
from tests.helpers.alerts import Received, webhook_server

FAILED = {
    "run_id": "R1",
    "outcome": {"failed": True, "reason": "stored no article and hit 2 errors"},
}
PATH = Path("data/runs/R1.json")
LINE = "mayadeen run R1 failed: stored no article and hit 2 errors; manifest data/runs/R1.json"


@pytest.fixture
def hooks() -> Iterator[tuple[Received, str]]:
    with webhook_server() as served:
        yield served


def _crawler(**settings: Any) -> tuple[Crawler, Spider]:
    crawler = get_crawler(Spider, settings)
    return crawler, Spider(name="articles")


def test_the_line_reaches_the_webhook_and_discord(hooks: tuple[Received, str]) -> None:
    received, root = hooks
    crawler, spider = _crawler(
        MAYADEEN_ALERT_WEBHOOK_URL=f"{root}/hook", SPIDERMON_DISCORD_WEBHOOK_URL=f"{root}/discord"
    )
    sent = spidermon_alerts.deliver(crawler, spider, ("webhook", "discord"), LINE, FAILED, PATH)
    assert sent == 2
    assert dict(received) == {
        "/hook": {
            "text": LINE,
            "run_id": "R1",
            "reason": FAILED["outcome"]["reason"],
            "manifest": str(PATH),
        },
        "/discord": {"content": LINE},
    }


def test_a_channel_not_set_up_does_not_stop_the_others(hooks: tuple[Received, str]) -> None:
    received, root = hooks
    crawler, spider = _crawler(MAYADEEN_ALERT_WEBHOOK_URL=f"{root}/hook")
    problems = spidermon_alerts.unconfigured(crawler, ("email", "webhook", "slack"))
    assert problems == {
        "email": "alerts: email is not set up: You must provide a value for SPIDERMON_EMAIL_TO setting.",
        "slack": "alerts: slack is not set up: You must provide a value for "
        "SPIDERMON_SLACK_SENDER_TOKEN setting.",
    }
    sent = spidermon_alerts.deliver(
        crawler, spider, ("email", "webhook", "slack"), LINE, FAILED, PATH
    )
    assert sent == 1
    assert [path for path, _ in received] == ["/hook"]


def test_a_webhook_that_fails_is_counted_not_raised() -> None:
    with webhook_server(status=500) as (received, root):
        crawler, spider = _crawler(MAYADEEN_ALERT_WEBHOOK_URL=f"{root}/hook")
        sent = spidermon_alerts.deliver(crawler, spider, ("webhook",), LINE, FAILED, PATH)
    assert sent == 0
    assert len(received) == 1, "tried once"


def test_the_run_alerts_announce_only_a_failed_run(hooks: tuple[Received, str]) -> None:
    received, root = hooks
    crawler, spider = _crawler(MAYADEEN_ALERTS="webhook", MAYADEEN_ALERT_WEBHOOK_URL=f"{root}/h")
    alerts = RunAlerts.from_crawler(crawler)
    assert alerts is not None
    ok = {"run_id": "R2", "outcome": {"failed": False, "reason": None}}
    alerts.deliver(spider, ok, Path("data/runs/R2.json"))
    assert received == []
    assert alert_line(FAILED, PATH) == LINE
    alerts.deliver(spider, FAILED, PATH)
    assert received == [
        (
            "/h",
            {
                "text": LINE,
                "run_id": "R1",
                "reason": FAILED["outcome"]["reason"],
                "manifest": str(PATH),
            },
        )
    ]
    assert crawler.stats is not None
    assert crawler.stats.get_value("mayadeen/alerts/sent") == 1


def test_a_delivered_alert_is_one_line_per_channel_without_spidermons_traceback(
    hooks: tuple[Received, str], caplog: pytest.LogCaptureFixture
) -> None:
    _received, root = hooks
    crawler, spider = _crawler(
        MAYADEEN_ALERT_WEBHOOK_URL=f"{root}/hook", SPIDERMON_DISCORD_WEBHOOK_URL=f"{root}/discord"
    )
    with caplog.at_level(logging.DEBUG):
        sent = spidermon_alerts.deliver(crawler, spider, ("webhook", "discord"), LINE, FAILED, PATH)
    assert sent == 2
    shown = [r.getMessage() for r in caplog.records if r.levelno >= logging.INFO]
    assert shown == [f"alert sent through webhook: {LINE}", f"alert sent through discord: {LINE}"]
    said_by_spidermon = [r for r in caplog.records if "Spidermon" in r.getMessage()]
    assert said_by_spidermon, "Spidermon's report stays in the log, at DEBUG"
    assert {r.levelno for r in said_by_spidermon} == {logging.DEBUG}


def test_an_alert_that_fails_is_one_error_line(caplog: pytest.LogCaptureFixture) -> None:
    with webhook_server(status=500) as (_received, root):
        crawler, spider = _crawler(MAYADEEN_ALERT_WEBHOOK_URL=f"{root}/hook")
        with caplog.at_level(logging.INFO):
            spidermon_alerts.deliver(crawler, spider, ("webhook",), LINE, FAILED, PATH)
    shown = [(r.levelno, r.getMessage()) for r in caplog.records if r.levelno >= logging.INFO]
    [(level, message)] = shown
    assert level == logging.ERROR
    assert message.startswith("alert not sent through webhook: ")
    assert "500" in message
    assert "Traceback" not in message
