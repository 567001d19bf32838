"""The Spidermon side of the alerts (``mayadeen.run.alerts``): a suite of one monitor
that fails when the run did, and the actions that deliver its one line. Imported only when
``MAYADEEN_ALERTS`` names a channel (Spidermon is the optional ``alerts`` extra)."""

import json
import logging
import smtplib
import urllib.request
from collections.abc import Mapping
from email.message import Message as EmailMessage
from pathlib import Path
from typing import Any

from scrapy import Spider
from scrapy.crawler import Crawler
from spidermon import Monitor, MonitorSuite, monitors
from spidermon.contrib.actions.discord import SendDiscordMessage
from spidermon.contrib.actions.email.smtp import SendSmtpEmail
from spidermon.contrib.actions.slack import SendSlackMessage
from spidermon.contrib.actions.telegram import SendTelegramMessage
from spidermon.contrib.scrapy.runners import (
    LOG_MESSAGE_HEADER,
    SpiderMonitorResult,
    SpiderMonitorRunner,
)
from spidermon.core.actions import Action
from spidermon.exceptions import NotConfigured

logger = logging.getLogger(__name__)

WEBHOOK_TIMEOUT = 10.0
"""Seconds the webhook may take to answer: the end of the run waits for it."""
SMTP_TIMEOUT = 30.0
"""Seconds for the SMTP server: the end of the run waits for the mail."""
MESSAGE = "{{ data.alert.line }}"
"""Every action says the same one line (a Jinja template over the suite's data)."""


class RunOutcome(Monitor):  # type: ignore[misc]
    @monitors.name("mayadeen run outcome")  # type: ignore[untyped-decorator]
    def test_the_run_did_not_fail(self) -> None:
        """Fails with the project's own verdict: the monitor judges nothing itself."""
        alert = self.data.alert
        if alert["line"]:
            self.fail(alert["line"])


class EmailAlert(SendSmtpEmail):  # type: ignore[misc]
    """Spidermon's SMTP action, configured by its settings, sending through smtplib: Spidermon
    1.27 hands its whole MIME message to Scrapy's ``MailSender`` (deprecated in Scrapy 2.19) as
    the *body* of a new text/plain mail, so the reader would see headers and base64 (see
    ``tests/e2e/test_alerts.py``)."""

    subject = "mayadeen run {{ data.alert.run_id }} failed"
    body_text = MESSAGE + "\n"
    body_html_template = None

    def send_message(self, message: EmailMessage, **kwargs: Any) -> None:
        connect = smtplib.SMTP_SSL if self.smtp_enforce_ssl else smtplib.SMTP
        with connect(self.smtp_host, self.smtp_port, timeout=SMTP_TIMEOUT) as smtp:
            if self.smtp_enforce_tls:
                smtp.starttls()
            smtp.login(self.smtp_user, self.smtp_password)
            smtp.send_message(message, to_addrs=[*self.to, *(self.cc or ()), *(self.bcc or ())])


class SlackAlert(SendSlackMessage):  # type: ignore[misc]
    message = MESSAGE
    include_attachments = False


class TelegramAlert(SendTelegramMessage):  # type: ignore[misc]
    message = MESSAGE


class DiscordAlert(SendDiscordMessage):  # type: ignore[misc]
    message = MESSAGE


class SendWebhook(Action):  # type: ignore[misc]
    """POSTs ``{"text": line, "run_id", "reason", "manifest"}`` as JSON to
    ``MAYADEEN_ALERT_WEBHOOK_URL``: Slack, Mattermost and Rocket.Chat incoming webhooks show the
    ``text``; anything else can read the fields."""

    def __init__(self, url: str) -> None:
        super().__init__()
        self.url = url

    @classmethod
    def from_crawler_kwargs(cls, crawler: Crawler) -> dict[str, Any]:
        return {"url": crawler.settings.get("MAYADEEN_ALERT_WEBHOOK_URL")}

    def run_action(self) -> None:
        alert = self.data.alert
        payload = {key: alert[key] for key in ("run_id", "reason", "manifest")}
        post_json(self.url, {"text": alert["line"], **payload})


class AlertResult(SpiderMonitorResult):  # type: ignore[misc]
    """Spidermon's log of the suite through the spider's logger (its own ``Spider.log()`` is
    deprecated in Scrapy 2.19), at DEBUG: its report of the monitor that failed (the run's
    verdict, by design) is an ``AssertionError`` traceback, which reads as a crash. ``deliver``
    logs one line per alert instead."""

    def log(self, msg: object, level: int = logging.DEBUG) -> None:
        self.spider.logger.debug("[%s] %s", LOG_MESSAGE_HEADER, msg)


class AlertRunner(SpiderMonitorRunner):  # type: ignore[misc]
    def create_result(self) -> AlertResult:
        return AlertResult(self.spider)


ACTIONS: dict[str, type[Action]] = {
    "email": EmailAlert,
    "slack": SlackAlert,
    "telegram": TelegramAlert,
    "discord": DiscordAlert,
    "webhook": SendWebhook,
}


def unconfigured(crawler: Crawler, names: tuple[str, ...]) -> dict[str, str]:
    """Each channel whose action cannot be built from the settings → one line naming what to set
    (Spidermon's own words), so that a missing setting shows when the crawl starts, not when a
    run has failed and nobody hears of it."""
    problems = {}
    for name in names:
        try:
            ACTIONS[name].from_crawler(crawler)
        except NotConfigured as error:
            problems[name] = f"alerts: {name} is not set up: {error}"
    return problems


def deliver(
    crawler: Crawler,
    spider: Spider,
    names: tuple[str, ...],
    line: str,
    manifest: Mapping[str, Any],
    path: Path,
) -> int:
    """Run the suite with the actions of ``names`` that are set up (one that is not would stop
    Spidermon building the suite, and the others with it; it was reported when the crawl started);
    how many delivered without an error (Spidermon logs each action's result, an error with its
    traceback)."""
    broken = unconfigured(crawler, names)
    suite = MonitorSuite(
        name="mayadeen alerts",
        monitors=[RunOutcome],
        monitors_failed_actions=[ACTIONS[name] for name in names if name not in broken],
        crawler=crawler,
    )
    alert = {
        "line": line,
        "run_id": manifest["run_id"],
        "reason": (manifest.get("outcome") or {}).get("reason"),
        "manifest": str(path),
    }
    runner = AlertRunner(spider=spider)  # logs each action's result, errors with traces
    assert crawler.stats is not None
    result = runner.run(
        suite, stats=crawler.stats.get_stats(), crawler=crawler, spider=spider, alert=alert
    )
    sent = 0
    for action in result.monitors_failed_action_results:
        channel = next((n for n, kind in ACTIONS.items() if isinstance(action.item, kind)), "?")
        if action.status == "OK":
            sent += 1
            logger.info("alert sent through %s: %s", channel, line)
        else:
            logger.error("alert not sent through %s: %s", channel, last_line(action.error))
    return sent


def last_line(error: object) -> str:
    """The last line of a traceback Spidermon kept as text: the exception and its message.

    >>> last_line("Traceback (most recent call last):\\n  ...\\nURLError: refused\\n")
    'URLError: refused'
    """
    lines = [line for line in str(error or "").splitlines() if line.strip()]
    return lines[-1].strip() if lines else "an error (see the log at DEBUG)"


def post_json(url: str, payload: Mapping[str, Any]) -> int:
    """POST ``payload`` as JSON to ``url``; the HTTP status (an error status raises)."""
    request = urllib.request.Request(  # noqa: S310 - the URL is the user's own setting, checked
        url,
        data=json.dumps(payload, ensure_ascii=False).encode(),
        headers={"Content-Type": "application/json", "User-Agent": "mayadeen-alerts"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=WEBHOOK_TIMEOUT) as response:  # noqa: S310
        return int(response.status)
