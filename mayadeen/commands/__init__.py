"""Project commands (``scrapy <name>`` inside this project)."""

import argparse
import sqlite3
from pathlib import Path
from typing import NoReturn

from scrapy.exceptions import UsageError
from scrapy.settings import BaseSettings, Settings, get_settings_priority

from mayadeen.crawl.configuration import SettingError, check_setting_names
from mayadeen.site.urls import site_root
from mayadeen.store import store_path
from mayadeen.store.ledger import bound_site


def known_setting_names(settings: BaseSettings | None) -> None:
    """A misspelled ``MAYADEEN_*`` setting stops a project command with one line (exit status
    2) naming the nearest valid name; ``scrapy crawl`` checks it with the values."""
    assert settings is not None
    try:
        check_setting_names(settings)
    except SettingError as error:
        raise UsageError(str(error), print_help=False) from None


def site_from_store(settings: Settings | None) -> None:
    """A command that reads a data directory (``reextract``, ``export``, ``report``) reads it as
    the site its store belongs to: ``MAYADEEN_BASE_URL`` becomes the store's root. A root given
    on the command line that is another one is a usage error (one line, exit status 2): the
    data directory is that other site's."""
    assert settings is not None
    known_setting_names(settings)
    path = store_path(Path(settings["MAYADEEN_DATA_DIR"]))
    if not path.is_file():
        return
    try:
        # immutable: a look that leaves no -wal/-shm beside a store the command may then refuse
        # to touch; a root the store recorded a moment ago is in its file by the first checkpoint.
        db = sqlite3.connect(f"{path.resolve().as_uri()}?immutable=1", uri=True)
        try:
            bound = bound_site(db)
        finally:
            db.close()
    except (sqlite3.DatabaseError, OSError):
        return  # the command says what is wrong with the store
    if bound is None:
        return
    given = settings.getpriority("MAYADEEN_BASE_URL") or 0
    if (
        given > get_settings_priority("project")
        and site_root(settings["MAYADEEN_BASE_URL"]) != bound
    ):
        raise UsageError(
            f"MAYADEEN_BASE_URL={settings['MAYADEEN_BASE_URL']} but the store {path} holds "
            f"{bound}: this command reads that site's data; drop the setting, or set "
            "MAYADEEN_DATA_DIR to the data directory of the site you mean",
            print_help=False,
        )
    settings.set("MAYADEEN_BASE_URL", bound, priority="cmdline")


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
