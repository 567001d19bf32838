"""Where the crawl's CPU per page goes, against the list-fetch floor: ``scrapy crawl articles``
and Scrapy's defaults fetching the same article list (``bench/list_spider.py``), each under
cProfile with a CPU clock (``bench/profiled.py``), on one generated loopback site served from its
own process. Prints, per article page, the CPU of each part of the crawl (cumulative time of the
functions named in ``PARTS``; a part nested in another is indented under it) and of the floor.
Profiling inflates Python-heavy code more than C: read the shares, and the unprofiled figures of
``bench/crawl.py`` for the totals. Asserts nothing.

Usage: ``python bench/crawl_profile.py [ARTICLES]`` (default 3000).
"""

import pstats
import sys
import tempfile
from pathlib import Path

import harness
from crawl import article_urls
from harness import Crawl, articles_crawl, list_crawl, load, serving

PROFILED = Path(__file__).resolve().parent / "profiled.py"

PARTS: tuple[tuple[int, str, str, str], ...] = (
    (0, "the article callback", "mayadeen/spiders/articles.py", "parse_article"),
    (1, "extract() (parse, sources, loader)", "mayadeen/pages/extract.py", "extract"),
    (2, "the page's parse (lxml)", "mayadeen/pages/extract.py", "page_tree"),
    (2, "the item loader's fields", "mayadeen/pages/loader.py", "add_first"),
    (1, "field sources counted in the stats", "mayadeen/pages/extract.py", "count"),
    (0, "validation pipeline", "mayadeen/pipelines/validate.py", "process_item"),
    (0, "duplicates pipeline", "mayadeen/pipelines/dedupe.py", "process_item"),
    (0, "store pipeline", "mayadeen/pipelines/store.py", "process_item"),
    (1, "Store.put (row, tags, versions)", "mayadeen/store/db.py", "put"),
    (2, "near-duplicates (MinHash, LSH)", "mayadeen/store/near_duplicates.py", "update"),
    (1, "commits (full-text fill included)", "mayadeen/store/db.py", "commit"),
    (2, "the full-text fill", "mayadeen/store/search.py", "fill_search"),
    (0, "per-run feeds (CSV, JSON lines)", "scrapy/extensions/feedexport.py", "item_scraped"),
    (0, "the WARC record of each page", "mayadeen/middlewares/warc.py", "process_response"),
    (0, "the ledger: owed before sending", "mayadeen/run/ledger.py", "owe"),
    (
        0,
        "discovery callbacks (listings, sitemaps)",
        "mayadeen/spiders/articles.py",
        "parse_listing",
    ),
    (0, "scheduler queue push (pickled)", "mayadeen/squeues.py", "push"),
)
"""(depth, label, file, function): the parts of the crawl, cumulative CPU in the profile."""


def profiled(output: Path) -> list[str]:
    return [sys.executable, str(PROFILED), str(output)]


def cumulative(stats: pstats.Stats, file: str, function: str) -> float:
    """The cumulative seconds of every function of that name in that file (recursion once)."""
    table = stats.stats  # type: ignore[attr-defined]
    return sum(
        row[3] for (path, _, name), row in table.items() if name == function and path.endswith(file)
    )


def total(stats: pstats.Stats) -> float:
    return float(stats.total_tt)  # type: ignore[attr-defined]


def main(articles: int) -> None:
    print(f"crawl profile: {articles} generated articles; {load()}")
    with tempfile.TemporaryDirectory() as directory, serving(articles) as server:
        real_profile, list_profile = Path(directory, "real.prof"), Path(directory, "list.prof")
        harness.SCRAPY = profiled(real_profile)
        real: Crawl = articles_crawl(server, Path(directory, "data"))
        fetched = article_urls(real, server.root)
        harness.SCRAPY = profiled(list_profile)
        floor: Crawl = list_crawl(server, fetched)
        real_stats, list_stats = pstats.Stats(str(real_profile)), pstats.Stats(str(list_profile))
    pages = real.pages
    real_total, list_total = total(real_stats), total(list_stats)
    print(f"crawl articles: {pages} pages; fetch the article list: {floor.pages} pages; {load()}")
    print(f"{'profiled CPU per page (µs)':<48} {'µs':>7} {'share':>6}")
    print(f"{'crawl articles, all':<48} {real_total / pages * 1e6:7.0f} {1:6.0%}")
    for depth, label, file, function in PARTS:
        seconds = cumulative(real_stats, file, function)
        name = "  " * (depth + 1) + label
        print(f"{name:<48} {seconds / pages * 1e6:7.0f} {seconds / real_total:6.0%}")
    floor_per_page = list_total / floor.pages
    print(f"{'fetch the article list (the floor), all':<48} {floor_per_page * 1e6:7.0f}")
    ratio = floor_per_page / (real_total / pages)
    print(f"profiled ratio, floor over crawl per page: {ratio:.2f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3000)
