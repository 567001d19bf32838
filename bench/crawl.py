"""Benchmark of the crawl: ``scrapy crawl articles`` against a bare spider that only follows the
same links, on one generated loopback site served from its own process, in one run.

Each round runs the bare spider, then the real crawl into a fresh data directory, then Scrapy's
defaults fetching the article pages that crawl fetched from a list (no discovery, nothing read:
the floor); the figures are the best of the rounds. Prints pages/s and pages per CPU second of
each and the real crawl's ratio to each (target >= 0.8 of the bare spider's pages/s, and of the
list fetch's pages per CPU second), the CPU and
peak RSS of each crawl process, how busy the server was (one core at most: if it were near 100%,
the server and not the crawler would set the pace), and whether both fetched the same pages.
Asserts nothing.

Usage: ``python bench/crawl.py [ARTICLES] [ROUNDS]`` (default 10000 3); ``-s NAME=VALUE``
arguments after them go to both crawls (e.g. ``-s CONCURRENT_REQUESTS=64``).
"""

import sys
import tempfile
from pathlib import Path

from harness import TUNING, Crawl, articles_crawl, bare_crawl, list_crawl, load, serving

from mayadeen.site.urls import url_shape

KINDS = {
    "bare spider": "bare",
    f"bare spider + {'+'.join(TUNING)}": "tuned",
    "crawl articles": "real",
    "fetch the article list": "list",
}
"""The crawls of a round: the bare spider with Scrapy's defaults, the same with the engine
tuning the project sets (``harness.TUNING``), the real crawl, and Scrapy's defaults fetching
the real crawl's article pages from a list (``bench/list_spider.py``)."""


def article_urls(crawl: Crawl, root: str) -> list[str]:
    """The article pages a crawl fetched (sorted)."""
    urls = [f"{root}{path}" for path in sorted(crawl.paths())]
    return [url for url in urls if url_shape(url) == "article"]


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
    runs: dict[str, list[Crawl]] = {name: [] for name in KINDS}
    with serving(articles) as server:
        for number in range(1, rounds + 1):
            for name, kind in KINDS.items():
                if kind == "real":
                    with tempfile.TemporaryDirectory() as directory:
                        crawl = articles_crawl(server, Path(directory), *extra)
                    fetched = article_urls(crawl, server.root)
                elif kind == "list":
                    crawl = list_crawl(server, fetched, *extra)
                else:
                    crawl = bare_crawl(server, *extra, tuned=kind == "tuned")
                runs[name].append(crawl)
                print(f"  round {number} {name:<22} {crawl.summary()}")
            print(f"  round {number}: {load()}")
    best = {name: max(crawls, key=lambda c: c.pages_per_second) for name, crawls in runs.items()}
    real = best["crawl articles"]
    stored = int(real.stat("mayadeen/items/new"))
    print(f"pages: {compare_pages(best['bare spider'], real)}; crawl articles stored {stored}")
    cpu = {name: max(c.pages_per_cpu_second for c in crawls) for name, crawls in runs.items()}
    print(f"best of {rounds}:                  pages/s   pages per CPU second (ratio)")
    for name, crawl in best.items():
        ratio = f"{real.pages_per_second / crawl.pages_per_second:5.2f}"
        cpu_ratio = f"{cpu['crawl articles'] / cpu[name]:5.2f}"
        print(
            f"  {name:<24} {crawl.pages_per_second:7.0f} ({ratio})  {cpu[name]:7.0f} ({cpu_ratio})"
        )
    print(
        "  ratios: crawl articles over each (targets: >= 0.8 of the bare spider's pages/s, and"
        " of the article list's pages per CPU second)"
    )
    busiest = max(crawl.server_share for crawls in runs.values() for crawl in crawls)
    print(f"server CPU at most {busiest:.0%} of a core; {load()}")


if __name__ == "__main__":
    numbers = [int(a) for a in sys.argv[1:3] if a.isdigit()]
    numbers += [10_000, 3][len(numbers) :]
    main(numbers[0], numbers[1], sys.argv[1 + sum(a.isdigit() for a in sys.argv[1:3]) :])
