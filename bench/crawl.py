"""Benchmark of the crawl: ``scrapy crawl articles`` against a bare spider that only follows the
same links, on one generated loopback site served from its own process, in one run.

Each round runs the bare spider, then the real crawl into a fresh data directory; the figures
are the best of the rounds. Prints pages/s of both and their ratio (target >= 0.8), the CPU and
peak RSS of each crawl process, how busy the server was (one core at most: if it were near 100%,
the server and not the crawler would set the pace), and whether both fetched the same pages.
Asserts nothing.

Usage: ``python bench/crawl.py [ARTICLES] [ROUNDS]`` (default 10000 3); ``-s NAME=VALUE``
arguments after them go to both crawls (e.g. ``-s CONCURRENT_REQUESTS=64``).
"""

import sys
import tempfile
from pathlib import Path

from harness import Crawl, articles_crawl, bare_crawl, load, serving


def compare_pages(bare: Crawl, real: Crawl) -> str:
    """Whether both crawls asked the server for the same pages (robots.txt counted once)."""
    only_bare, only_real = bare.paths() - real.paths(), real.paths() - bare.paths()
    if not only_bare and not only_real:
        return f"same {len(real.paths())} distinct pages requested by both"
    return (
        f"NOT the same pages: {len(only_bare)} only by the bare spider (e.g. "
        f"{sorted(only_bare)[:3]}), {len(only_real)} only by the real crawl (e.g. "
        f"{sorted(only_real)[:3]})"
    )


def main(articles: int, rounds: int, extra: list[str]) -> None:
    print(f"crawl benchmark: {articles} generated articles, best of {rounds} rounds; {load()}")
    bare_runs: list[Crawl] = []
    real_runs: list[Crawl] = []
    with serving(articles) as server:
        for number in range(1, rounds + 1):
            bare = bare_crawl(server, *extra)
            print(f"  round {number} bare spider:     {bare.summary()}")
            with tempfile.TemporaryDirectory() as directory:
                real = articles_crawl(server, Path(directory), *extra)
            print(f"  round {number} crawl articles:  {real.summary()}")
            print(
                f"  round {number} ratio {real.pages_per_second / bare.pages_per_second:.2f}; {load()}"
            )
            bare_runs.append(bare)
            real_runs.append(real)
    bare = max(bare_runs, key=lambda crawl: crawl.pages_per_second)
    real = max(real_runs, key=lambda crawl: crawl.pages_per_second)
    stored = int(real.stat("mayadeen/items/new"))
    print(f"pages: {compare_pages(bare, real)}; the real crawl stored {stored} new articles")
    print(f"bare spider     {bare.pages_per_second:7.0f} pages/s   (best of {rounds})")
    print(f"crawl articles  {real.pages_per_second:7.0f} pages/s   (best of {rounds})")
    print(
        f"ratio           {real.pages_per_second / bare.pages_per_second:7.2f}"
        "   of the bare spider's pages/s (target >= 0.8)"
    )
    busiest = max(crawl.server_share for crawl in bare_runs + real_runs)
    print(f"server CPU at most {busiest:.0%} of a core; {load()}")


if __name__ == "__main__":
    numbers = [int(a) for a in sys.argv[1:3] if a.isdigit()]
    numbers += [10_000, 3][len(numbers) :]
    main(numbers[0], numbers[1], sys.argv[1 + sum(a.isdigit() for a in sys.argv[1:3]) :])
