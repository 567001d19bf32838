"""One crawl's identity: its run id and start time, shared by everything that names a run.

The store's ``runs`` row, the per-run feed (``feeds/articles-<run_id>.csv``) and the quarantine
file (``quarantine/<run_id>.jsonl``) all take the id from :func:`crawl_run`, which makes it on
first use and caches it on the crawler, so one crawl has exactly one id however often it is asked.
"""

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from scrapy.crawler import Crawler

from mayadeen.pages.dates import iso_seconds
from mayadeen.store import Store, Verdict, store_path

_ATTRIBUTE = "_mayadeen_run"


def run_id_for(moment: datetime) -> str:
    """The run id for a crawl started at ``moment``: its UTC time, compact and sortable.

    >>> run_id_for(datetime(2026, 11, 21, 10, 15, 0, 812, tzinfo=UTC))
    '20261121T101500Z'
    """
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


@dataclass
class CrawlRun:
    """The run of one crawl, and the store's verdict on each item still on its way to the feed."""

    started: datetime
    run_id: str = ""
    verdicts: dict[int, Verdict] = field(default_factory=dict)
    """``id(item)`` → verdict, set by the store pipeline and taken by the feed pipeline after it
    (an item passes through all pipelines before the next one starts, so ids cannot be reused)."""

    def __post_init__(self) -> None:
        self.run_id = self.run_id or run_id_for(self.started)

    @property
    def started_at(self) -> str:
        """ISO-8601 UTC start time, as stored in ``runs.started_at``."""
        return iso_seconds(self.started.astimezone(UTC))


def crawl_run(crawler: Crawler) -> CrawlRun:
    """The crawl's run, made the first time it is asked for (the start time is that moment).

    The run is recorded in the store's ``runs`` table at once, its id claimed under the store's
    write lock: two crawls started within the same second (by cron, or workers of a shared
    crawl sharing the data directory) get distinct ids, so neither overwrites the other's feed."""
    run: CrawlRun | None = getattr(crawler, _ATTRIBUTE, None)
    if run is None:
        started = datetime.now(UTC)
        run = CrawlRun(started)
        with Store.open(store_path(data_dir(crawler))) as store:
            run.run_id = store.claim_run(run.run_id, run.started_at)
        setattr(crawler, _ATTRIBUTE, run)
    return run


def data_dir(crawler: Crawler) -> Path:
    """``MAYADEEN_DATA_DIR`` as a path (relative paths are relative to where the crawl runs)."""
    return Path(crawler.settings.get("MAYADEEN_DATA_DIR") or "data")
