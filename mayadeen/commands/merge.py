"""``scrapy merge SOURCE_DIR [SOURCE_DIR ...]``: merge data directories of one site (the stores
of workers on other machines) into the one ``MAYADEEN_DATA_DIR`` names, empty or not.

Each source is checked first (a data directory, not the target itself, of the target's site, of
a schema this mayadeen knows), all of them before anything is written; then each is merged in
one transaction, read-only (an older schema is migrated in a temporary copy). The target is
locked as a crawl locks it. One summary line per source; the figures go to the merge's manifest,
``<MAYADEEN_DATA_DIR>/merges/<merge_id>.json``. Merging the same source again changes nothing.
"""

import argparse
import sqlite3
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from mayadeen.commands import one_line_errors
from mayadeen.crawl.preflight import OtherSiteError, preflight, store_problem
from mayadeen.pages.dates import iso_seconds
from mayadeen.report import manifest
from mayadeen.run.paths import data_dir, run_id_for
from mayadeen.site.urls import site_root
from mayadeen.store.db import store_path, unique_run_id
from mayadeen.store.files import DataDirError
from mayadeen.store.merge import Merged, MergeError, connect, merge_source, unruled
from mayadeen.store.merge.source import Source, SourceRefused, check_source


def merge_id(directory: Path, now: datetime) -> str:
    """The merge's id: its UTC start, like a run id, unique among the merges' manifests."""
    taken = {path.stem for path in directory.glob("*.json")}
    return unique_run_id(run_id_for(now), taken)


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False

    def syntax(self) -> str:
        return "SOURCE_DIR [SOURCE_DIR ...]"

    def short_desc(self) -> str:
        return "Merge other data directories of the site into MAYADEEN_DATA_DIR"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        one_line_errors(parser, "merge")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if not args:
            raise UsageError("give the data directories to merge", print_help=False)
        assert self.settings is not None
        target = data_dir(self.settings)
        root = site_root(self.settings["MAYADEEN_BASE_URL"])
        try:
            sources = [check_source(Path(arg), target, root) for arg in dict.fromkeys(args)]
        except SourceRefused as error:
            return self._fail(str(error), 2)
        settings = self.settings.copy()
        settings.set("MAYADEEN_REDIS_URL", "", "cmdline")  # the merge holds the lock alone
        try:
            lock = preflight(settings)
        except DataDirError as error:
            return self._fail(str(error), 2 if isinstance(error, OtherSiteError) else 1)
        try:
            self._merge(target, root, sources)
        finally:
            lock.release()

    def _fail(self, message: str, status: int) -> None:
        print(f"merge: {message}", file=sys.stderr)
        self.exitcode = status

    def _merge(self, target: Path, root: str, sources: list[Source]) -> None:
        started = datetime.now(UTC)
        done: list[Merged] = []
        failure: str | None = None
        db = connect(target)
        try:
            if strange := unruled(db):
                raise MergeError(f"no merge rule for the table {', '.join(strange)}")
            for source in sources:
                merged = merge_source(db, source, target, root)
                print(merged.line())
                if merged.files["missing"]:
                    print(
                        f"merge: {source.directory}: {merged.files['missing']} WARC files its "
                        "captures name are missing there: those pages cannot be re-extracted",
                        file=sys.stderr,
                    )
                done.append(merged)
        except MergeError as error:
            failure = str(error)
        except sqlite3.DatabaseError as error:
            failure = store_problem(store_path(target), error)
        except OSError as error:
            failure = f"cannot bring the WARC files into {target / 'archive'}: {error}"
        finally:
            db.close()
        self._manifest(target, started, sources, done, failure)
        if failure:
            left = [str(s.directory) for s in sources[len(done) :]]
            self._fail(f"{failure} (not merged: {', '.join(left)})", 1)

    def _manifest(
        self,
        target: Path,
        started: datetime,
        sources: list[Source],
        done: list[Merged],
        failure: str | None,
    ) -> None:
        directory = target / "merges"
        identity = merge_id(directory, started)
        figures: dict[str, Any] = {
            "format": 1,
            "merge_id": identity,
            "started_at": iso_seconds(started),
            "finished_at": iso_seconds(datetime.now(UTC)),
            "target": str(target),
            "sources": [merged.figures() for merged in done],
            "not_merged": [str(s.directory) for s in sources[len(done) :]],
            "outcome": {"failed": failure is not None, "reason": failure},
        }
        manifest.write(directory / f"{identity}.json", figures)
        print(f"merge: manifest {directory / f'{identity}.json'}")
