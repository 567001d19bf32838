"""``scrapy crawl``, as Scrapy's, plus two things a scheduled crawler needs: spider arguments are
checked before anything starts, and a run that failed exits non-zero with a one-line reason."""

import argparse
import logging
import sys

from scrapy.commands.crawl import Command as ScrapyCrawlCommand
from scrapy.exceptions import UsageError

from mayadeen.crawl.arguments import ArgumentError, parse_arguments
from mayadeen.middlewares.archive import archive_enabled
from mayadeen.report.outcome import failure_reason

logger = logging.getLogger(__name__)
CHECKED_ARGUMENTS = ("sections", "since", "max_articles", "full")


class Command(ScrapyCrawlCommand):
    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1:
            super().run(args, opts)  # Scrapy's own usage errors
            return
        try:
            parse_arguments(**{k: v for k, v in opts.spargs.items() if k in CHECKED_ARGUMENTS})
        except ArgumentError as error:
            raise UsageError(str(error), print_help=False) from None
        assert self.settings is not None
        try:
            archive_enabled(self.settings)
        except ValueError as error:
            raise UsageError(str(error), print_help=False) from None
        assert self.crawler_process is not None
        crawler = self._create_crawler(args[0])
        self.crawler_process.crawl(crawler, **opts.spargs)
        self.crawler_process.start()
        if self.crawler_process.bootstrap_failed:
            self.exitcode = 1
            return
        if crawler.stats is not None and (reason := failure_reason(crawler.stats.get_stats())):
            self.exitcode = 1
            logger.error("run failed: %s", reason)
            if crawler.settings.get("LOG_FILE"):  # stderr is what cron mails
                print(f"mayadeen: run failed: {reason}", file=sys.stderr)
