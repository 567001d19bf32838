"""``scrapy crawl``, as Scrapy's, plus what a scheduled crawler needs: spider arguments and the data
directory are checked before anything starts (``mayadeen.crawl.preflight``: a usage error exits 2,
a data directory that cannot be used 1, each with one line), the data directory is locked for the
crawl, and a run that failed exits non-zero with a one-line reason."""

import argparse
import logging
import sys

from scrapy.commands.crawl import Command as ScrapyCrawlCommand
from scrapy.exceptions import UsageError

from mayadeen.crawl.arguments import ArgumentError, parse_arguments
from mayadeen.crawl.preflight import OtherSiteError, preflight
from mayadeen.middlewares.archive import archive_enabled
from mayadeen.report.outcome import failure_reason
from mayadeen.store.files import DataDirError

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
        try:
            lock = preflight(self.settings)
        except OtherSiteError as error:
            raise UsageError(str(error), print_help=False) from None
        except DataDirError as error:
            print(f"mayadeen: {error}", file=sys.stderr)
            self.exitcode = 1
            return
        crawler = self._create_crawler(args[0])
        self.crawler_process.crawl(crawler, **opts.spargs)
        self.crawler_process.start()
        lock.release()
        if self.crawler_process.bootstrap_failed:
            self.exitcode = 1
            return
        if crawler.stats is not None and (reason := failure_reason(crawler.stats.get_stats())):
            self.exitcode = 1
            logger.error("run failed: %s", reason)
            if crawler.settings.get("LOG_FILE"):  # stderr is what cron mails
                print(f"mayadeen: run failed: {reason}", file=sys.stderr)
