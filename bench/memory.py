"""Benchmark of memory: the peak RSS of a full first ``scrapy crawl articles`` at several site
sizes, and how it grows between them.

Each size gets its own loopback server (in its own process, not measured) and a fresh data
directory; the peak RSS is the crawl process's own ``ru_maxrss`` (``os.wait4``), not a sample.
Prints the peak at each size, the growth per 1,000 articles between sizes and a straight-line fit
(target: at most 0.5 MB per 1,000 articles from 2,000 to 100,000, i.e. memory flat in the
archive's size; and <= 250 MB at 50,000 articles). Asserts nothing.

Usage: ``python bench/memory.py [ARTICLES ...]`` (default 2000 20000 100000; a 100,000-article
crawl takes an hour on a busy machine); ``-s NAME=VALUE`` arguments after them go to every crawl.
"""

import itertools
import sys
import tempfile
from pathlib import Path

from harness import articles_crawl, load, serving

MB = 1_000_000


def main(sizes: list[int], extra: list[str]) -> None:
    print(f"memory benchmark: full first crawls of {sizes} articles; {load()}")
    peaks: list[tuple[int, int]] = []
    for articles in sizes:
        with serving(articles) as server, tempfile.TemporaryDirectory() as directory:
            crawl = articles_crawl(server, Path(directory), *extra)
        queued = int(crawl.stat("scheduler/enqueued"))
        print(
            f"  {articles:>7} articles: peak RSS {crawl.peak_rss / MB:6.0f} MB"
            f" ({crawl.peak_rss / 2**20:.0f} MiB); {queued} requests scheduled;"
            f" {crawl.summary()}; {load()}"
        )
        peaks.append((articles, crawl.peak_rss))
    for (small, low), (large, high) in itertools.pairwise(peaks):
        growth = (high - low) / (large - small) * 1000 / MB
        print(f"  {small} -> {large}: {growth:.2f} MB per 1,000 articles")
    if len(peaks) >= 2:
        xs, ys = [a for a, _ in peaks], [p / MB for _, p in peaks]
        mean_x, mean_y = sum(xs) / len(xs), sum(ys) / len(ys)
        slope = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / sum(
            (x - mean_x) ** 2 for x in xs
        )
        base = mean_y - slope * mean_x
        print(
            f"fit: peak RSS ~ {base:.0f} MB + {slope * 1000:.2f} MB per 1,000 articles"
            " (target <= 0.50)"
        )
        print(f"     at 50,000: {base + slope * 50_000:.0f} MB (target <= 250 MB)")
        print(f"     at 100,000: {base + slope * 100_000:.0f} MB")


if __name__ == "__main__":
    sizes = [int(a) for a in sys.argv[1:] if a.isdigit()]
    main(sizes or [2_000, 20_000, 100_000], [a for a in sys.argv[1:] if not a.isdigit()])
