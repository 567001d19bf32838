"""The per-run feed of the BREAKING ticker: ``<data_dir>/feeds/breaking-<run_id>.<ext>``, one per
format of ``MAYADEEN_FEED_FORMAT`` but Parquet (``csv`` and ``jsonl.gz`` by default), listing the
lines the run recorded first (``mayadeen.store.breaking``), first seen first.

The article feeds' guarantees (``mayadeen.run.feed_files``): written at the run's close, after
the article feeds, from the committed table, as ``breaking-<run_id>.<ext>.partial``, and given
their final names only when every file is whole and the store took every write of the run; else
they stay ``.partial`` and their lines are owed (``breaking.feed_run_id``) to the next run's feed,
which lists them too. A run killed while renaming is put back to all ``.partial`` by the next run;
one killed after renaming, before its store noted it, is noted by the next run. A run that could
not reach the site writes none; a run that saw no new line writes the header only.
"""

import logging
import sqlite3
from pathlib import Path
from typing import Any, Final

from mayadeen.exporters import exporting
from mayadeen.run.feed_files import complete, demote, feed_state, final_path, partial_path
from mayadeen.run.writer import STORE_ERRORS, StoreWriter
from mayadeen.store.breaking import (
    COLUMNS,
    fed,
    feed_lines,
    feed_owing_runs,
    hand_over,
    lines_of_run,
)
from mayadeen.store.files import open_nofollow
from mayadeen.store.ledger import process_alive

logger = logging.getLogger(__name__)

KIND: Final = "breaking"
BREAKING_FEED_FAILURES: Final = "mayadeen/feeds/breaking_failed"
"""Stats key: a breaking feed left incomplete (its lines are listed by a later run's feed)."""


def breaking_feed_path(directory: Path, run_id: str, extension: str) -> Path:
    """``<data_dir>/feeds/breaking-<run_id>.<extension>``.

    >>> breaking_feed_path(Path("data"), "20261121T101500Z", "csv").as_posix()
    'data/feeds/breaking-20261121T101500Z.csv'
    """
    return directory / "feeds" / f"{KIND}-{run_id}.{extension}"


class BreakingFeed:
    def __init__(
        self, writer: StoreWriter, data_dir: Path, formats: tuple[str, ...], shared: bool
    ) -> None:
        self.writer = writer
        self.stats = writer.stats
        self.data_dir = data_dir
        self.formats = tuple(name for name in formats if name != "parquet")
        self.store_empty = True
        """Whether a run with no new line writes the header only (Scrapy's ``FEED_STORE_EMPTY``,
        as the article feeds do), or no file."""
        self.shared = shared
        """A worker of a crawl shared through Redis: other workers' runs may share the store."""
        self.files: list[Path] = []
        """The feed's files under their final names, once complete."""
        self.partials: list[Path] = []
        """The feed's files left ``.partial`` (incomplete)."""

    def paths(self) -> list[Path]:
        run_id = self.writer.run_id
        return [breaking_feed_path(self.data_dir, run_id, ext) for ext in self.formats]

    def opened(self) -> None:
        """Breaking feeds of earlier runs: complete ones (a run killed after renaming them) list
        their lines; incomplete ones are made all ``.partial``."""
        db, feeds_dir = self.writer.store.db, self.data_dir / "feeds"
        done = []
        for run_id in feed_owing_runs(db) - {self.writer.run_id}:
            state = feed_state(feeds_dir, run_id, KIND)
            if state == "complete":
                done.append(run_id)
            elif state == "incomplete":
                demote(feeds_dir, run_id, KIND)
        if done:
            fed(db, done)
            self.writer.commit(force=True)

    def close(self, unreachable: bool) -> None:
        """Write the feed, then complete it or keep it ``.partial`` (one error line)."""
        if unreachable or not self.writer.connected:
            return
        writer, db = self.writer, self.writer.store.db
        run_id = writer.run_id
        hand_over(db, self._ended_owing_runs(db), run_id)
        writer.commit(force=True)
        self.stats.set_value("mayadeen/breaking/new", lines_of_run(db, run_id))
        partials = [partial_path(path) for path in self.paths()]
        try:
            lines = list(feed_lines(db, run_id))
            if not lines and not self.store_empty:  # none wanted: nothing owed either
                fed(db, [run_id])
                writer.commit(force=True)
                return
            for path, extension in zip(partials, self.formats, strict=True):
                write(path, extension, lines)
        except (OSError, sqlite3.Error) as error:
            self._incomplete(partials, str(error))
            return
        if self.stats.get_value(STORE_ERRORS):  # what it lists may not be what was seen
            self._incomplete(partials, "the store refused writes of this run")
            return
        try:
            complete(partials)
            fed(db, [run_id])
        except (OSError, sqlite3.Error) as error:
            self._incomplete(partials, str(error))
            return
        writer.commit(force=True)
        self.files = [final_path(path) for path in partials]
        self.stats.set_value("mayadeen/breaking/listed", len(lines))
        for path in self.files:
            logger.info("Stored breaking feed (%d lines) in: %s", len(lines), path)

    def _incomplete(self, partials: list[Path], why: str) -> None:
        self.partials = [path for path in partials if path.exists()]
        self.stats.inc_value(BREAKING_FEED_FAILURES)
        logger.error(
            "feeds: the breaking feed of run %s is not complete (%s); kept as %s, its lines "
            "will be listed by the next run's",
            self.writer.run_id,
            why,
            ", ".join(str(path) for path in self.partials) or "nothing",
        )

    def _ended_owing_runs(self, db: sqlite3.Connection) -> list[str]:
        """Earlier runs whose breaking feed owes lines and that are over: all of them when this
        run is alone on its data directory, else those finished or whose process is gone (a
        worker of a shared crawl still going lists its own), and those no ``runs`` row knows."""
        owing = feed_owing_runs(db) - {self.writer.run_id}
        over = {
            other: finished is not None or not process_alive(pid)
            for other, finished, pid in db.execute("SELECT run_id, finished_at, pid FROM runs")
        }
        return sorted(other for other in owing if not self.shared or over.get(other, True))


def write(path: Path, extension: str, lines: list[dict[str, Any]]) -> None:
    """Write ``lines`` to ``path`` in the format of ``extension`` (never through a symlink)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open_nofollow(path, "wb") as stream, exporting(stream, extension, COLUMNS) as exporter:
        for line in lines:
            exporter.export_item(line)
