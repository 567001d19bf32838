"""The run's one writer of the store: its connection, its batches and the counters of its
``runs`` row. Every row a run writes goes through it: articles with their capture and origin,
quarantined items (and the run's quarantine file), aliases, non-articles, our archive's index
(``mayadeen.warc``), a web archive's cursors, the BREAKING ticker's lines
(``mayadeen.store.breaking``), and the crawl's ledger (``mayadeen.run.ledger``,
built with it).

Writes are committed in batches (``MAYADEEN_STORE_BATCH_SIZE`` writes, at least every
``MAYADEEN_STORE_COMMIT_INTERVAL`` seconds, and at the close); a batch's counts become the run's
only when it is committed, so a refused commit never counts what it lost.
"""

import contextlib
import json
import logging
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any, Final

from scrapy.settings import BaseSettings
from scrapy.statscollectors import StatsCollector

from mayadeen.items import ArticleItem, Verdict
from mayadeen.pages.dates import iso_seconds
from mayadeen.pages.ticker import TickerLine
from mayadeen.run.paths import Clock, quarantine_path, run_id_for
from mayadeen.store import SchemaError, Store
from mayadeen.store.breaking import Sighting, Sightings, rebuild, record_sighting
from mayadeen.store.files import open_nofollow
from mayadeen.store.ledger import Ledger
from mayadeen.store.origins import SITE, Origin, save_cursor, set_origin
from mayadeen.warc.index import add_capture
from mayadeen.warc.writing import Written

logger = logging.getLogger(__name__)

COUNTS: Final = ("items_new", "items_updated", "items_unchanged", "duplicates", "quarantined")
"""The run's counters, as the ``runs`` table names its columns."""

STORE_ERRORS: Final = "mayadeen/store/errors"
"""Stats key: writes or commits the store refused (the articles involved are not stored)."""


class StoreUnavailable(Exception):
    """The store could not be opened, or the run's id not claimed in it (logged)."""


class StoreWriter:
    def __init__(self, settings: BaseSettings, stats: StatsCollector, store_path: Path) -> None:
        self.stats = stats
        self.store_path = store_path
        self.batch_size = max(1, settings.getint("MAYADEEN_STORE_BATCH_SIZE"))
        self.commit_interval = settings.getfloat("MAYADEEN_STORE_COMMIT_INTERVAL")
        self.clock = Clock()
        self.counts = dict.fromkeys(COUNTS, 0)
        self._uncommitted = dict.fromkeys(COUNTS, 0)
        """Counts of writes in the batch not committed yet: they join ``counts`` at the commit."""
        self.archive_files: dict[str, int] = {}
        """The archive files this run wrote (paths) → their bytes, for the manifest."""
        self._run_id: str | None = None
        self._store: Store | None = None
        self._ledger: Ledger | None = None
        self._quarantine: IO[str] | None = None

    # -- the connection ----------------------------------------------------------------------

    def open(self, started: datetime) -> str:
        """Open the store and claim the run's id in it (under the store's write lock: two crawls
        started within the same second get distinct ids)."""
        try:
            store = self._store = Store.open(self.store_path)
            self._run_id = store.claim_run(run_id_for(started), iso_seconds(started))
        except (OSError, sqlite3.Error, SchemaError) as error:
            logger.error("store: cannot open %s: %s", self.store_path, error)
            if self._store is not None:
                self._store.close()
                self._store = None
            raise StoreUnavailable from None
        store.batch_size, store.commit_interval = self.batch_size, self.commit_interval
        self._ledger = Ledger(store)
        return self._run_id

    @property
    def opened(self) -> bool:
        """Whether the run claimed its id (it keeps it once finished)."""
        return self._run_id is not None

    @property
    def connected(self) -> bool:
        """Whether the store is open (from the spider's opening to the run's finish)."""
        return self._store is not None

    @property
    def run_id(self) -> str:
        if self._run_id is None:
            raise RuntimeError("the run has no id before the spider opens")
        return self._run_id

    @property
    def store(self) -> Store:
        if self._store is None:
            raise RuntimeError("the store is open only while the spider is")
        return self._store

    @property
    def ledger(self) -> Ledger:
        """The crawl's ledger tables (owed, covered, feeds owed), through this connection."""
        if self._ledger is None:
            raise RuntimeError("the store is open only while the spider is")
        return self._ledger

    def finish(self, reason: str) -> None:
        """Record how the run ended, with its counters, and close the connection."""
        if self._store is None:
            return
        try:
            self._store.finish_run(self.run_id, self.clock.now(), reason, self.counts)
            self._store.close()
        except sqlite3.Error as error:
            self.store_error("closing the run", error)
        self._store = self._ledger = None
        self.close_quarantine()
        logger.info(
            "store: run %s %s: %d new, %d updated, %d unchanged, %d duplicates, %d quarantined",
            self.run_id,
            reason,
            *self.counts.values(),
        )

    # -- batches -----------------------------------------------------------------------------

    def commit_if_due(self) -> None:
        self.commit()

    def commit(self, force: bool = False) -> None:
        """Commit the batch when due (or now, with ``force``); the batch's counts become the run's
        only then. A refused commit loses the batch: its articles stay unknown to the store (and
        owed where the ledger's earlier batches said so), and the run fails."""
        if self._store is None:
            return
        try:
            writes = self._store.commit() if force else self._store.commit_if_due()
        except sqlite3.Error as error:
            self.store_error("commit", error)
            self.rollback()
            return
        if not writes:
            return
        self.stats.inc_value("mayadeen/store/commits")
        for name, value in self._uncommitted.items():
            if value:
                self.counts[name] += value
                if name.startswith("items_"):
                    self.stats.inc_value(f"mayadeen/items/{name.removeprefix('items_')}", value)
        self._uncommitted = dict.fromkeys(COUNTS, 0)

    def rollback(self) -> None:
        with contextlib.suppress(sqlite3.Error):  # SQLite may have rolled it back itself
            self.store.rollback()
        self._uncommitted = dict.fromkeys(COUNTS, 0)

    def store_error(self, doing: str, error: sqlite3.Error) -> None:
        self.stats.inc_value(STORE_ERRORS)
        logger.error("store: %s failed in %s: %s", doing, self.store_path, error)

    # -- articles ----------------------------------------------------------------------------

    def store_article(self, item: ArticleItem) -> Verdict:
        """Write an article with its capture and origin (``item.provenance``); the caller
        settles it in the ledger and commits. New values from no capture name none; the same
        values keep the capture they had. An article with no origin (re-extracted) keeps the
        one recorded."""
        provenance = item.provenance
        verdict = self.store.put(item, self.clock.now(), provenance.capture, provenance.signed)
        origin = provenance.origin or Origin(SITE, self.clock.now())
        replace = provenance.origin is not None
        set_origin(self.store.db, item.url or "", origin, self.run_id, replace=replace)
        self._count_origin(origin)
        self._uncommitted[f"items_{verdict}"] += 1
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
        self.rollback()

    def duplicate(self, url: str, original: str, content_hash: str | None, kind: str) -> None:
        """Count a duplicate; the same content under another URL is kept as an alias of it."""
        self._uncommitted["duplicates"] += 1
        if kind == "content":
            self.store.add_alias(url, original, content_hash, self.clock.now())

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
            path = quarantine_path(self.store_path.parent, self.run_id)
            path.parent.mkdir(parents=True, exist_ok=True)
            self._quarantine = open_nofollow(path, "a")
        self._quarantine.write(json.dumps(record, ensure_ascii=False, default=str) + "\n")
        self._quarantine.flush()
        self.store.quarantine(values, reasons, self.run_id, self.clock.now())
        self._uncommitted["quarantined"] += 1

    def close_quarantine(self) -> None:
        if self._quarantine is not None:
            self._quarantine.close()
            self._quarantine = None

    def remember_non_article(self, url: str, kind: str) -> None:
        """Keep a page that said it is not an article, so the next run does not fetch it."""
        self.store.remember_non_article(url, kind, self.run_id, self.clock.now())
        self.commit_if_due()

    # -- the archives ------------------------------------------------------------------------

    def index_capture(
        self, url: str, written: Written, path: str, size: int, rendered: bool
    ) -> int:
        """Index a record our archive wrote (``path``, now ``size`` bytes) in ``captures``,
        committed with the run's batches; returns the capture's id, for the article read from
        the page (``mayadeen.items.CAPTURE_META``)."""
        self.archive_files[path] = size
        return self.index_record(url, written, rendered)

    def index_record(self, url: str, written: Written, rendered: bool = False) -> int:
        """Index a WARC record (ours, or one of a WARC made elsewhere) in ``captures``."""
        capture = add_capture(self.store.db, url, written, self.run_id, rendered)
        self.store.pending += 1
        self.commit_if_due()
        return capture

    def save_cursor(self, listing: str, position: str | None) -> None:
        """Where a web archive's index listing resumes (``archive_cursors``): committed with the
        batch of the articles read before it."""
        save_cursor(self.store.db, listing, position, self.clock.now())

    # -- the BREAKING ticker -----------------------------------------------------------------

    def see_breaking(self, lines: list[TickerLine], sighting: Sighting) -> None:
        """The ticker lines one page showed, committed with the run's batches. A write the store
        refuses is counted (the run fails) and its batch rolled back, as for an article."""
        try:
            record_sighting(
                self.store.db,
                ((line.text, line.attribution) for line in lines),
                sighting,
                self.run_id,
            )
        except sqlite3.Error as error:
            self.store_error(f"recording the ticker of {sighting.page_url}", error)
            self.rollback()
            return
        self.store.pending += 1
        self.commit_if_due()

    def rebuild_breaking(self, sightings: Sightings) -> None:
        """The ticker lines a re-extraction read from the archive (``store.breaking.rebuild``),
        committed with the run's batches; a refusal is counted and rolled back."""
        try:
            self.store.pending += rebuild(self.store.db, sightings, self.run_id)
        except sqlite3.Error as error:
            self.store_error("rebuilding the breaking table", error)
            self.rollback()
            return
        self.commit_if_due()
