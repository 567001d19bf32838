"""One run, one context: a crawl's identity, its outputs and what the store made of each item.

The ``RunContext`` extension claims the run id in the store when the spider opens (the ``runs``
row; never earlier, so building a component writes nothing) and, until the spider closes, holds:

- the path of every output: the store, the per-run feeds, the quarantine file, the manifest;
- the run's one write connection to the store, which the pipelines write through, committed in
  batches (``MAYADEEN_STORE_BATCH_SIZE`` writes, at least every
  ``MAYADEEN_STORE_COMMIT_INTERVAL`` seconds, and at the close);
- each item's verdict (``new``, ``updated``, ``unchanged``) until the feeds have taken the item:
  the per-run feeds' ``FEEDS`` options ``item_filter`` (:class:`NewOrUpdated`) and ``uri_params``
  (:func:`run_uri_params`, the run id) ask it;
- the run's counters for its ``runs`` row, counted when the store commits (never before);
- the crawl's ledger (``mayadeen.store.ledger``): each article URL the run requests is owed until
  it is settled, each failed attempt is recorded with its reason and back-off, and what the run
  read to its end is marked covered at the close of a trustworthy run.

Pipelines and extensions reach it with ``RunContext.of(crawler)`` (``crawler.get_extension``).
"""

import asyncio
import contextlib
import json
import logging
import sqlite3
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, Any, Final, Self

from itemadapter import ItemAdapter
from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import CloseSpider
from scrapy.extensions.feedexport import ItemFilter
from scrapy.settings import BaseSettings
from scrapy.utils.asyncio import AsyncioLoopingCall, create_looping_call
from twisted.internet.task import LoopingCall

from mayadeen.crawl.owed import UNSETTLED, confirms_gone, next_attempt
from mayadeen.exporters import EXPORT_FORMATS
from mayadeen.extensions.feed_files import PARTIAL, complete, demote, feed_state
from mayadeen.items import ArticleItem
from mayadeen.middlewares.given_up import request_given_up
from mayadeen.pages.dates import iso_seconds
from mayadeen.report.health import SUCCESSFUL_CLOSE_REASONS, stored_something
from mayadeen.site.urls import site_root
from mayadeen.store import SchemaError, Store, Verdict, store_path
from mayadeen.store.files import open_nofollow
from mayadeen.store.ledger import Ledger

logger = logging.getLogger(__name__)

COUNTS: Final = ("items_new", "items_updated", "items_unchanged", "duplicates", "quarantined")
"""The run's counters, as the ``runs`` table names its columns."""

STORE_UNAVAILABLE: Final = "store_unavailable"
"""The close reason of a crawl whose store could not be opened: closed before anything is fetched."""

OTHER_SITE: Final = "other_site"
"""The close reason of a crawl whose store belongs to another site (``MAYADEEN_REBIND_SITE``)."""

FEED_FAILURES: Final = "mayadeen/feeds/failed"
"""Stats key: per-run feeds left incomplete (their articles are listed by a later run's feeds)."""

STORE_ERRORS: Final = "mayadeen/store/errors"
"""Stats key: writes or commits the store refused (the articles involved are not stored)."""


def data_dir(settings: BaseSettings) -> Path:
    """``MAYADEEN_DATA_DIR`` as a path (relative paths are relative to where the crawl runs)."""
    return Path(settings["MAYADEEN_DATA_DIR"])


def feed_formats(settings: BaseSettings) -> tuple[str, ...]:
    """The per-run feeds' formats: ``MAYADEEN_FEED_FORMAT``, file extensions separated by commas.

    >>> feed_formats(BaseSettings({"MAYADEEN_FEED_FORMAT": "csv, jsonl.gz"}))
    ('csv', 'jsonl.gz')
    """
    value = settings["MAYADEEN_FEED_FORMAT"]
    entries = value.split(",") if isinstance(value, str) else list(value or ())
    formats = tuple(dict.fromkeys(entry.strip().lower() for entry in entries if entry.strip()))
    if not formats or any(name not in EXPORT_FORMATS for name in formats):
        raise ValueError(
            f"MAYADEEN_FEED_FORMAT = {value!r}: use one or more of "
            f"{', '.join(EXPORT_FORMATS)}, separated by commas"
        )
    return formats


def run_id_for(moment: datetime) -> str:
    """The run id for a crawl started at ``moment``: its UTC time, compact and sortable.

    >>> run_id_for(datetime(2026, 11, 21, 10, 15, 0, 812, tzinfo=UTC))
    '20261121T101500Z'
    """
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def feed_path(directory: Path, run_id: str, extension: str) -> Path:
    """``<data_dir>/feeds/articles-<run_id>.<extension>``.

    >>> feed_path(Path("data"), "20261121T101500Z", "jsonl.gz").as_posix()
    'data/feeds/articles-20261121T101500Z.jsonl.gz'
    """
    return directory / "feeds" / f"articles-{run_id}.{extension}"


def quarantine_path(directory: Path, run_id: str) -> Path:
    """``<data_dir>/quarantine/<run_id>.jsonl``."""
    return directory / "quarantine" / f"{run_id}.jsonl"


def manifest_path(directory: Path, run_id: str) -> Path:
    """``<data_dir>/runs/<run_id>.json``."""
    return directory / "runs" / f"{run_id}.json"


class Clock:
    """The current UTC time in the store's form, worked out once per second, not once per item."""

    def __init__(self) -> None:
        self._second = -1
        self._text = ""

    def now(self) -> str:
        second = int(time.time())
        if second != self._second:
            self._second = second
            self._text = iso_seconds(datetime.fromtimestamp(second, UTC))
        return self._text


class RunContext:
    def __init__(self, crawler: Crawler) -> None:
        assert crawler.stats is not None
        self.crawler = crawler
        self.stats = crawler.stats
        settings = crawler.settings
        self.data_dir = data_dir(settings)
        self.store_path = store_path(self.data_dir)
        self.feed_formats = feed_formats(settings)
        self.batch_size = settings.getint("MAYADEEN_STORE_BATCH_SIZE")
        self.commit_interval = settings.getfloat("MAYADEEN_STORE_COMMIT_INTERVAL")
        self.root = site_root(settings["MAYADEEN_BASE_URL"])
        self.rebind_site = settings.getbool("MAYADEEN_REBIND_SITE")
        self.shared = bool(settings.get("MAYADEEN_REDIS_URL"))
        """A worker of a crawl shared through Redis: other workers' runs may share the store."""
        self.retry_base = timedelta(hours=settings.getfloat("MAYADEEN_OWED_RETRY_HOURS"))
        self.retry_cap = timedelta(hours=settings.getfloat("MAYADEEN_OWED_RETRY_MAX_HOURS"))
        self.counts = dict.fromkeys(COUNTS, 0)
        self._uncommitted = dict.fromkeys(COUNTS, 0)
        """Counts of writes in the batch not committed yet: they join ``counts`` at the commit."""
        self.covered: dict[str, str] = {}
        """Sources (URL → kind) this run read to their end, marked covered at a trustworthy close."""
        self.clock = Clock()
        self._run_id: str | None = None
        self._store: Store | None = None
        self._ledger: Ledger | None = None
        self._timer: AsyncioLoopingCall | LoopingCall | None = None
        self._quarantine: IO[str] | None = None
        self.feed_backlog: list[dict[str, Any]] = []
        """Articles earlier runs' feeds were to list and did not: this run's feeds list them."""
        self.feeds_complete = True
        """Whether the per-run feeds got their final names (or the run has not closed yet)."""
        self.feeds_settled = asyncio.Event()
        """Set once the per-run feeds are complete (or failed): the run report waits for it."""
        self._verdicts: dict[str | None, Verdict] = {}
        """URL → the store's verdict, until the feeds have taken the item."""

    @classmethod
    def of(cls, crawler: Crawler) -> "RunContext":
        """The crawl's run context, for the components that need it."""
        context = crawler.get_extension(cls)
        if context is None:
            raise RuntimeError(f"{cls.__module__}.{cls.__name__} is not in EXTENSIONS")
        return context

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        context = cls(crawler)
        crawler.signals.connect(context.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(context.spider_closed, signal=signals.spider_closed)
        return context

    # -- the run's identity and outputs ------------------------------------------------------

    @property
    def opened(self) -> bool:
        """Whether the run has its id and its store (false before the spider opens, and for a
        crawl whose store could not be opened)."""
        return self._run_id is not None

    @property
    def run_id(self) -> str:
        if self._run_id is None:
            raise RuntimeError("the run has no id before the spider opens")
        return self._run_id

    @property
    def quarantine_path(self) -> Path:
        return quarantine_path(self.data_dir, self.run_id)

    @property
    def manifest_path(self) -> Path:
        return manifest_path(self.data_dir, self.run_id)

    def feed_path(self, extension: str) -> Path:
        return feed_path(self.data_dir, self.run_id, extension)

    def outputs(self) -> dict[str, Any]:
        """The run's outputs by kind, as the manifest lists them: ``feed`` is the first of the
        per-run feeds (the CSV by default), ``feeds`` all of them."""
        feeds = [str(self.feed_path(extension)) for extension in self.feed_formats]
        if not self.feeds_complete:  # kept as .partial: not outputs of this run
            return {
                "store": str(self.store_path),
                "feed": None,
                "quarantine": str(self.quarantine_path),
                "feeds": [],
                "incomplete_feeds": [f"{feed}{PARTIAL}" for feed in feeds],
            }
        return {
            "store": str(self.store_path),
            "feed": feeds[0],
            "quarantine": str(self.quarantine_path),
            "feeds": feeds,
        }

    @property
    def store(self) -> Store:
        """The run's write connection to the store."""
        if self._store is None:
            raise RuntimeError("the store is open only while the spider is")
        return self._store

    @property
    def ledger(self) -> Ledger:
        if self._ledger is None:
            raise RuntimeError("the store is open only while the spider is")
        return self._ledger

    # -- opening and closing -----------------------------------------------------------------

    def spider_opened(self, spider: Spider) -> None:
        started = datetime.now(UTC)
        try:
            store = self._store = Store.open(self.store_path)
            # Claimed under the store's write lock: two crawls started within the same second
            # (by cron, or workers of a shared crawl sharing the data directory) get distinct ids.
            self._run_id = store.claim_run(run_id_for(started), iso_seconds(started))
        except (OSError, sqlite3.Error, SchemaError) as error:
            # Nothing fetched could be kept: the crawl is closed before it fetches anything.
            logger.error("store: cannot open %s: %s", self.store_path, error)
            if self._store is not None:
                self._store.close()
                self._store = None
            raise CloseSpider(STORE_UNAVAILABLE) from None
        self._ledger = Ledger(store)
        self._bind_site()
        self._settle_earlier_feeds()
        store.batch_size, store.commit_interval = max(1, self.batch_size), self.commit_interval
        if self.commit_interval > 0:  # a quiet batch is committed too
            self._timer = create_looping_call(self._commit_if_due)
            self._timer.start(self.commit_interval, now=False)
        # Connected now, after every component built with the crawler: the feed exporter's
        # handler of the same signal has asked for the item's verdict by the time this runs.
        self.crawler.signals.connect(self._forget_verdict, signal=signals.item_scraped)
        self.crawler.signals.connect(self._item_error, signal=signals.item_error)
        self.crawler.signals.connect(self._spider_error, signal=signals.spider_error)
        self.crawler.signals.connect(self._given_up, signal=request_given_up)
        logger.info("store: %s, run %s", self.store_path, self._run_id)

    def _settle_earlier_feeds(self) -> None:
        """Feeds of earlier runs: complete ones (a run killed after renaming them, before its
        store took note) list their articles; incomplete ones are made all ``.partial``."""
        feeds_dir = self.data_dir / "feeds"
        done = []
        for run_id in self.ledger.feed_owing_runs() - {self.run_id}:
            state = feed_state(feeds_dir, run_id)
            if state == "complete":
                done.append(run_id)
            elif state == "incomplete":
                demote(feeds_dir, run_id)
        if done:
            self.ledger.fed(done)
            self.store.commit()

    def _bind_site(self) -> None:
        """The store belongs to the site of its first run; another root is refused (the crawl
        command refuses it before starting; this catches a crawl started otherwise)."""
        bound = self.ledger.site_root()
        if bound is None or (bound != self.root and self.rebind_site):
            self.ledger.bind_site(self.root)
            self.store.commit()
        elif bound != self.root:
            logger.error(
                "store: %s belongs to %s, not %s: use another MAYADEEN_DATA_DIR, "
                "or set MAYADEEN_REBIND_SITE=1 to move it",
                self.store_path,
                bound,
                self.root,
            )
            raise CloseSpider(OTHER_SITE)

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if self._quarantine is not None:
            self._quarantine.close()
            self._quarantine = None
        if self._timer is not None and self._timer.running:
            self._timer.stop()
        if self._store is None:
            return
        self._commit(force=True)
        try:
            self.feed_backlog = self.ledger.take_unfed(self.run_id, alone=not self.shared)
        except sqlite3.Error as error:
            self._store_error("reading what earlier feeds owe", error)
        self._commit(force=True)
        if self._trustworthy(reason) and self.covered:
            self.ledger.cover(self.covered, self.run_id, self.clock.now())
            self._commit(force=True)
            self.stats.set_value("mayadeen/covered", len(self.covered))
        try:
            self.stats.set_value("mayadeen/owed/outstanding", self.ledger.outstanding())
            self._store.finish_run(self.run_id, self.clock.now(), reason, self.counts)
            self._store.close()
        except sqlite3.Error as error:
            self._store_error("closing the run", error)
        self._store = self._ledger = None
        logger.info(
            "store: run %s %s: %d new, %d updated, %d unchanged, %d duplicates, %d quarantined",
            self.run_id,
            reason,
            *self.counts.values(),
        )

    def feeds_closed(self, partials: list[Path], whole: bool) -> None:
        """The per-run feeds are closed: with every file ``whole`` and every write committed,
        they get their final names and the store notes that their articles are listed; else
        they stay ``.partial`` and their articles are owed to a later run's feed."""
        self.feeds_complete = False
        try:
            if not whole or self.stats.get_value(STORE_ERRORS):
                self.stats.inc_value(FEED_FAILURES)
                logger.error(
                    "feeds: the feeds of run %s are not complete; kept as %s, their articles "
                    "will be listed by the next run's feeds",
                    self._run_id,
                    ", ".join(str(path) for path in partials),
                )
                return
            complete(partials)
            self.feeds_complete = True
            with Store.open(self.store_path) as store:
                Ledger(store).fed([self.run_id])
        except (OSError, sqlite3.Error) as error:
            self.stats.inc_value(FEED_FAILURES)
            logger.error("feeds: cannot complete the feeds of run %s: %s", self._run_id, error)
        finally:
            self.feeds_settled.set()

    # -- what happened to each item ----------------------------------------------------------

    def _commit_if_due(self) -> None:
        self._commit()

    def _commit(self, force: bool = False) -> None:
        """Commit the batch when due (or now, with ``force``); the batch's counts become the run's
        only then. A refused commit loses the batch: its articles stay unknown to the store (and
        owed where the ledger's earlier batches said so), and the run fails."""
        try:
            writes = self.store.commit() if force else self.store.commit_if_due()
        except sqlite3.Error as error:
            self._store_error("commit", error)
            with contextlib.suppress(sqlite3.Error):  # SQLite may have rolled it back itself
                self.store.rollback()
            self._uncommitted = dict.fromkeys(COUNTS, 0)
            return
        if not writes:
            return
        self.stats.inc_value("mayadeen/store/commits")
        for name, value in self._uncommitted.items():
            if value:
                self.counts[name] += value
                stat = f"mayadeen/items/{name.removeprefix('items_')}"
                if name.startswith("items_"):
                    self.stats.inc_value(stat, value)
        self._uncommitted = dict.fromkeys(COUNTS, 0)

    def _store_error(self, doing: str, error: sqlite3.Error) -> None:
        self.stats.inc_value(STORE_ERRORS)
        logger.error("store: %s failed in %s: %s", doing, self.store_path, error)

    def _trustworthy(self, reason: str) -> bool:
        """Whether what this run read to its end may shorten later runs: it ran its course,
        stored something or met no trouble, and the store took every write."""
        stats = self.stats.get_stats()
        return (
            reason in SUCCESSFUL_CLOSE_REASONS
            and not stats.get(STORE_ERRORS)
            and stored_something(stats).status != "failed"
        )

    def store_article(self, item: ArticleItem) -> Verdict:
        """Write an article to the store; returns and keeps the store's verdict on it."""
        verdict = self.store.put(item, self.clock.now())
        self._settle([item.url])
        if verdict != "unchanged" and item.url:
            self.ledger.owe_feed(item.url, self.run_id)
        self._uncommitted[f"items_{verdict}"] += 1
        self._verdicts[item.url] = verdict
        self._commit_if_due()
        return verdict

    def store_refused(self, item: ArticleItem, error: sqlite3.Error) -> None:
        """The store refused to write ``item``: counted (it fails the run); its request's
        write-ahead record keeps it owed."""
        self._store_error(f"storing {item.url}", error)
        with contextlib.suppress(sqlite3.Error):  # SQLite may have rolled it back itself
            self.store.rollback()
        self._uncommitted = dict.fromkeys(COUNTS, 0)

    # -- the ledger: owed articles and covered sources ----------------------------------------

    def owe(self, url: str) -> None:
        """``url`` is requested: owed until it is settled (recorded before the fetch, so a run
        stopped or killed at any point leaves it owed)."""
        self.ledger.owe(url, self.run_id, self.clock.now(), UNSETTLED)
        self._commit_if_due()

    def arrived(self, requested: list[str], url: str | None) -> None:
        """A page answered for ``requested`` URLs (the first, then each redirect): what is owed
        moves to the article's ``url``, or is settled when the page is not an article."""
        self.stats.inc_value("mayadeen/owed/arrived")
        self._settle(u for u in requested if u != url)
        if url is not None:
            self.owe(url)

    def settle(self, url: str) -> None:
        """``url`` needs nothing more (not an article, or outside the run's ``since``)."""
        self._settle([url])
        self._commit_if_due()

    def _settle(self, urls: Any) -> None:
        if settled := self.ledger.settle(urls, self.run_id):
            self.stats.inc_value("mayadeen/owed/settled", settled)

    def fetch_failed(self, url: str, reason: str, status: int | None = None) -> None:
        """An attempt at an article failed: it stays owed, with its reason and back-off, or is
        confirmed gone after a second 404/410."""
        now = datetime.now(UTC)
        try:
            attempts, gone_answers = self.ledger.attempts(url)
            outcome = self.ledger.failed(
                url,
                reason,
                confirms_gone(status, gone_answers),
                iso_seconds(now),
                iso_seconds(next_attempt(now, attempts + 1, self.retry_base, self.retry_cap)),
                self.run_id,
                status,
            )
        except sqlite3.Error as error:
            self._store_error("recording an owed article", error)
            return
        self.stats.inc_value(f"mayadeen/owed/{'gone' if outcome == 'gone' else 'failed'}")
        self.stats.inc_value(f"mayadeen/owed/reasons/{reason}")
        self._commit_if_due()

    def cover(self, source: str, kind: str) -> None:
        """This run read ``source`` (a sitemap, a listing) to its end."""
        self.covered[source] = kind

    def _item_error(self, item: Any, response: Any, spider: Spider, failure: Any) -> None:
        self.stats.inc_value("mayadeen/items/errors")
        url = ItemAdapter(item).get("url")
        if url:
            self.fetch_failed(url, f"item error: {type(failure.value).__name__}")

    def _given_up(self, request: Any, url: str, reason: str) -> None:
        """A redirect refused or looping is a failed attempt; a request a shutdown cancelled was
        not sent, and stays owed as it is (``unsettled``)."""
        if request.meta.get("owed") and reason != "shutdown":
            self.fetch_failed(url, reason)

    def _spider_error(self, failure: Any, response: Any, spider: Spider) -> None:
        request = getattr(response, "request", None)
        if request is not None and request.meta.get("article"):
            self.fetch_failed(request.url, f"page error: {type(failure.value).__name__}")

    def verdict(self, item: Any) -> Verdict | None:
        """The store's verdict on an item on its way to the feeds (None: not stored)."""
        return self._verdicts.get(ItemAdapter(item).get("url"))

    def _forget_verdict(self, item: Any) -> None:
        self._verdicts.pop(ItemAdapter(item).get("url"), None)

    def duplicate(self, url: str, original: str, content_hash: str | None, kind: str) -> None:
        """Count a duplicate; the same content under another URL is kept as an alias of it."""
        self._uncommitted["duplicates"] += 1
        if kind == "content":
            self.store.add_alias(url, original, content_hash, self.clock.now())
        self._settle([url])
        self._commit_if_due()

    def quarantine(self, values: dict[str, Any], reasons: list[str]) -> None:
        """Keep an invalid item with its reasons: a line of the run's quarantine file (written
        and flushed at once, so a crash keeps it) and a row of the store's ``quarantine``."""
        record = {
            "run_id": self.run_id,
            "quarantined_at": iso_seconds(datetime.now(UTC)),
            "url": values.get("url"),
            "reasons": reasons,
            "item": values,
        }
        if self._quarantine is None:
            self.quarantine_path.parent.mkdir(parents=True, exist_ok=True)
            self._quarantine = open_nofollow(self.quarantine_path, "a")
        self._quarantine.write(json.dumps(record, ensure_ascii=False, default=str) + "\n")
        self._quarantine.flush()
        self.store.quarantine(values, reasons, self.run_id, self.clock.now())
        if url := values.get("url"):
            self._settle([url])
        self._uncommitted["quarantined"] += 1
        self._commit_if_due()


def run_uri_params(params: dict[str, Any], spider: Spider) -> dict[str, Any]:
    """``FEEDS`` ``uri_params``: Scrapy's parameters and the run id, ``%(run_id)s``."""
    return {**params, "run_id": RunContext.of(spider.crawler).run_id}


class NewOrUpdated(ItemFilter):
    """``FEEDS`` ``item_filter``: the articles the store found new or updated in this run (an item
    the store never saw, with no store pipeline, counts as new). Scrapy's own feed exporter builds
    filters from the feed's options alone; ``mayadeen.extensions.run_feeds.FeedExporter`` builds
    this one with the crawler."""

    def __init__(self, feed_options: dict[str, Any] | None, crawler: Crawler) -> None:
        super().__init__(feed_options)
        self.crawler = crawler
        self._context: RunContext | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler, feed_options: dict[str, Any] | None) -> Self:
        return cls(feed_options, crawler)

    def accepts(self, item: Any) -> bool:
        # Built with the feed exporter, while the extensions are being built: the run context
        # is looked up when the first item comes.
        if self._context is None:
            self._context = RunContext.of(self.crawler)
        return self._context.verdict(item) != "unchanged" and super().accepts(item)
