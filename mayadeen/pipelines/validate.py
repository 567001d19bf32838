"""Validation: an item with problems is quarantined with its reasons (the run's store writer keeps
it in the run's quarantine file and the store), counted per reason, and dropped."""

from typing import Any, Self

from scrapy.crawler import Crawler

from mayadeen.items import ArticleItem
from mayadeen.pipelines.drops import InvalidItem
from mayadeen.run import Run
from mayadeen.site.urls import site_root
from mayadeen.site.validity import problems
from mayadeen.store.rows import as_dict


class ValidationPipeline:
    def __init__(self, crawler: Crawler, run: Run) -> None:
        assert crawler.stats is not None
        self.stats = crawler.stats
        self.writer = run.writer
        self.owed = run.owed
        self.root = site_root(crawler.settings["MAYADEEN_BASE_URL"])

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler, Run.of(crawler))

    def process_item(self, item: Any) -> Any:
        """``item``: an ``ArticleItem``, or its fields as a dict (the shared samples, in tests)."""
        checked = item.provenance.problems if isinstance(item, ArticleItem) else None
        if checked is not None and not checked:
            return item
        values = as_dict(item)
        reasons = list(checked) if checked is not None else problems(values, self.root)
        if not reasons:
            return item
        self.writer.quarantine(values, reasons)
        if url := values.get("url"):
            self.owed.settled([url])
        self.writer.commit_if_due()
        self.stats.inc_value("mayadeen/quarantine/items")
        for reason in reasons:
            self.stats.inc_value(f"mayadeen/quarantine/{reason}")
        raise InvalidItem(values.get("url"), reasons)
