"""The progress line: Scrapy's periodic stats line, with the figures a user of this crawl watches
(pages and their rate, articles new/updated/unchanged, quarantined, blocked). Its interval is
Scrapy's ``LOGSTATS_INTERVAL`` (seconds; 0 turns it off)."""

import logging

from scrapy import Spider
from scrapy.extensions.logstats import LogStats

from mayadeen.report import lines

logger = logging.getLogger(__name__)


class ProgressLog(LogStats):
    """Replaces ``scrapy.extensions.logstats.LogStats`` (which the settings turn off); its final
    ``responses_per_minute`` and ``items_per_minute`` stats are kept."""

    def log(self, spider: Spider) -> None:
        self.calculate_stats()
        logger.info(lines.progress(self.stats.get_stats(), self.prate), extra={"spider": spider})
