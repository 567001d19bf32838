"""Benchmark of the WARC archive: what it costs the crawl, and how fast ``scrapy reextract`` is.

1. The crawl's cost: the same generated site crawled with ``MAYADEEN_ARCHIVE=off`` and ``on``
   (fresh data directories, best of the rounds by CPU): crawler CPU per page with and without
   the archive, the difference as a share of the crawl's CPU per page (target <= 10%), and the
   archive's bytes per article page.
2. ``scrapy reextract`` over that archive (ARTICLES pages): once into a store emptied of its
   articles (every page read, decompressed, extracted, validated and stored as new, with the
   per-run feeds), once again with nothing changed; pages/s from Scrapy's elapsed time and per
   CPU second of the process (target >= 1,000 on one core).

Usage: ``python bench/archive.py [ARTICLES] [ROUNDS]`` (default 10000 2). Asserts nothing.
"""

import shutil
import sqlite3
import sys
import tempfile
from pathlib import Path

from harness import Crawl, articles_crawl, load, run_crawl, serving


def archive_bytes(data_dir: Path) -> int:
    return sum(path.stat().st_size for path in (data_dir / "archive").glob("*.warc.gz"))


def per_page_ms(crawl: Crawl) -> float:
    return 1000 * crawl.cpu / crawl.pages if crawl.pages else 0.0


def main() -> None:
    articles = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 2
    print(f"archive benchmark: {articles} articles, {rounds} rounds ({load()})")
    with tempfile.TemporaryDirectory() as scratch, serving(articles) as server:
        best: dict[str, tuple[Crawl, Path]] = {}
        for number in range(rounds):
            for mode in ("off", "on"):
                data_dir = Path(scratch) / f"{mode}-{number}"
                crawl = articles_crawl(server, data_dir, "-s", f"MAYADEEN_ARCHIVE={mode}")
                print(f"  round {number + 1}, archive {mode:3}: {crawl.summary()}")
                if mode not in best or crawl.cpu < best[mode][0].cpu:
                    best[mode] = (crawl, data_dir)
        off, on = best["off"][0], best["on"][0]
        data_dir = best["on"][1]
        article_pages = int(on.stat("mayadeen/pages/article"))
        share = (per_page_ms(on) - per_page_ms(off)) / per_page_ms(off)
        print(
            f"crawl CPU per page: {per_page_ms(off):.2f} ms without the archive, "
            f"{per_page_ms(on):.2f} ms with it: {share:+.1%} (target <= +10%)"
        )
        print(
            f"archive: {archive_bytes(data_dir) / 2**20:.1f} MiB for {article_pages} article "
            f"pages = {archive_bytes(data_dir) / max(article_pages, 1) / 1024:.1f} KiB a page"
        )

        replay = Path(scratch) / "replay"
        shutil.copytree(data_dir, replay)
        with sqlite3.connect(replay / "articles.sqlite") as db:
            for table in ("articles", "article_tags", "article_versions", "aliases"):
                db.execute(f"DELETE FROM {table}")  # noqa: S608 (constant names)
        command = ["reextract", "-s", f"MAYADEEN_BASE_URL={server.root}", "-s", "LOG_LEVEL=INFO"]
        for label in ("into an empty store", "again, nothing changed"):
            run = run_crawl(server, command, replay)
            if run.returncode != 0:
                sys.exit(f"scrapy reextract failed ({run.returncode}):\n{run.log[-3000:]}")
            pages = int(run.stat("mayadeen/reextract/pages"))
            seconds = run.stat("elapsed_time_seconds")
            print(
                f"reextract {label}: {pages} pages in {seconds:.1f} s = "
                f"{pages / seconds:,.0f} pages/s ({pages / run.cpu:,.0f} per CPU s of the "
                f"process, start-up included; wall {run.wall:.1f} s), "
                f"{int(run.stat('mayadeen/items/new'))} new, "
                f"{int(run.stat('mayadeen/items/unchanged'))} unchanged, "
                f"peak RSS {run.peak_rss / 2**20:.0f} MiB"
            )


if __name__ == "__main__":
    main()
