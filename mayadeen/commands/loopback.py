"""``scrapy loopback``: serve a loopback copy of the site, as ``scrapy bench`` serves its own."""

import argparse

from scrapy.commands import ScrapyCommand

from mayadeen.commands import one_line_errors
from mayadeen.loopback.cli import DESCRIPTION, add_arguments, serve


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False

    def syntax(self) -> str:
        return "[options]"

    def short_desc(self) -> str:
        return DESCRIPTION

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        one_line_errors(parser, "loopback")
        add_arguments(parser)

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        self.exitcode = serve(opts)
