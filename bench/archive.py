"""Benchmark of the WARC archive: what it costs the crawl, and how fast ``scrapy reextract`` is.

1. The crawl's cost: the same generated site crawled with ``MAYADEEN_ARCHIVE=off`` and ``on``
   (fresh data directories, best of the rounds by CPU): crawler CPU per page with and without
   the archive, the difference as a share of the crawl's CPU per page (target <= 10%), and the
   archive's bytes per article page.
2. ``scrapy reextract`` over that archive (ARTICLES pages): once into a store emptied of its
   articles (every page read, decompressed, extracted, validated and stored as new, with the
   per-run feeds), once again with nothing changed; pages/s from Scrapy's elapsed time and per
   CPU second of the process (target >= 1,000 on one core), beside the floor of any
   re-extraction: the same records only read from the WARC and parsed by lxml, nothing extracted,
   validated or stored.

Usage: ``python bench/archive.py [ARTICLES] [ROUNDS]`` (default 10000 2). With
``--reextract-only`` instead of ROUNDS, no crawl: the archive of the generated site is written
directly (``ArchiveWriter``, live-site URLs) and only step 2 runs. Asserts nothing.
"""

import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from harness import ROOT, SCRAPY, Crawl, articles_crawl, load, run_crawl, serving
from lxml import etree
from warcio.archiveiterator import ArchiveIterator

from mayadeen.loopback import GeneratedSite
from mayadeen.site.urls import LIVE_ROOT
from mayadeen.store import Store
from mayadeen.warc.index import add_capture
from mayadeen.warc.writing import ArchiveWriter, Exchange


def archive_bytes(data_dir: Path) -> int:
    return sum(path.stat().st_size for path in (data_dir / "archive").glob("*.warc.gz"))


def per_page_ms(crawl: Crawl) -> float:
    return 1000 * crawl.cpu / crawl.pages if crawl.pages else 0.0


def write_archive(articles: int, data_dir: Path) -> None:
    """The generated site's article pages archived and indexed as a crawl would (no crawl)."""
    site = GeneratedSite(articles, seed=1)
    with Store.open(data_dir / "articles.sqlite") as store:
        archive = ArchiveWriter(data_dir / "archive", "bench", 1 << 30, {"software": "bench"})
        for article in site.articles_by_index:
            page = site.get(article.entry.path)
            assert page is not None
            url = LIVE_ROOT + article.entry.path
            headers = [("Content-Type", page.content_type)]
            exchange = Exchange(url, "GET", [], page.status, headers, page.body)
            add_capture(store.db, url, archive.write(exchange), "bench", False)
        archive.close()


def read_and_parse(data_dir: Path) -> tuple[int, float]:
    """Pages read from the archive and parsed by lxml, and the CPU seconds it took: the part of
    a re-extraction no extraction rule can make cheaper."""
    parser = etree.HTMLParser(recover=True, encoding="utf-8")
    pages, started = 0, time.process_time()
    for path in sorted((data_dir / "archive").glob("*.warc.gz")):
        with path.open("rb") as stream:
            for record in ArchiveIterator(stream):
                if record.rec_type == "response":
                    etree.fromstring(record.content_stream().read(), parser)
                    pages += 1
    return pages, time.process_time() - started


def reextract_only(articles: int) -> None:
    print(f"reextract benchmark: {articles} archived pages, no crawl ({load()})")
    with tempfile.TemporaryDirectory() as scratch:
        data_dir = Path(scratch)
        write_archive(articles, data_dir)
        pages, floor_cpu = read_and_parse(data_dir)
        print(
            f"floor (WARC read + lxml parse only): {pages} pages, CPU {floor_cpu:.1f} s = "
            f"{pages / floor_cpu:,.0f} pages per CPU s"
        )
        env = {**os.environ, "MAYADEEN_DATA_DIR": str(data_dir)}
        for label in ("into an empty store", "again, nothing changed"):
            started = time.perf_counter()
            process = subprocess.Popen(
                [*SCRAPY, "reextract", "-s", "LOG_LEVEL=WARNING"],
                cwd=ROOT,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                text=True,
            )
            assert process.stdout is not None
            summary = process.stdout.readline().strip()
            process.stdout.read()
            _, _, usage = os.wait4(process.pid, 0)
            wall = time.perf_counter() - started
            cpu = usage.ru_utime + usage.ru_stime
            print(
                f"reextract {label}: {articles} pages, wall {wall:.1f} s = {articles / wall:,.0f}"
                f" pages/s; CPU {cpu:.1f} s = {articles / cpu:,.0f} pages per CPU s (start-up"
                f" included; {floor_cpu / cpu:.0%} of it the floor); {summary}"
            )


def main() -> None:
    articles = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    if "--reextract-only" in sys.argv:
        reextract_only(articles)
        return
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
