"""Benchmark of the store pipeline: items/s into a fresh store, then the same items again.

Prints figures; asserts nothing. The items are the generated site's (2-6 KiB each, four tags on
average); the pipelines are built with ``from_crawler`` as in a crawl, with the project's settings and
extensions (the tests' ``opened_run``).
Usage: ``python bench/store.py [N] [ROUNDS]`` (default 20000 items, best of 3 rounds).
"""

import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

from harness import load

from mayadeen.items import ArticleItem
from mayadeen.loopback import GeneratedSite
from mayadeen.pipelines.dedupe import DeduplicatePipeline
from mayadeen.pipelines.store import StorePipeline
from mayadeen.pipelines.validate import ValidationPipeline
from tests.helpers.pipeline import opened_run

CRAWLED_AT = "2026-11-21T10:00:00+00:00"


def generated_items(n: int) -> list[ArticleItem]:
    site = GeneratedSite(n, seed=11)
    return [
        ArticleItem(**site.expected_item(article), crawled_at=CRAWLED_AT)
        for article in site.articles_by_index
    ]


class Rate(NamedTuple):
    wall: float
    """Items per second of the clock."""
    cpu: float
    """Items per CPU second of this process (SQLite runs in it): steadier on a busy machine, but
    blind to time spent waiting for the disk."""


def timed(
    label: str, items: list[ArticleItem], step: Callable[[Any], Any], done: Callable[[], None]
) -> Rate:
    started, started_cpu = time.perf_counter(), time.process_time()
    for item in items:
        step(item)
    done()
    rate = Rate(
        len(items) / (time.perf_counter() - started),
        len(items) / (time.process_time() - started_cpu),
    )
    print(f"  {label:<38} {rate.wall:>9,.0f} items/s {rate.cpu:>9,.0f} items/CPU s")
    return rate


def store_only(items: list[ArticleItem]) -> tuple[Rate, Rate]:
    with tempfile.TemporaryDirectory() as directory, opened_run(Path(directory)) as run:
        pipeline = StorePipeline.from_crawler(run.crawler)
        commit = run.run.writer.store.commit
        new = timed("store, new articles", items, pipeline.process_item, commit)
        same = timed("store, the same articles again", items, pipeline.process_item, commit)
    return new, same


def whole_chain(items: list[ArticleItem]) -> Rate:
    """validate → deduplicate → store, as ``ITEM_PIPELINES`` runs them (the per-run feeds are
    written by Scrapy's feed exporter, after the pipelines)."""
    with tempfile.TemporaryDirectory() as directory, opened_run(Path(directory)) as run:
        stages: list[Any] = [
            cls.from_crawler(run.crawler)
            for cls in (ValidationPipeline, DeduplicatePipeline, StorePipeline)
        ]
        for stage in stages:
            if hasattr(stage, "open_spider"):
                stage.open_spider()

        def chain(item: Any) -> Any:
            for stage in stages:
                item = stage.process_item(item)
            return item

        def finish() -> None:
            for stage in reversed(stages):
                if hasattr(stage, "close_spider"):
                    stage.close_spider()
            run.run.writer.store.commit()

        return timed("all three pipelines, new articles", items, chain, finish)


def main(n: int, rounds: int) -> None:
    items = generated_items(n)
    size = sum(len(item.body or "") + len(item.summary or "") for item in items) / len(items)
    print(f"{n} generated articles, {size / 1024:.1f} KiB of text each; best of {rounds} rounds")
    print(f"  ({load()})")
    results = [(*store_only(items), whole_chain(items)) for _ in range(rounds)]
    labels = ("store new", "store unchanged", "whole chain")
    for label, column in zip(labels, zip(*results, strict=True), strict=True):
        wall, cpu = max(rate.wall for rate in column), max(rate.cpu for rate in column)
        print(f"best {label:<16} {wall:>9,.0f} items/s {cpu:>9,.0f} items/CPU s")
    print(f"  ({load()})")


if __name__ == "__main__":
    main(
        int(sys.argv[1]) if len(sys.argv) > 1 else 20_000,
        int(sys.argv[2]) if len(sys.argv) > 2 else 3,
    )
