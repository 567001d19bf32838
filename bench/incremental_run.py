"""Benchmark of incremental runs: a first ``scrapy crawl articles`` of a generated site, then a
second run into the same store after the site gained 1% new articles.

The site is served from its own process; for the second run a server of the larger site (the
same seed: the same articles plus the new ones) takes the same port, so stored URLs still match.
Prints requests and seconds of each run and the second's share of the first (target <= 5% of
requests), and whether the second run stored exactly the new articles. Asserts nothing.

Usage: ``python bench/incremental_run.py [ARTICLES] [NEW_PERCENT]`` (default 10000 1).
"""

import sys
import tempfile
from pathlib import Path

from harness import articles_crawl, free_port, load, serving


def main(articles: int, percent: float) -> None:
    new = max(1, round(articles * percent / 100))
    print(f"incremental benchmark: {articles} articles, then {new} new; {load()}")
    port = free_port()
    with tempfile.TemporaryDirectory() as directory:
        data_dir = Path(directory)
        with serving(articles, port) as server:
            first = articles_crawl(server, data_dir)
        print(f"  first run:  {first.summary()}; process {first.wall:.1f} s")
        with serving(articles + new, port) as server:
            second = articles_crawl(server, data_dir)
        print(f"  second run: {second.summary()}; process {second.wall:.1f} s")
    stored = int(second.stat("mayadeen/items/new"))
    changed = int(second.stat("mayadeen/items/updated") + second.stat("mayadeen/items/unchanged"))
    verdict = "exactly the new ones" if stored == new and not changed else "NOT just the new ones"
    print(f"second run stored {stored} new, {changed} updated or unchanged: {verdict}")
    requests = len(second.requests) / len(first.requests)
    print(
        f"requests  first {len(first.requests):>7}  second {len(second.requests):>6}"
        f"   share {requests:6.1%}  (target <= 5%)"
    )
    print(
        f"seconds   first {first.seconds:7.1f}  second {second.seconds:6.1f}"
        f"   share {second.seconds / first.seconds:6.1%}  (Scrapy's elapsed_time_seconds)"
    )
    print(
        f"process   first {first.wall:7.1f}  second {second.wall:6.1f}"
        f"   share {second.wall / first.wall:6.1%}  (wall clock, start-up included); {load()}"
    )


if __name__ == "__main__":
    main(
        int(sys.argv[1]) if len(sys.argv) > 1 else 10_000,
        float(sys.argv[2]) if len(sys.argv) > 2 else 1.0,
    )
