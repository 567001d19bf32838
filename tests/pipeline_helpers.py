"""Building pipelines as a crawl does (``from_crawler``) and items as extraction gives them."""

import dataclasses
from pathlib import Path
from typing import Any

from scrapy.crawler import Crawler
from scrapy.utils.test import get_crawler

from mayadeen.items import ArticleItem
from mayadeen.loopback import GeneratedSite, load_fixtures
from mayadeen.loopback.anatomy import LIVE_ROOT

CRAWLED_AT = "2026-11-21T10:00:00+00:00"


def make_crawler(data_dir: Path, **settings: Any) -> Crawler:
    return get_crawler(
        settings_dict={
            "MAYADEEN_DATA_DIR": str(data_dir),
            "MAYADEEN_BASE_URL": LIVE_ROOT,
            **settings,
        }
    )


def fixture_items(kind: str = "article") -> dict[str, ArticleItem]:
    """The fixtures' expected items of a kind, by fixture name, as extraction yields them."""
    return {
        fixture.name: ArticleItem(**{**expected, "crawled_at": CRAWLED_AT})
        for fixture in load_fixtures()
        if fixture.kind == kind and (expected := fixture.expected()) is not None
    }


def generated_items(site: GeneratedSite) -> list[ArticleItem]:
    return [
        ArticleItem(**site.expected_item(article), crawled_at=CRAWLED_AT)
        for article in site.articles_by_index
    ]


def changed(item: ArticleItem, **values: Any) -> ArticleItem:
    return dataclasses.replace(item, **values)


def stats(crawler: Crawler) -> dict[str, Any]:
    assert crawler.stats is not None
    return crawler.stats.get_stats()
