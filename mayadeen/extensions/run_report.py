"""The end of a run: health checks, the run manifest (``<MAYADEEN_DATA_DIR>/runs/<run_id>.json``)
and the summary in the log. A failed check is logged as an error and recorded in the stats
(``mayadeen/health/failed``), where ``mayadeen.report.outcome`` finds it and ``scrapy crawl``
exits 1. The run's id and output paths come from its run context.

The summary is logged when the engine has stopped, after Scrapy's stats dump and ``Spider closed``
and after the alerts: the last lines of a run's log say how it went and where its manifest is."""

import logging
from datetime import UTC, datetime
from typing import Self

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.statscollectors import StatsCollector

from mayadeen.extensions.run_context import RunContext
from mayadeen.extensions.run_feeds import FeedExporter
from mayadeen.report import figures, lines, manifest
from mayadeen.report.health import Thresholds, run_checks
from mayadeen.report.outcome import HEALTH_FAILURES, failure_reason

logger = logging.getLogger(__name__)

run_reported = object()
"""Signal sent once the run's manifest is written, with ``manifest`` (the record) and ``path``:
what the alerts (``mayadeen.extensions.run_alerts``) act on, after the health checks judged."""


class RunReport:
    def __init__(self, crawler: Crawler, stats: StatsCollector) -> None:
        self.crawler = crawler
        self.stats = stats
        self.thresholds = Thresholds.from_settings(crawler.settings)
        self.summary: list[str] = []

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        assert crawler.stats is not None
        report = cls(crawler, crawler.stats)
        crawler.signals.connect(report.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(report.engine_stopped, signal=signals.engine_stopped)
        return report

    def engine_stopped(self) -> None:
        for line in self.summary:
            logger.info(line)

    async def spider_closed(self, spider: Spider, reason: str) -> None:
        context = RunContext.of(self.crawler)  # extensions are all built by now
        if not context.opened:  # the store could not be opened: no run to report on (logged)
            return
        if self.crawler.get_extension(FeedExporter) is not None:
            await context.owed.feeds_settled.wait()  # the outputs are what the feeds completed
        run_id = context.run_id
        now = datetime.now(UTC)
        path = context.manifest_path
        baseline = manifest.previous(path.parent, run_id, self.thresholds.min_pages)
        stats = {**self.stats.get_stats(), "finish_reason": reason}
        checks = run_checks(stats, figures.fields(stats), baseline, self.thresholds)
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
            outputs=context.outputs(),
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
        self.crawler.signals.send_catch_log(
            signal=run_reported, spider=spider, manifest=record, path=path
        )
