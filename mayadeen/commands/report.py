"""``scrapy report``: one self-contained HTML file to look at, for people who never read a
manifest: the run history, articles per day by section, field coverage per run (the drift
signal) and the top tags and authors (``mayadeen.report.history``, ``page``, ``svg``).

``scrapy report`` writes ``<MAYADEEN_DATA_DIR>/report.html``; ``-o FILE`` elsewhere; ``--runs``,
``--days`` and ``--top`` bound what is shown. The file is written whole or not at all, and never
over a file the data directory manages (the store, the archive, feeds, manifests, quarantine:
``mayadeen.store.outputs``): that is refused, exit 2.
"""

import argparse
import sqlite3
import sys
from datetime import UTC, datetime
from pathlib import Path

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from mayadeen.commands import one_line_errors, site_from_store
from mayadeen.crawl.preflight import store_problem
from mayadeen.report import history, page
from mayadeen.report.health import Thresholds
from mayadeen.store import Store, store_path
from mayadeen.store.outputs import managed_output, replace_whole

DEFAULT_NAME = "report.html"


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of at least 1")
    return value


def write(
    data_dir: Path,
    output: Path,
    *,
    runs: int,
    days: int,
    top: int,
    thresholds: Thresholds | None = None,
) -> None:
    """The report of ``data_dir``'s store and manifests, to ``output`` (renamed into place);
    the coverage grid judges changes with the health checks' ``thresholds``."""
    with Store.open(store_path(data_dir), readonly=True) as store:
        figures = history.read(store.db, data_dir / "runs", last_runs=runs, days=days, top=top)
    text = page.render(
        figures,
        data_dir=str(data_dir),
        generated_at=datetime.now(UTC),
        thresholds=thresholds,
    )
    replace_whole(output, lambda stream: stream.write(text.encode("utf-8")))


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False

    def syntax(self) -> str:
        return "[-o FILE] [--runs N] [--days N] [--top N]"

    def short_desc(self) -> str:
        return "Write an HTML report with charts of the runs and the stored articles"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        one_line_errors(parser, "report")
        parser.add_argument(
            "-o", "--output", metavar="FILE", help=f"default: <data dir>/{DEFAULT_NAME}"
        )
        parser.add_argument(
            "--runs", type=_positive, default=30, metavar="N", help="the last N runs (30)"
        )
        parser.add_argument(
            "--days", type=_positive, default=30, metavar="N", help="days of articles (30)"
        )
        parser.add_argument(
            "--top", type=_positive, default=15, metavar="N", help="tags and authors (15)"
        )

    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        super().process_options(args, opts)
        site_from_store(self.settings)

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if args:
            raise UsageError(f"unexpected arguments: {' '.join(args)}")
        assert self.settings is not None
        data_dir = Path(self.settings["MAYADEEN_DATA_DIR"])
        path = store_path(data_dir)
        output = Path(opts.output) if opts.output else data_dir / DEFAULT_NAME
        if managed := managed_output(output, data_dir):
            self._refuse(f"{output} is {managed}; write the report to another file", exitcode=2)
            return
        if not path.exists():
            self._refuse(f"no store at {path} (run a crawl first)")
            return
        try:
            thresholds = Thresholds.from_settings(self.settings)
            bounds = {"runs": opts.runs, "days": opts.days, "top": opts.top}
            write(data_dir, output, **bounds, thresholds=thresholds)
        except OSError as error:
            self._refuse(f"cannot write {output}: {error}")
        except sqlite3.DatabaseError as error:
            self._refuse(store_problem(path, error))
        else:
            print(f"report: {output}", file=sys.stderr)

    def _refuse(self, message: str, exitcode: int = 1) -> None:
        print(f"report: {message}", file=sys.stderr)
        self.exitcode = exitcode
