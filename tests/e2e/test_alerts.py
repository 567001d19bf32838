"""End to end: a run that fails its health checks is announced through Spidermon's actions to a
loopback SMTP server (aiosmtpd, with the login Spidermon insists on), a loopback Discord webhook
and a loopback plain webhook, and through Slack and Telegram in Spidermon's fake mode (their APIs
are fixed hosts); a run that succeeds announces nothing; bad alert settings are one line."""

import json
import socket
from collections.abc import Iterator
from email import message_from_bytes
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("spidermon")
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, Envelope, LoginPassword, Session
from scrapy.settings import BaseSettings

from mayadeen.crawl.configuration import SettingError, check_settings
from mayadeen.loopback import GeneratedSite, LoopbackServer
from tests.helpers.alerts import Received, webhook_server
from tests.helpers.runs import crawl, run
from tests.helpers.sites import articles


class Mailbox:
    def __init__(self) -> None:
        self.messages: list[tuple[Envelope, bytes]] = []

    async def handle_DATA(self, server: Any, session: Session, envelope: Envelope) -> str:
        self.messages.append((envelope, bytes(envelope.content or b"")))
        return "250 OK"


def _accept_login(
    server: Any, session: Session, envelope: Envelope, mechanism: str, data: Any
) -> AuthResult:
    ok = isinstance(data, LoginPassword) and (data.login, data.password) == (b"crawler", b"secret")
    return AuthResult(success=ok)


@pytest.fixture
def mailbox() -> Iterator[tuple[Mailbox, int]]:
    box = Mailbox()
    with socket.socket() as probe:  # aiosmtpd's start() checks its port, so it cannot be 0
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(
        box, hostname="127.0.0.1", port=port, authenticator=_accept_login, auth_require_tls=False
    )
    controller.start()
    try:
        yield box, port
    finally:
        controller.stop()


@pytest.fixture
def webhooks() -> Iterator[tuple[Received, str]]:
    with webhook_server() as served:
        yield served


def _alert_settings(smtp_port: int, hooks: str) -> list[str]:
    settings = {
        "MAYADEEN_ALERTS": "email,discord,webhook,slack,telegram",
        "MAYADEEN_ALERT_WEBHOOK_URL": f"{hooks}/hook",
        "SPIDERMON_EMAIL_TO": "oncall@example.org",
        "SPIDERMON_EMAIL_SENDER": "crawler@example.org",
        "SPIDERMON_SMTP_HOST": "127.0.0.1",
        "SPIDERMON_SMTP_PORT": str(smtp_port),
        "SPIDERMON_SMTP_USER": "crawler",
        "SPIDERMON_SMTP_PASSWORD": "secret",
        "SPIDERMON_DISCORD_WEBHOOK_URL": f"{hooks}/discord",
        "SPIDERMON_SLACK_SENDER_TOKEN": "xoxb-test",
        "SPIDERMON_SLACK_SENDER_NAME": "mayadeen",
        "SPIDERMON_SLACK_RECIPIENTS": "#crawls",
        "SPIDERMON_SLACK_FAKE": "1",
        "SPIDERMON_TELEGRAM_SENDER_TOKEN": "123:test",
        "SPIDERMON_TELEGRAM_RECIPIENTS": "42",
        "SPIDERMON_TELEGRAM_FAKE": "1",
    }
    return [option for name, value in settings.items() for option in ("-s", f"{name}={value}")]


@pytest.fixture(scope="module")
def site() -> GeneratedSite:
    return GeneratedSite(20, seed=11)


def test_a_failed_run_is_announced_on_every_channel_with_its_reason_and_manifest(
    site: GeneratedSite,
    mailbox: tuple[Mailbox, int],
    webhooks: tuple[Received, str],
    tmp_path: Path,
) -> None:
    box, smtp_port = mailbox
    received, hooks = webhooks
    article = articles(site, "/news/", 1)[0]
    with LoopbackServer(site) as server:
        server.add_fault(f"{article.entry.path}=block")
        done = crawl(
            server.root,
            tmp_path,
            "-a",
            f"urls={article.entry.path}",
            "-s",
            "MAYADEEN_BACKOFF_START=0.01",
            *_alert_settings(smtp_port, hooks),
        )
    assert done.returncode == 1, done.stderr[-3000:]
    (manifest_path,) = (tmp_path / "runs").glob("*.json")
    manifest = json.loads(manifest_path.read_text("utf-8"))
    reason = manifest["outcome"]["reason"]
    assert reason == "stored no article and hit 1 blocked response"
    line = f"mayadeen run {manifest['run_id']} failed: {reason}; manifest {manifest_path}"

    (envelope, raw), *more = box.messages
    assert not more
    mail = message_from_bytes(raw)
    assert envelope.rcpt_tos == ["oncall@example.org"]
    assert mail["Subject"] == f"mayadeen run {manifest['run_id']} failed"
    (text,) = [part for part in mail.walk() if part.get_content_type() == "text/plain"]
    assert text.get_payload(decode=True).decode().strip() == line

    by_path = dict(received)
    assert len(received) == 2
    assert by_path["/discord"] == {"content": line}
    assert by_path["/hook"] == {
        "text": line,
        "run_id": manifest["run_id"],
        "reason": reason,
        "manifest": str(manifest_path),
    }
    assert done.stderr.count(line) >= 2, "Slack's and Telegram's fake sends log the line"
    assert "'mayadeen/alerts/sent': 5" in done.stderr


def test_a_run_that_succeeds_announces_nothing_and_a_channel_not_set_up_is_said_at_the_start(
    site: GeneratedSite, webhooks: tuple[Received, str], tmp_path: Path
) -> None:
    received, hooks = webhooks
    article = articles(site, "/news/", 1)[0]
    with LoopbackServer(site) as server:
        done = crawl(
            server.root,
            tmp_path,
            "-a",
            f"urls={article.entry.path}",
            "-s",
            "MAYADEEN_ALERTS=webhook,email",
            "-s",
            f"MAYADEEN_ALERT_WEBHOOK_URL={hooks}/hook",
        )
    assert done.returncode == 0, done.stderr[-3000:]
    assert received == []
    assert (
        "ERROR: alerts: email is not set up: You must provide a value for SPIDERMON_EMAIL_TO setting."
        in done.stderr
    )


BAD_SETTINGS = [
    (
        {"MAYADEEN_ALERTS": "webhook"},
        "MAYADEEN_ALERTS names webhook: set MAYADEEN_ALERT_WEBHOOK_URL to the URL to POST to",
    ),
    (
        {"MAYADEEN_ALERTS": "pager"},
        "MAYADEEN_ALERTS='pager': expected empty, or some of email, slack, telegram, discord, "
        "webhook, separated by commas",
    ),
    (
        {"MAYADEEN_ALERTS": "webhook", "MAYADEEN_ALERT_WEBHOOK_URL": "ftp://x"},
        "MAYADEEN_ALERT_WEBHOOK_URL='ftp://x': expected an http(s) URL with a host, such as "
        "https://english.almayadeen.net",
    ),
]


@pytest.mark.parametrize(("settings", "message"), BAD_SETTINGS)
def test_bad_alert_settings_are_refused(settings: dict[str, str], message: str) -> None:
    with pytest.raises(SettingError) as refused:
        check_settings(BaseSettings(settings))
    assert str(refused.value) == message


def test_a_bad_alert_setting_is_one_line_before_the_crawl(tmp_path: Path) -> None:
    done = run(
        "scrapy",
        "crawl",
        "articles",
        "-s",
        "MAYADEEN_ALERTS=webhook",
        env={"MAYADEEN_DATA_DIR": str(tmp_path)},
    )
    assert done.returncode == 2
    assert done.stderr.splitlines()[-1] == f"scrapy crawl: error: {BAD_SETTINGS[0][1]}"
    assert "Traceback" not in done.stderr
    assert list(tmp_path.iterdir()) == [], "no store, no run recorded"
