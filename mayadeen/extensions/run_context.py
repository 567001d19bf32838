"""One run, one context: a crawl's identity, its outputs and what the store made of each item.

The ``RunContext`` extension claims the run id in the store when the spider opens (the ``runs``
row; never earlier, so building a component writes nothing) and, until the spider closes, holds:

- the path of every output: the store, the per-run feeds, the quarantine file, the manifest;
- the run's one write connection to the store, which the pipelines write through, committed in
  batches (``MAYADEEN_STORE_BATCH_SIZE`` writes, at least every
  ``MAYADEEN_STORE_COMMIT_INTERVAL`` seconds, and at the close);
- each item's verdict (``new``, ``updated``, ``unchanged``) until the feeds have taken the item:
  the per-run feeds' ``FEEDS`` options ``item_filter`` and ``uri_params``
  (``mayadeen.extensions.run_feeds``: ``NewOrUpdated``, ``run_uri_params``) ask it;
- the run's counters for its ``runs`` row, counted when the store commits (never before);
- ``owed``: the crawl's ledger for this run (``mayadeen.extensions.run_ledger``): what it owes
  (articles requested and not settled, articles its feeds must list) and what it covered.

Paths and the run id's form are in ``mayadeen.extensions.run_paths``. Pipelines and extensions
reach the context with ``RunContext.of(crawler)`` (``crawler.get_extension``).
"""

import contextlib
import json
import logging
import sqlite3
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any, Final, Self

from itemadapter import ItemAdapter
from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import CloseSpider
from scrapy.utils.asyncio import AsyncioLoopingCall, create_looping_call
from twisted.internet.task import LoopingCall

from mayadeen.extensions.feed_files import PARTIAL
from mayadeen.extensions.run_ledger import STORE_ERRORS, UNREACHABLE_STAT, RunLedger
from mayadeen.extensions.run_paths import (
    Clock,
    data_dir,
    feed_formats,
    feed_path,
    manifest_path,
    quarantine_path,
    run_id_for,
)
from mayadeen.items import ArticleItem
from mayadeen.pages.dates import iso_seconds
from mayadeen.site.urls import site_root
from mayadeen.store import SchemaError, Store, Verdict, store_path
from mayadeen.store.files import open_nofollow
from mayadeen.store.ledger import Ledger
from mayadeen.store.origins import SITE, Origin, set_origin

logger = logging.getLogger(__name__)

COUNTS: Final = ("items_new", "items_updated", "items_unchanged", "duplicates", "quarantined")
"""The run's counters, as the ``runs`` table names its columns."""

STORE_UNAVAILABLE: Final = "store_unavailable"
"""The close reason of a crawl whose store could not be opened: closed before anything is fetched."""

OTHER_SITE: Final = "other_site"
"""The close reason of a crawl whose store belongs to another site (``MAYADEEN_REBIND_SITE``)."""


CAPTURE_META: Final = "mayadeen_capture"
"""Response meta: the id of the capture the archive indexed the page as (``mayadeen.warc``)."""
FETCHED_META: Final = "mayadeen_fetched_from"
"""Response meta: the ``Origin`` of the page, the site or a web archive's capture."""
UNARCHIVED_META: Final = "mayadeen_unarchived"
"""Response meta: the page was to be archived and could not be (the archive stopped, a full
disk): the article read from it is stored and stays owed to the archive."""


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
        self.counts = dict.fromkeys(COUNTS, 0)
        self._uncommitted = dict.fromkeys(COUNTS, 0)
        """Counts of writes in the batch not committed yet: they join ``counts`` at the commit."""
        self.clock = Clock()
        self._run_id: str | None = None
        self._store: Store | None = None
        self._ledger: Ledger | None = None
        self._timer: AsyncioLoopingCall | LoopingCall | None = None
        self._quarantine: IO[str] | None = None
        self._verdicts: dict[str | None, Verdict] = {}
        """URL → the store's verdict, until the feeds have taken the item."""
        self.owed = RunLedger(self, settings)
        """What the run owes and covered (``mayadeen.extensions.run_ledger``)."""
        self.captures: dict[str, int] = {}
        """Article URL → the archived capture its page was read from (``mayadeen.warc``),
        from the page's extraction until the article leaves the pipelines."""
        self.origins: dict[str, Origin] = {}
        """Article URL → where its page was read (the site, or a web archive's capture: ``-a
        via=``, the fallback), from the page's extraction until the article leaves the
        pipelines (``mayadeen.middlewares.webarchives``)."""
        self.unarchived: set[str] = set()
        """Article URLs whose page the archive could not keep (``UNARCHIVED_META``), from the
        page's extraction until the article leaves the pipelines: stored, and owed again."""
        self.archive_files: dict[str, int] = {}
        """The archive files this run wrote (paths) → their bytes, for the manifest."""
        self._unbound = False
        """The store is to be bound to this site once it answers."""

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
        for left in (signals.item_dropped, signals.item_error):
            crawler.signals.connect(context._forget_page, signal=left)
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
        if self.unreachable:  # no feed written (RunLedger.feeds_closed)
            return {"store": str(self.store_path), "feed": None, "quarantine": None, "feeds": []}
        if not self.owed.feeds_complete:  # kept as .partial: not outputs of this run
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
            **(
                {"archive": [{"file": f, "bytes": n} for f, n in self.archive_files.items()]}
                if self.archive_files
                else {}
            ),
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
        self.owed.opened()
        store.batch_size, store.commit_interval = max(1, self.batch_size), self.commit_interval
        if self.commit_interval > 0:  # a quiet batch is committed too
            self._timer = create_looping_call(self.commit_if_due)
            self._timer.start(self.commit_interval, now=False)
        # Connected now, after every component built with the crawler: the feed exporter's
        # handler of the same signal has asked for the item's verdict by the time this runs.
        self.crawler.signals.connect(self._forget_verdict, signal=signals.item_scraped)
        logger.info("store: %s, run %s", self.store_path, self._run_id)

    def _bind_site(self) -> None:
        """The store belongs to the site of its first run that got an answer (bound then:
        :meth:`site_answered`); another root is refused (the crawl command refuses it before
        starting; this catches a crawl started otherwise)."""
        bound = self.ledger.site_root()
        if bound is None or (bound != self.root and self.rebind_site):
            self._unbound = True
        elif bound != self.root:
            logger.error(
                "store: %s belongs to %s, not %s: use another MAYADEEN_DATA_DIR, "
                "or set MAYADEEN_REBIND_SITE=1 to move it",
                self.store_path,
                bound,
                self.root,
            )
            raise CloseSpider(OTHER_SITE)

    @property
    def unreachable(self) -> bool:
        """Whether the run stopped because the site could not be reached at all
        (``mayadeen.middlewares.reachability``): it leaves no binding and no feed behind."""
        return bool(self.stats.get_value(UNREACHABLE_STAT))

    def site_answered(self) -> None:
        """The first response of the run came (``mayadeen.middlewares.reachability``): a store
        still unbound belongs to this site from now on (else at the close, unless the site could
        not be reached: a later run of another site is then not refused)."""
        if self._unbound and self._store is not None:
            self._unbound = False
            try:
                self.ledger.bind_site(self.root)
            except sqlite3.Error as error:
                self.store_error("recording the site of the store", error)
                return
            self.commit(force=True)

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if self._quarantine is not None:
            self._quarantine.close()
            self._quarantine = None
        if self._timer is not None and self._timer.running:
            self._timer.stop()
        if self._store is None:
            return
        if not self.unreachable:  # a run that got no answer binds nothing
            self.site_answered()
        self.commit(force=True)
        try:
            self.owed.closing(reason)
            self._store.finish_run(self.run_id, self.clock.now(), reason, self.counts)
            self._store.close()
        except sqlite3.Error as error:
            self.store_error("closing the run", error)
        self._store = self._ledger = None
        logger.info(
            "store: run %s %s: %d new, %d updated, %d unchanged, %d duplicates, %d quarantined",
            self.run_id,
            reason,
            *self.counts.values(),
        )

    # -- what happened to each item ----------------------------------------------------------

    def commit_if_due(self) -> None:
        self.commit()

    def commit(self, force: bool = False) -> None:
        """Commit the batch when due (or now, with ``force``); the batch's counts become the run's
        only then. A refused commit loses the batch: its articles stay unknown to the store (and
        owed where the ledger's earlier batches said so), and the run fails."""
        try:
            writes = self.store.commit() if force else self.store.commit_if_due()
        except sqlite3.Error as error:
            self.store_error("commit", error)
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

    def store_error(self, doing: str, error: sqlite3.Error) -> None:
        self.stats.inc_value(STORE_ERRORS)
        logger.error("store: %s failed in %s: %s", doing, self.store_path, error)

    def store_article(self, item: ArticleItem) -> Verdict:
        """Write an article to the store; returns and keeps the store's verdict on it."""
        # New values from no capture name none; the same values keep the capture they had.
        capture = self.captures.pop(item.url or "", None)
        verdict = self.store.put(item, self.clock.now(), capture)
        origin = self.origins.pop(item.url or "", None)
        fetched = origin is not None  # else re-extracted, or read under another URL
        origin = origin or Origin(SITE, self.clock.now())
        set_origin(self.store.db, item.url or "", origin, self.run_id, replace=fetched)
        self._count_origin(origin)
        if item.url:
            if item.url in self.unarchived:  # stored, but its page is not in the archive
                self.unarchived.discard(item.url)
                self.owed.not_archived(item.url)
            else:
                self.owed.settled([item.url])
            if verdict != "unchanged":  # to be listed by a complete feed
                self.ledger.owe_feed(item.url, self.run_id)
        self._uncommitted[f"items_{verdict}"] += 1
        self._verdicts[item.url] = verdict
        self.commit_if_due()
        return verdict

    def _count_origin(self, origin: Origin) -> None:
        """The stored articles by origin, for the manifest: archive, crawl, capture times."""
        self.stats.inc_value(f"mayadeen/origins/{origin.via}")
        if origin.via == SITE:
            return
        if origin.collection:
            self.stats.inc_value(f"mayadeen/origin_collections/{origin.collection}")
        self.stats.min_value("mayadeen/origin_captured/oldest", origin.captured_at)
        self.stats.max_value("mayadeen/origin_captured/newest", origin.captured_at)

    def store_refused(self, item: ArticleItem, error: sqlite3.Error) -> None:
        """The store refused to write ``item``: counted (it fails the run); its request's
        write-ahead record keeps it owed."""
        self.store_error(f"storing {item.url}", error)
        with contextlib.suppress(sqlite3.Error):  # SQLite may have rolled it back itself
            self.store.rollback()
        self._uncommitted = dict.fromkeys(COUNTS, 0)

    def captured(self) -> None:
        """The archive indexed a capture (through ``store.db``): committed with the run's
        batches. The response's meta names it (``CAPTURE_META``) for the article read from it."""
        self.store.pending += 1
        self.commit_if_due()

    def page_read(self, meta: Mapping[str, Any], item_url: str) -> None:
        """The article of ``item_url`` was extracted from the page whose response meta is
        ``meta``: the capture the page was archived as (``CAPTURE_META``) and where it was read
        (``FETCHED_META``) go with the article until it is stored, under the URL the page's own
        metadata states, which may not be the one fetched. Pages that give no article leave
        nothing behind."""
        if (capture := meta.get(CAPTURE_META)) is not None:
            self.captures[item_url] = capture
        elif meta.get(UNARCHIVED_META):
            self.unarchived.add(item_url)
        if (origin := meta.get(FETCHED_META)) is not None:
            self.origins[item_url] = origin

    def _forget_page(self, item: Any) -> None:
        """An article left the pipelines without being stored (quarantined, a duplicate, an
        error): its capture and origin are not kept for the rest of the run."""
        url = str(ItemAdapter(item).get("url") or "")
        self.captures.pop(url, None)
        self.origins.pop(url, None)
        self.unarchived.discard(url)

    def verdict(self, item: Any) -> Verdict | None:
        """The store's verdict on an item on its way to the feeds (None: not stored)."""
        return self._verdicts.get(item_url(item))

    def _forget_verdict(self, item: Any) -> None:
        self._verdicts.pop(item_url(item), None)

    def duplicate(self, url: str, original: str, content_hash: str | None, kind: str) -> None:
        """Count a duplicate; the same content under another URL is kept as an alias of it."""
        self._uncommitted["duplicates"] += 1
        if kind == "content":
            self.store.add_alias(url, original, content_hash, self.clock.now())
        self.owed.settled([url])
        self.commit_if_due()

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
            self.owed.settled([url])
        self._uncommitted["quarantined"] += 1
        self.commit_if_due()

    def remember_non_article(self, url: str, kind: str) -> None:
        """Keep a page that said it is not an article, so the next run does not fetch it."""
        self.store.remember_non_article(url, kind, self.run_id, self.clock.now())
        self.commit_if_due()


def item_url(item: Any) -> Any:
    """An item's ``url`` (an ``ArticleItem``'s read directly: no ``ItemAdapter`` per item and feed).

    >>> item_url(ArticleItem(url="u")), item_url({"url": "v"}), item_url({})
    ('u', 'v', None)
    """
    if type(item) is ArticleItem:
        return item.url
    return ItemAdapter(item).get("url")
