"""The ``mayadeen`` command (a console script, ``pyproject.toml``): Scrapy's command line with the
project's settings, from any directory.

``scrapy export`` finds the project through ``scrapy.cfg`` in the working directory or above it;
elsewhere Scrapy knows no project and no project command (``Unknown command: export``).
``mayadeen export ...`` is ``scrapy export ...`` with ``SCRAPY_SETTINGS_MODULE=mayadeen.settings``,
wherever it runs: what an analyst with a copy of ``data/`` types (``docs/analysis.md``), and what a
Scrapyd host, which installs the project as a package, runs by hand. Every command and option is
Scrapy's or the project's own (``mayadeen crawl articles``, ``mayadeen report``, ...); paths are
relative to the working directory as ever (``MAYADEEN_DATA_DIR`` defaults to ``data``).
"""

import os
import sys

from scrapy.cmdline import execute

SETTINGS_MODULE = "mayadeen.settings"


def main(argv: list[str] | None = None) -> None:
    """Run ``scrapy`` with ``argv`` (default: this process's arguments) and the project's settings
    (another project's ``SCRAPY_SETTINGS_MODULE`` in the environment is not this command's)."""
    os.environ["SCRAPY_SETTINGS_MODULE"] = SETTINGS_MODULE
    execute(["scrapy", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()
