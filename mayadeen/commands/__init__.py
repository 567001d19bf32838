"""Project commands (``scrapy <name>`` inside this project)."""

import argparse
from typing import NoReturn


def one_line_errors(parser: argparse.ArgumentParser, command: str) -> None:
    """A usage error of ``scrapy <command>`` is one line naming the cause, exit status 2, as the
    project's own checks report theirs (``scrapy crawl: error: ...``), instead of argparse's
    usage block followed by the error.

    >>> parser = argparse.ArgumentParser()
    >>> one_line_errors(parser, "export")
    >>> parser.parse_args(["--bad"])
    Traceback (most recent call last):
    SystemExit: 2
    """

    def error(message: str) -> NoReturn:
        parser.exit(2, f"scrapy {command}: error: {message}\n")

    parser.error = error  # type: ignore[method-assign]
