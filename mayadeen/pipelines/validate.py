"""Validation: an item with problems is kept in the run's quarantine file with its reasons, counted
per reason, and dropped; the store pipeline adds it to the ``quarantine`` table."""

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any, Self

from scrapy.crawler import Crawler

from mayadeen.pages.dates import iso_seconds
from mayadeen.pipelines.drops import InvalidItem
from mayadeen.run import crawl_run, data_dir
from mayadeen.site.urls import site_root
from mayadeen.site.validity import problems
from mayadeen.store.rows import as_dict


def quarantine_path(directory: Path, run_id: str) -> Path:
    """``<data_dir>/quarantine/<run_id>.jsonl``."""
    return directory / "quarantine" / f"{run_id}.jsonl"


class ValidationPipeline:
    def __init__(self, crawler: Crawler) -> None:
        assert crawler.stats is not None
        self.stats = crawler.stats
        self.root = site_root(crawler.settings.get("MAYADEEN_BASE_URL"))
        self.run = crawl_run(crawler)
        self.path = quarantine_path(data_dir(crawler), self.run.run_id)
        self._file: IO[str] | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        values = as_dict(item)
        reasons = problems(values, self.root)
        if not reasons:
            return item
        self._keep(values, reasons)
        self.stats.inc_value("mayadeen/quarantine/items")
        for reason in reasons:
            self.stats.inc_value(f"mayadeen/quarantine/{reason}")
        raise InvalidItem(values, reasons)

    def _keep(self, values: dict[str, Any], reasons: list[str]) -> None:
        """One JSON line per invalid item, written at once: a crash keeps what was quarantined."""
        if self._file is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._file = self.path.open("a", encoding="utf-8")
        record = {
            "run_id": self.run.run_id,
            "quarantined_at": iso_seconds(datetime.now(UTC)),
            "url": values.get("url"),
            "reasons": reasons,
            "item": values,
        }
        self._file.write(json.dumps(record, ensure_ascii=False, default=str) + "\n")
        self._file.flush()

    def close_spider(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
