"""Benchmark of an article's write path: the CPU each of its three write steps costs per item.

The steps a crawl and ``scrapy reextract`` both pay for every article (the archive only in a
crawl), each driven as Scrapy drives it, with the project's settings and extensions (the tests'
``opened_run``), over the generated site's pages and items:

- ``store``: the store pipeline's step (``StoreWriter.store_article``: ``Store.put`` with the
  full-text index, tags, the capture, the origin; ``RunLedger.stored``), new articles into a fresh
  store, commits included;
- ``feeds``: the feed exporter's ``item_scraped`` (the per-run CSV and JSON Lines gzip feeds);
- ``archive``: the archive middleware's ``process_response`` (WARC response + request records,
  gzip per record, digests, the capture's index row).

Prints microseconds of CPU per item (``time.process_time``), best of the rounds, and the feeds'
and archive's bytes; asserts nothing.
Usage: ``python bench/write_path.py [N] [ROUNDS]`` (default 3000 items, best of 3 rounds).
"""

import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from harness import load
from scrapy.http import HtmlResponse, Request

from mayadeen.items import ArticleItem
from mayadeen.loopback import GeneratedSite
from mayadeen.middlewares.warc import WarcMiddleware
from mayadeen.pipelines.store import StorePipeline
from mayadeen.run.feeds import FeedExporter
from mayadeen.site.urls import LIVE_ROOT
from tests.helpers.pipeline import CRAWLED_AT, opened_run


def pages_and_items(n: int) -> list[tuple[HtmlResponse, ArticleItem]]:
    site = GeneratedSite(n, seed=11)
    pairs = []
    for article in site.articles_by_index:
        page = site.get(article.entry.path)
        assert page is not None
        url = LIVE_ROOT + article.entry.path
        request = Request(url, headers={"User-Agent": "bench"})
        response = HtmlResponse(
            url,
            status=page.status,
            headers={"Content-Type": page.content_type, "Server": "loopback"},
            body=page.body,
            request=request,
        )
        item = ArticleItem(**{**site.expected_item(article), "url": url}, crawled_at=CRAWLED_AT)
        pairs.append((response, item))
    return pairs


def cpu_us(step: Callable[[Any], Any], inputs: Iterable[Any], count: int) -> float:
    started = time.process_time()
    for value in inputs:
        step(value)
    return (time.process_time() - started) * 1e6 / count


def one_round(
    pairs: list[tuple[HtmlResponse, ArticleItem]],
) -> tuple[dict[str, float], dict[str, int], int]:
    n = len(pairs)
    with tempfile.TemporaryDirectory() as directory:
        data_dir = Path(directory)
        with opened_run(data_dir) as run:
            archive = WarcMiddleware.from_crawler(run.crawler)
            feeds = run.crawler.get_extension(FeedExporter)
            assert feeds is not None
            spider = run.spider
            store = StorePipeline.from_crawler(run.crawler)

            def archive_step(pair: tuple[HtmlResponse, ArticleItem]) -> None:
                archive.process_response(pair[0].request, pair[0])  # type: ignore[arg-type]

            def feed_step(item: ArticleItem) -> None:
                feeds.item_scraped(item, spider)

            figures = {
                "archive": cpu_us(archive_step, pairs, n),
                "store": cpu_us(store.process_item, (item for _, item in pairs), n),
                "feeds": cpu_us(feed_step, (item for _, item in pairs), n),
            }
            started = time.process_time()
            run.run.writer.commit(force=True)
            archive.spider_closed(spider)
            figures["store"] += (time.process_time() - started) * 1e6 / n
        feed_bytes = {
            p.name.split(".", 1)[1]: p.stat().st_size for p in (data_dir / "feeds").iterdir()
        }
        archive_bytes = sum(p.stat().st_size for p in (data_dir / "archive").iterdir())
    return figures, feed_bytes, archive_bytes


def main(n: int, rounds: int) -> None:
    pairs = pages_and_items(n)
    page_kib = sum(len(r.body) for r, _ in pairs) / n / 1024
    print(f"write path: {n} generated articles ({page_kib:.1f} KiB pages), best of {rounds}")
    print(f"  ({load()})")
    results = [one_round(pairs) for _ in range(rounds)]
    best = {step: min(r[0][step] for r in results) for step in results[0][0]}
    for step, value in best.items():
        print(f"  {step:<8} {value:>8,.0f} µs CPU per item")
    print(f"  total    {sum(best.values()):>8,.0f} µs CPU per item")
    _, feed_bytes, archive_bytes = results[0]
    sizes = ", ".join(f"{name} {size / n:,.0f}" for name, size in sorted(feed_bytes.items()))
    print(f"  bytes per item: feeds {sizes}; archive {archive_bytes / n:,.0f}")
    print(f"  ({load()})")


if __name__ == "__main__":
    main(
        int(sys.argv[1]) if len(sys.argv) > 1 else 3000,
        int(sys.argv[2]) if len(sys.argv) > 2 else 3,
    )
