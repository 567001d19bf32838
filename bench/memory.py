"""Benchmark of memory: the peak RSS of a full first ``scrapy crawl articles`` at several site
sizes, and how it grows between them.

Each size gets its own loopback server (in its own process, not measured) and a fresh data
directory; the peak RSS is the crawl process's own ``ru_maxrss`` (``os.wait4``), not a sample.
Prints the peak at each size, the growth per 1,000 articles between sizes and a straight-line fit
(target: at most 0.5 MB per 1,000 articles from 2,000 to 100,000, i.e. memory flat in the
archive's size; and <= 250 MB at 50,000 articles). Asserts nothing.

Usage: ``python bench/memory.py [ARTICLES ...]`` (default 2000 20000 100000; a 100,000-article
crawl takes 27 minutes on a busy machine); ``-s NAME=VALUE`` arguments after them go to every crawl.
Give the sizes in ascending order or the large one alone: a crawl's ``ru_maxrss`` counts this
process's resident memory when it starts the crawl, and after a 100,000-article crawl this process
holds the server's request log (130 MiB).

``python bench/memory.py --probe=A,B ARTICLES`` crawls once with ``bench/memprobe.py``: the
process's memory every 1,000 items, and what was allocated between items A and B and is still
alive at B (tracemalloc, started at A: the crawl runs 2-4x slower from there), printed at the end.
"""

import itertools
import json
import sys
import tempfile
from pathlib import Path

from harness import articles_crawl, load, serving

from mayadeen import settings as project_settings

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


def probe(articles: int, at: str, extra: list[str]) -> None:
    """One crawl of ``articles`` with the memory probe between items ``at`` ("A,B")."""
    extensions = {**project_settings.EXTENSIONS, "bench.memprobe.MemProbe": 1000}
    with tempfile.TemporaryDirectory() as directory:
        report = Path(directory) / "memprobe.txt"
        settings = {
            "EXTENSIONS": json.dumps(extensions),
            "MEMPROBE_FILE": str(report),
            "MEMPROBE_AT": at,
        }
        arguments = [a for name, value in settings.items() for a in ("-s", f"{name}={value}")]
        print(
            f"memory probe: a first crawl of {articles} articles, traced from item {at}; {load()}"
        )
        with serving(articles) as server:
            crawl = articles_crawl(server, Path(directory), *arguments, *extra)
        print(report.read_text(), end="")
    print(f"  peak RSS {crawl.peak_rss / MB:.0f} MB; {crawl.summary()}; {load()}")


if __name__ == "__main__":
    arguments = sys.argv[1:]
    sizes = [int(a) for a in arguments if a.isdigit()]
    probing = [a.partition("=")[2] for a in arguments if a.startswith("--probe=")]
    extra = [a for a in arguments if not a.isdigit() and not a.startswith("--probe=")]
    if probing:
        probe(sizes[0] if sizes else 20_000, probing[0], extra)
    else:
        main(sizes or [2_000, 20_000, 100_000], extra)
