"""``scrapy crawl``, as Scrapy's, plus what a scheduled crawler needs: spider arguments and the data
directory are checked before anything starts (``mayadeen.crawl.preflight``: a usage error exits 2,
a data directory that cannot be used 1, each with one line; an ``-o``/``-O`` onto a file the data
directory manages is a usage error: ``mayadeen.store.outputs``), the data directory is locked for the
crawl, and a run that failed exits non-zero with a one-line reason."""

import argparse
import logging
import sys

from scrapy.commands import ScrapyHelpFormatter
from scrapy.commands.crawl import Command as ScrapyCrawlCommand

from mayadeen.commands import one_line_errors
from mayadeen.crawl.arguments import (
    SPIDER_ARGUMENTS,
    ArgumentError,
    check_names,
    check_urls,
    parse_arguments,
    parse_via,
)
from mayadeen.crawl.configuration import SettingError, check_settings
from mayadeen.crawl.preflight import OtherSiteError, preflight
from mayadeen.middlewares.warc import archive_enabled
from mayadeen.report.outcome import failure_reason
from mayadeen.run.paths import data_dir
from mayadeen.site.urls import site_root
from mayadeen.store.files import DataDirError
from mayadeen.store.outputs import managed_feed

logger = logging.getLogger(__name__)
CHECKED_ARGUMENTS = ("sections", "since", "max_articles", "full")


class _HelpFormatter(ScrapyHelpFormatter):
    """Scrapy's, keeping the description's lines (the spider arguments' table) as written."""

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        return "".join(indent + line for line in text.splitlines(keepends=True))


class Command(ScrapyCrawlCommand):
    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        one_line_errors(parser, "crawl")
        parser.formatter_class = _HelpFormatter

    def long_desc(self) -> str:
        listed = "\n".join(f"  {name:<13} {does}" for name, does in SPIDER_ARGUMENTS.items())
        return (
            f"{super().long_desc()}\n\nArguments of the articles spider (-a NAME=VALUE, all "
            f"optional):\n{listed}\n\nSettings (-s NAME=VALUE): see the README's settings table."
        )

    def _usage_error(self, message: str) -> None:
        """Exit status 2 with one line on stderr, and in the log file when there is one: a
        Scrapyd job's log (its ``log_url``) is that file, its stderr goes to Scrapyd's own log."""
        print(f"scrapy crawl: error: {message}", file=sys.stderr)
        assert self.settings is not None
        if self.settings.get("LOG_FILE"):
            logger.error("scrapy crawl: error: %s", message)
        self.exitcode = 2

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1:
            super().run(args, opts)  # Scrapy's own usage errors
            return
        try:  # before anything is fetched or a run recorded: exit 2 with one line
            assert self.settings is not None
            check_settings(self.settings)
            check_names(opts.spargs)
            parse_arguments(**{k: v for k, v in opts.spargs.items() if k in CHECKED_ARGUMENTS})
            archive_enabled(self.settings)
            parse_via(opts.spargs.get("via"))
            if "urls" in opts.spargs:
                check_urls(opts.spargs["urls"], site_root(self.settings["MAYADEEN_BASE_URL"]))
            if refused := managed_feed(self.settings.getdict("FEEDS"), data_dir(self.settings)):
                raise ValueError(refused)
        except (ArgumentError, SettingError, ValueError) as error:
            # One line (no usage block, no traceback), as cron mails it; Scrapy's usage exit status.
            self._usage_error(str(error))
            return
        assert self.crawler_process is not None
        try:
            lock = preflight(self.settings)
        except OtherSiteError as error:  # a usage error: this data directory is another site's
            self._usage_error(str(error))
            return
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
