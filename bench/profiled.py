"""``scrapy`` under cProfile with a CPU clock: ``python bench/profiled.py OUT.prof ARGS...`` runs
``scrapy ARGS...`` and writes its profile to ``OUT.prof`` (``bench/crawl_profile.py`` reads it)."""

import cProfile
import sys
import time

from scrapy.cmdline import execute


def main(output: str, arguments: list[str]) -> None:
    profile = cProfile.Profile(time.process_time)
    profile.enable()
    try:
        execute(["scrapy", *arguments])
    except SystemExit:
        pass
    finally:
        profile.disable()
        profile.dump_stats(output)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
