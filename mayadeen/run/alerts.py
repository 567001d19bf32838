"""Alerts: when a run failed (a health check failed, or the site blocked the crawl), Spidermon's
actions tell someone, with the one-line reason and the run manifest's path.

The project's own checks stay the judge (``mayadeen.report.health``, ``report.outcome``): the
last step of the run's close, after its manifest is written, runs a Spidermon suite of one
monitor, which fails exactly when the manifest's outcome did, so that Spidermon's
``monitors_failed_actions`` deliver it. ``MAYADEEN_ALERTS`` names the channels:

- ``email``: Spidermon's ``SendSmtpEmail`` (``SPIDERMON_EMAIL_TO``, ``SPIDERMON_EMAIL_SENDER``,
  ``SPIDERMON_SMTP_HOST``, ``_PORT``, ``_USER``, ``_PASSWORD``);
- ``slack``: ``SendSlackMessage`` (``SPIDERMON_SLACK_SENDER_TOKEN``, ``_SENDER_NAME``,
  ``_RECIPIENTS``);
- ``telegram``: ``SendTelegramMessage`` (``SPIDERMON_TELEGRAM_SENDER_TOKEN``, ``_RECIPIENTS``);
- ``discord``: ``SendDiscordMessage`` (``SPIDERMON_DISCORD_WEBHOOK_URL``);
- ``webhook``: ours, ``SendWebhook`` (Spidermon has none): a JSON POST to
  ``MAYADEEN_ALERT_WEBHOOK_URL``.

Spidermon is an optional extra (``pip install 'mayadeen[alerts]'``); it is imported only when
``MAYADEEN_ALERTS`` names a channel.
"""

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from scrapy import Spider
from scrapy.crawler import Crawler

from mayadeen.crawl.configuration import alert_channels

logger = logging.getLogger(__name__)


def alert_line(manifest: Mapping[str, Any], path: Path | str) -> str | None:
    """The one line an alert says, or None when the run did not fail.

    >>> alert_line({"run_id": "R", "outcome": {"failed": True, "reason": "stopped because the "
    ...     "site blocked the crawl (5 blocked responses)"}}, "data/runs/R.json")
    'mayadeen run R failed: stopped because the site blocked the crawl (5 blocked responses); manifest data/runs/R.json'
    >>> alert_line({"run_id": "R", "outcome": {"failed": False, "reason": None}}, "x")
    """
    outcome = manifest.get("outcome") or {}
    if not outcome.get("failed"):
        return None
    return f"mayadeen run {manifest['run_id']} failed: {outcome.get('reason')}; manifest {path}"


class RunAlerts:
    """The alerts of a failed run, through the channels ``MAYADEEN_ALERTS`` names."""

    def __init__(self, crawler: Crawler, names: tuple[str, ...]) -> None:
        self.crawler = crawler
        self.names = names

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "RunAlerts | None":
        """The run's alerts; None without channels (the default: nothing to warn about)."""
        names = alert_channels(crawler.settings.get("MAYADEEN_ALERTS"))
        if not names:
            return None
        from mayadeen.run import spidermon_alerts  # the optional extra, only when needed

        for problem in spidermon_alerts.unconfigured(crawler, names).values():
            logger.error("%s", problem)
        return cls(crawler, names)

    def deliver(self, spider: Spider, manifest: Mapping[str, Any], path: Path) -> None:
        """Tell someone when the run whose manifest is ``manifest`` (at ``path``) failed."""
        line = alert_line(manifest, path)
        if line is None:
            return
        from mayadeen.run import spidermon_alerts  # the optional extra, only when needed

        delivered = spidermon_alerts.deliver(self.crawler, spider, self.names, line, manifest, path)
        assert self.crawler.stats is not None
        self.crawler.stats.set_value("mayadeen/alerts/sent", delivered)
