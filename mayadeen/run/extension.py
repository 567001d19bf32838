"""The run: a crawl's lifecycle in one place, from the claim of its id to its last alert.

Opened when the spider opens (never earlier, so building a component writes nothing): the store
writer opens the store and claims the run's id (the ``runs`` row), the store is bound to the site
once the site answers, earlier runs' feeds are settled, and the feeds are opened under the run's
id. While the run goes, the pipelines, the spider and the middlewares write through its parts:
``writer`` (``mayadeen.run.writer``, the one store connection) and ``owed`` (``mayadeen.run.ledger``,
what the run owes and covered).

Closed by one ordered method, :meth:`Run.close`, each step guarded so that one failing does not
skip the rest: the last commit → the ledger's close (what earlier feeds owe, what was covered) →
the feeds (closed, then completed or kept partial) → the breaking feed (``breaking_feed``,
written whole from the store, then completed or kept partial) → the run finished in the store → the report
(health checks, the manifest) → the alerts. The summary is logged when the engine has stopped.
"""

import logging
import sqlite3
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any, Final, Self

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import CloseSpider
from scrapy.utils.asyncio import AsyncioLoopingCall, create_looping_call
from twisted.internet.task import LoopingCall

from mayadeen.run.alerts import RunAlerts
from mayadeen.run.breaking_feed import BreakingFeed
from mayadeen.run.feed_files import PARTIAL
from mayadeen.run.feeds import FeedExporter
from mayadeen.run.ledger import UNREACHABLE_STAT, RunLedger
from mayadeen.run.paths import data_dir, feed_formats, feed_path, manifest_path, quarantine_path
from mayadeen.run.report import RunReport
from mayadeen.run.writer import StoreUnavailable, StoreWriter
from mayadeen.site.urls import site_root
from mayadeen.store import store_path

logger = logging.getLogger(__name__)

STORE_UNAVAILABLE: Final = "store_unavailable"
"""The close reason of a crawl whose store could not be opened: closed before anything is fetched."""

OTHER_SITE: Final = "other_site"
"""The close reason of a crawl whose store belongs to another site (``MAYADEEN_REBIND_SITE``)."""

CLOSE_ERRORS: Final = "mayadeen/run/close_errors"
"""Stats key: steps of the run's close that raised (each logged; the run fails)."""


class Run:
    def __init__(self, crawler: Crawler) -> None:
        assert crawler.stats is not None
        self.crawler = crawler
        self.stats = crawler.stats
        settings = crawler.settings
        self.data_dir = data_dir(settings)
        self.store_path = store_path(self.data_dir)
        self.feed_formats = feed_formats(settings)
        self.root = site_root(settings["MAYADEEN_BASE_URL"])
        self.rebind_site = settings.getbool("MAYADEEN_REBIND_SITE")
        self.writer = StoreWriter(settings, self.stats, self.store_path)
        self.owed = RunLedger(self.writer, crawler, self.data_dir)
        self.breaking = BreakingFeed(
            self.writer, self.data_dir, self.feed_formats, bool(settings.get("MAYADEEN_REDIS_URL"))
        )
        self.breaking.store_empty = settings.getbool("FEED_STORE_EMPTY")
        self.report = RunReport(settings, self.stats)
        self.alerts = RunAlerts.from_crawler(crawler)
        self._timer: AsyncioLoopingCall | LoopingCall | None = None
        self._unbound = False
        """The store is to be bound to this site once it answers."""

    @classmethod
    def of(cls, crawler: Crawler) -> "Run":
        """The crawl's run, for the components that write through it."""
        run = crawler.get_extension(cls)
        if run is None:
            raise RuntimeError(f"{cls.__module__}.{cls.__name__} is not in EXTENSIONS")
        return run

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        run = cls(crawler)
        crawler.signals.connect(run.open, signal=signals.spider_opened)
        crawler.signals.connect(run.close, signal=signals.spider_closed)
        crawler.signals.connect(run.report.log_summary, signal=signals.engine_stopped)
        return run

    # -- the run's identity and outputs ------------------------------------------------------

    @property
    def opened(self) -> bool:
        """Whether the run has its id and its store (false before the spider opens, and for a
        crawl whose store could not be opened)."""
        return self.writer.opened

    @property
    def run_id(self) -> str:
        return self.writer.run_id

    @property
    def unreachable(self) -> bool:
        """Whether the run stopped because the site could not be reached at all
        (``mayadeen.middlewares.reachability``): it leaves no binding and no feed behind."""
        return bool(self.stats.get_value(UNREACHABLE_STAT))

    def outputs(self) -> dict[str, Any]:
        """The run's outputs by kind, as the manifest lists them: ``feed`` is the first of the
        per-run feeds (the CSV by default), ``feeds`` all of them; ``breaking_feeds`` the BREAKING
        ticker's (``incomplete_breaking_feeds`` when left ``.partial``)."""
        return {**self._article_outputs(), **self._breaking_outputs()}

    def _breaking_outputs(self) -> dict[str, list[str]]:
        if self.breaking.partials:
            return {"incomplete_breaking_feeds": [str(path) for path in self.breaking.partials]}
        return {"breaking_feeds": [str(path) for path in self.breaking.files]}

    def _article_outputs(self) -> dict[str, Any]:
        feeds = [str(feed_path(self.data_dir, self.run_id, ext)) for ext in self.feed_formats]
        store, quarantine = str(self.store_path), str(quarantine_path(self.data_dir, self.run_id))
        if self.unreachable:  # no feed written (RunLedger.feeds_closed)
            return {"store": store, "feed": None, "quarantine": None, "feeds": []}
        if not self.owed.feeds_complete:  # kept as .partial: not outputs of this run
            return {
                "store": store,
                "feed": None,
                "quarantine": quarantine,
                "feeds": [],
                "incomplete_feeds": [f"{feed}{PARTIAL}" for feed in feeds],
            }
        archive = [{"file": f, "bytes": n} for f, n in self.writer.archive_files.items()]
        return {
            "store": store,
            "feed": feeds[0],
            "quarantine": quarantine,
            "feeds": feeds,
            **({"archive": archive} if archive else {}),
        }

    def _feeds(self) -> FeedExporter | None:
        return self.crawler.get_extension(FeedExporter)

    # -- opening -----------------------------------------------------------------------------

    def open(self, spider: Spider) -> None:
        try:
            run_id = self.writer.open(datetime.now(UTC))
        except StoreUnavailable:  # nothing fetched could be kept: closed before any fetch
            raise CloseSpider(STORE_UNAVAILABLE) from None
        if (feeds := self._feeds()) is not None:  # named by the run's id
            feeds.open_spider(spider)
        self._bind_site()
        self.owed.opened()
        self.breaking.opened()
        if self.writer.commit_interval > 0:  # a quiet batch is committed too
            self._timer = create_looping_call(self.writer.commit_if_due)
            self._timer.start(self.writer.commit_interval, now=False)
        logger.info("store: %s, run %s", self.store_path, run_id)

    def _bind_site(self) -> None:
        """The store belongs to the site of its first run that got an answer (bound then:
        :meth:`site_answered`); another root is refused (the crawl command refuses it before
        starting; this catches a crawl started otherwise)."""
        bound = self.writer.ledger.site_root()
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

    def site_answered(self) -> None:
        """The first response of the run came (``mayadeen.middlewares.reachability``): a store
        still unbound belongs to this site from now on (else at the close, unless the site could
        not be reached: a later run of another site is then not refused)."""
        if self._unbound and self.writer.connected:
            self._unbound = False
            try:
                self.writer.ledger.bind_site(self.root)
            except sqlite3.Error as error:
                self.writer.store_error("recording the site of the store", error)
                return
            self.writer.commit(force=True)

    # -- closing -----------------------------------------------------------------------------

    async def close(self, spider: Spider, reason: str) -> None:
        """The run's end, in this order; a step that raises is logged and counted (the run
        fails) and the next steps still run."""
        if self._timer is not None and self._timer.running:
            self._timer.stop()
        feeds = self._feeds()
        if not self.writer.opened:  # the store could not be opened: no run (logged)
            if feeds is not None:
                await self._step("closing the feeds", feeds.close_feeds(spider, [], True))
            return
        await self._step("the last commit", self._last_commit)
        await self._step("closing the ledger", lambda: self.owed.closing(reason))
        if feeds is not None:
            await self._step("closing the feeds", self._close_feeds(feeds, spider))
        await self._step("writing the breaking feed", lambda: self.breaking.close(self.unreachable))
        await self._step("finishing the run", lambda: self.writer.finish(reason))
        path = manifest_path(self.data_dir, self.run_id)
        record: dict[str, Any] = {}
        await self._step(
            "writing the report",
            lambda: record.update(self.report.write(self.run_id, path, reason, self.outputs())),
        )
        if self.alerts is not None and record:
            alerts = self.alerts
            await self._step("sending the alerts", lambda: alerts.deliver(spider, record, path))

    def _last_commit(self) -> None:
        if not self.unreachable:  # a run that got no answer binds nothing
            self.site_answered()
        self.writer.commit(force=True)

    async def _close_feeds(self, feeds: FeedExporter, spider: Spider) -> None:
        backlog = self.owed.feed_backlog
        partials, whole = await feeds.close_feeds(spider, backlog, self.unreachable)
        self.owed.feeds_closed(partials, whole)
        if self.owed.feeds_complete:  # else one error line named the .partial files
            feeds.log_stored()

    async def _step(self, doing: str, step: Callable[[], object] | Awaitable[object]) -> None:
        try:
            if callable(step):
                step()
            else:
                await step
        except Exception:
            self.stats.inc_value(CLOSE_ERRORS)
            logger.exception("run: %s failed", doing)
