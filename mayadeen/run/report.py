"""The run's report, the last writing step of its close: health checks, the run manifest
(``<MAYADEEN_DATA_DIR>/runs/<run_id>.json``) and the summary the log ends with. A failed check is
logged as an error and recorded in the stats (``mayadeen/health/failed``), where
``mayadeen.report.outcome`` finds it and ``scrapy crawl`` exits 1.

The summary is logged when the engine has stopped, after Scrapy's stats dump and ``Spider closed``
and after the alerts: the last lines of a run's log say how it went and where its manifest is."""

import logging
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from scrapy.settings import BaseSettings
from scrapy.statscollectors import StatsCollector

from mayadeen.report import figures, lines, manifest
from mayadeen.report.health import Thresholds, run_checks
from mayadeen.report.outcome import HEALTH_FAILURES, failure_reason

logger = logging.getLogger(__name__)


class RunReport:
    def __init__(self, settings: BaseSettings, stats: StatsCollector) -> None:
        self.stats = stats
        self.thresholds = Thresholds.from_settings(settings)
        self.summary: list[str] = []
        """The summary's lines, logged last (:meth:`log_summary`)."""

    def write(
        self, run_id: str, path: Path, reason: str, outputs: Mapping[str, Any]
    ) -> dict[str, Any]:
        """Judge the run, write its manifest to ``path`` and keep its summary; returns the
        manifest's record."""
        now = datetime.now(UTC)
        earlier = manifest.baselines(path.parent, run_id, self.thresholds.min_pages)
        stats = {**self.stats.get_stats(), "finish_reason": reason}
        checks = run_checks(stats, figures.fields(stats), earlier, self.thresholds)
        failed = [check for check in checks if check.status == "failed"]
        stats[HEALTH_FAILURES] = [check.detail for check in failed]
        self.stats.set_value(HEALTH_FAILURES, stats[HEALTH_FAILURES])
        record = manifest.build(
            stats,
            run_id=run_id,
            close_reason=reason,
            now=now,
            checks=checks,
            failure=failure_reason(stats),
            outputs=outputs,
        )
        try:
            manifest.write(path, record)
        except OSError as error:
            detail = f"the run manifest could not be written to {path}: {error}"
            logger.error("%s", detail)
            self.stats.set_value(HEALTH_FAILURES, [*stats[HEALTH_FAILURES], detail])
        for check in failed:
            logger.error("health check failed: %s", check)
        self.summary = lines.summary(record, str(path))
        return record

    def log_summary(self) -> None:
        for line in self.summary:
            logger.info(line)
