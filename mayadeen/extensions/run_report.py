"""The end of a run: health checks, the run manifest (``<MAYADEEN_DATA_DIR>/runs/<run_id>.json``)
and the summary in the log. A failed check is logged as an error and recorded in the stats
(``mayadeen/health/failed``), where ``mayadeen.report.outcome`` finds it and ``scrapy crawl`` exits 1."""

import logging
from datetime import UTC, datetime
from typing import Self

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.statscollectors import StatsCollector

from mayadeen.pipelines.feed import feed_path
from mayadeen.pipelines.validate import quarantine_path
from mayadeen.report import figures, lines, manifest
from mayadeen.report.health import Thresholds, run_checks
from mayadeen.report.outcome import HEALTH_FAILURES, failure_reason
from mayadeen.run import crawl_run, data_dir
from mayadeen.store import store_path

logger = logging.getLogger(__name__)


class RunReport:
    def __init__(self, crawler: Crawler, stats: StatsCollector) -> None:
        self.crawler = crawler
        self.stats = stats
        self.thresholds = Thresholds.from_settings(crawler.settings)
        self.data_dir = data_dir(crawler)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        assert crawler.stats is not None
        report = cls(crawler, crawler.stats)
        crawler.signals.connect(report.spider_closed, signal=signals.spider_closed)
        return report

    def spider_closed(self, spider: Spider, reason: str) -> None:
        run_id = crawl_run(self.crawler).run_id
        now = datetime.now(UTC)
        directory = manifest.runs_dir(self.data_dir)
        baseline = manifest.previous(directory, run_id, self.thresholds.min_pages)
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
            outputs=self._outputs(run_id),
        )
        path = manifest.write(directory, record)
        for check in failed:
            logger.error("health check failed: %s", check)
        for line in lines.summary(record, str(path)):
            logger.info(line)

    def _outputs(self, run_id: str) -> dict[str, str]:
        feed_format = self.crawler.settings.get("MAYADEEN_FEED_FORMAT", "csv")
        return {
            "store": str(store_path(self.data_dir)),
            "feed": str(feed_path(self.data_dir, run_id, feed_format)),
            "quarantine": str(quarantine_path(self.data_dir, run_id)),
        }
