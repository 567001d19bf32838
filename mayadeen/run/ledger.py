"""What a run owes and what it covered: the crawl's ledger (``mayadeen.store.ledger``), kept
through the run's store writer (``mayadeen.run.writer``), which it is built with.

- each article URL the run requests is owed before it is fetched, and settled when the article is
  stored, quarantined, found a duplicate or not an article, or robots.txt forbids it (settled as
  forbidden until robots.txt changes); a failed attempt (an error, a refused
  redirect, an error in the pipelines or while reading the page) records its reason and back-off
  (``mayadeen.crawl.owed``), or, on a second 404/410, confirms the article gone;
- the sources the run read to its end are marked covered at the close of a trustworthy run;
- the per-run feeds list what earlier runs' feeds owed, and get their final names only when whole
  (``mayadeen.run.feed_files``).

Reached as ``Run.of(crawler).owed``.
"""

import logging
import sqlite3
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Final

from itemadapter import ItemAdapter
from scrapy import Spider, signals
from scrapy.crawler import Crawler

from mayadeen.crawl.owed import (
    NOT_ARCHIVED,
    OWED_META,
    UNSETTLED,
    confirms_gone,
    counted_as,
    next_attempt,
)
from mayadeen.items import Verdict
from mayadeen.pages.dates import iso_seconds
from mayadeen.report.health import SUCCESSFUL_CLOSE_REASONS, stored_something
from mayadeen.run.feed_files import complete, demote, feed_state
from mayadeen.run.writer import STORE_ERRORS, StoreWriter
from mayadeen.signals import first_url, request_given_up
from mayadeen.store.ledger import Ledger

logger = logging.getLogger(__name__)

FEED_FAILURES: Final = "mayadeen/feeds/failed"
"""Stats key: per-run feeds left incomplete (their articles are listed by a later run's feeds)."""

UNREACHABLE_STAT: Final = "mayadeen/unreachable"
"""Stats key: the one line of a run that could not reach the site at all (which host, why, what
to check; ``mayadeen.middlewares.reachability``)."""


class RunLedger:
    def __init__(self, writer: StoreWriter, crawler: Crawler, data_dir: Path) -> None:
        settings = crawler.settings
        self.writer = writer
        self.crawler = crawler
        self.stats = writer.stats
        self.data_dir = data_dir
        self.retry_base = timedelta(hours=settings.getfloat("MAYADEEN_OWED_RETRY_HOURS"))
        self.retry_cap = timedelta(hours=settings.getfloat("MAYADEEN_OWED_RETRY_MAX_HOURS"))
        self.shared = bool(settings.get("MAYADEEN_REDIS_URL"))
        """A worker of a crawl shared through Redis: other workers' runs may share the store."""
        self.covered: dict[str, str] = {}
        """Sources (URL → kind) this run read to their end, marked covered at a trustworthy close."""
        self.feed_backlog: list[dict[str, Any]] = []
        """Articles earlier runs' feeds were to list and did not: this run's feeds list them."""
        self.feeds_complete = True
        """Whether the per-run feeds got their final names (or the run has not closed yet)."""
        self._just_owed: str | None = None
        """The URL whose owed row the last scheduling added (taken back if it is dropped)."""

    @property
    def ledger(self) -> Ledger:
        return self.writer.ledger

    def opened(self) -> None:
        """The run has its id and store: settle earlier feeds, and listen for failures."""
        self._settle_earlier_feeds()
        connect = self.crawler.signals.connect
        connect(self._item_error, signal=signals.item_error)
        connect(self._spider_error, signal=signals.spider_error)
        connect(self._given_up, signal=request_given_up)
        connect(self._scheduled, signal=signals.request_scheduled)
        connect(self._dropped, signal=signals.request_dropped)

    # -- owed articles ---------------------------------------------------------------------

    def owe(self, url: str) -> bool:
        """``url`` is requested: owed until it is settled (recorded before the fetch, so a run
        stopped or killed at any point leaves it owed). Returns whether it was not owed before."""
        writer = self.writer
        try:
            added = self.ledger.owe(url, writer.run_id, writer.clock.now(), UNSETTLED)
        except sqlite3.Error as error:  # the run fails; what it did not store, it covers not
            writer.store_error(f"recording {url} as owed", error)
            return False
        writer.commit_if_due()
        return added

    def _scheduled(self, request: Any, spider: Spider) -> None:
        """An article request goes to the scheduler: owed from now on (a redirect's next hop is
        the same article, owed under the URL first requested)."""
        owes = request.meta.get(OWED_META) and not request.meta.get("redirect_urls")
        self._just_owed = request.url if owes and self.owe(request.url) else None

    def _dropped(self, request: Any, spider: Spider) -> None:
        """The scheduler refused it (its duplicate filter: in a crawl shared through Redis,
        another worker requested it, and may have stored it already): not owed by this one."""
        if request.url == self._just_owed:  # the scheduler answers right after request_scheduled
            self._just_owed = None
            try:
                self.ledger.forget(request.url)
            except sqlite3.Error as error:
                self.writer.store_error(f"taking back {request.url}", error)
                return
            self.writer.commit_if_due()

    def arrived(self, requested: list[str], url: str | None) -> None:
        """A page answered for ``requested`` URLs (the first, then each redirect): what is owed
        moves to the article's ``url``, or is settled when the page is not an article."""
        self.stats.inc_value("mayadeen/owed/arrived")
        self.settled(u for u in requested if u != url)
        if url is not None:
            self.owe(url)

    def stored(self, url: str | None, verdict: Verdict, unarchived: bool) -> None:
        """An article was written (in the batch being written): settled, or owed to the archive
        when its page could not be archived; to be listed by a complete feed unless unchanged."""
        if not url:
            return
        if unarchived:  # stored, but its page is not in the archive
            self.not_archived(url)
        else:
            self.settled([url])
        if verdict != "unchanged":
            self.ledger.owe_feed(url, self.writer.run_id)

    def settle(self, url: str) -> None:
        """``url`` needs nothing more (not an article, or outside the run's ``since``)."""
        self.settled([url])
        self.writer.commit_if_due()

    def settled(self, urls: Iterable[str]) -> None:
        """``urls`` are settled, in the batch being written (the caller commits it)."""
        try:
            earlier = self.ledger.settle(urls, self.writer.run_id)
        except sqlite3.Error as error:  # still owed: the next run requests them once more
            self.writer.store_error("settling owed articles", error)
            return
        if earlier:
            self.stats.inc_value("mayadeen/owed/settled", earlier)

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
                self.writer.run_id,
                status,
            )
        except sqlite3.Error as error:
            self.writer.store_error("recording an owed article", error)
            return
        self.stats.inc_value(f"mayadeen/owed/{counted_as(outcome, status)}")
        self.stats.inc_value(f"mayadeen/owed/reasons/{reason}")
        self.writer.commit_if_due()

    def not_archived(self, url: str) -> None:
        """``url`` is stored but its page is not in the archive: owed to the archive, due at
        once (the next run fetches it again and archives it; nothing of the site's is lost)."""
        now = iso_seconds(datetime.now(UTC))
        try:
            self.ledger.failed(url, NOT_ARCHIVED, False, now, now, self.writer.run_id, None)
        except sqlite3.Error as error:
            self.writer.store_error("recording an article owed to the archive", error)
            return
        self.stats.inc_value("mayadeen/owed/not_archived")

    def forbidden(self, url: str, robots: str) -> None:
        """robots.txt (of fingerprint ``robots``) forbids ``url``: settled as forbidden, not owed;
        later runs skip it until the site's robots.txt changes."""
        writer = self.writer
        try:
            self.ledger.forbid(url, robots, writer.clock.now(), writer.run_id)
        except sqlite3.Error as error:
            writer.store_error(f"recording {url} as forbidden", error)
            return
        logger.info("%s: forbidden by robots.txt; not requested until robots.txt changes", url)
        self.stats.inc_value("mayadeen/owed/forbidden")
        writer.commit_if_due()

    def _item_error(self, item: Any, response: Any, spider: Spider, failure: Any) -> None:
        self.stats.inc_value("mayadeen/items/errors")
        if url := ItemAdapter(item).get("url"):
            self.fetch_failed(url, f"item error: {type(failure.value).__name__}")

    def _given_up(self, request: Any, url: str, reason: str) -> None:
        """A redirect refused or looping is a failed attempt; a request a shutdown cancelled was
        not sent, and stays owed as it is (``unsettled``)."""
        if request.meta.get(OWED_META) and reason != "shutdown":
            self.fetch_failed(url, reason)

    def _spider_error(self, failure: Any, response: Any, spider: Spider) -> None:
        request = getattr(response, "request", None)
        if request is not None and request.meta.get(OWED_META):
            self.fetch_failed(first_url(request), f"page error: {type(failure.value).__name__}")

    # -- what the run covered ----------------------------------------------------------------

    def cover(self, source: str, kind: str) -> None:
        """This run read ``source`` (a sitemap, a listing) to its end."""
        self.covered[source] = kind

    def closing(self, reason: str) -> None:
        """At the close, after the last commit: take what earlier feeds owe, mark what a
        trustworthy run covered, and count what is still owed."""
        writer = self.writer
        try:
            if not self.stats.get_value(UNREACHABLE_STAT):  # else left to a run that writes feeds
                self.feed_backlog = self.ledger.take_unfed(writer.run_id, alone=not self.shared)
        except sqlite3.Error as error:
            writer.store_error("reading what earlier feeds owe", error)
        writer.commit(force=True)
        if self._trustworthy(reason) and self.covered:
            self.ledger.cover(self.covered, writer.run_id, writer.clock.now())
            writer.commit(force=True)
            self.stats.set_value("mayadeen/covered", len(self.covered))
        self.stats.set_value("mayadeen/owed/outstanding", self.ledger.outstanding())

    def _trustworthy(self, reason: str) -> bool:
        """Whether what this run read to its end may shorten later runs: it ran its course,
        stored something or met no trouble, and the store took every write."""
        stats = self.stats.get_stats()
        return (
            reason in SUCCESSFUL_CLOSE_REASONS
            and not stats.get(STORE_ERRORS)
            and stored_something(stats).status != "failed"
        )

    # -- the feeds ---------------------------------------------------------------------------

    def _settle_earlier_feeds(self) -> None:
        """Feeds of earlier runs: complete ones (a run killed after renaming them, before its
        store took note) list their articles; incomplete ones are made all ``.partial``."""
        feeds_dir = self.data_dir / "feeds"
        done = []
        for run_id in self.ledger.feed_owing_runs() - {self.writer.run_id}:
            state = feed_state(feeds_dir, run_id)
            if state == "complete":
                done.append(run_id)
            elif state == "incomplete":
                demote(feeds_dir, run_id)
        if done:
            self.ledger.fed(done)
            self.writer.commit(force=True)

    def feeds_closed(self, partials: list[Path], whole: bool) -> None:
        """The per-run feeds are closed: with every file ``whole`` and every write committed,
        they get their final names and the store notes that their articles are listed; else
        they stay ``.partial`` and their articles are owed to a later run's feed."""
        run_id = self.writer.run_id
        self.feeds_complete = False
        try:
            if self.stats.get_value(UNREACHABLE_STAT):  # empty: no feed that reads as a quiet day
                for path in partials:
                    path.unlink(missing_ok=True)
                return
            if not whole or self.stats.get_value(STORE_ERRORS):
                self.stats.inc_value(FEED_FAILURES)
                logger.error(
                    "feeds: the feeds of run %s are not complete; kept as %s, their articles "
                    "will be listed by the next run's feeds",
                    run_id,
                    ", ".join(str(path) for path in partials),
                )
                return
            complete(partials)
            self.feeds_complete = True
            self.ledger.fed([run_id])
            self.writer.commit(force=True)
        except (OSError, sqlite3.Error) as error:
            self.stats.inc_value(FEED_FAILURES)
            logger.error("feeds: cannot complete the feeds of run %s: %s", run_id, error)
