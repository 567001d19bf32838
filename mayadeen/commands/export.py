"""``scrapy export``: the store's articles as CSV, JSON Lines or JSON, for analysts who never crawl.

``scrapy export`` writes every stored article as CSV to stdout (``-o -`` says the same; the
format is then ``--format``'s, else CSV); ``-o FILE`` writes a file in the format its extension
names (``.csv``, ``.jsonl``, ``.json``, ``.jsonl.gz``, ``.parquet``, any case) unless
``--format`` says. Rows are ordered by publication time. Scrapy's item exporters write every
format. Filters, all of them narrowing: ``--changed-since 2026-11-01`` only articles new or
updated in the store (``changed_at``) since that UTC day (``--since`` is its old name; the
spider's ``since`` argument means publication, which is ``--published-since``);
``--published-since 2026-11-01`` only articles published that day or later; ``--section
Politics``; ``--tag Lebanon`` (any case). ``-o DIR --format parquet --partition month`` writes
a Hive-partitioned Parquet dataset instead, a directory per ``published_month``, into a new or
empty ``DIR`` (``mayadeen.parquet_dataset``). ``--near-duplicates`` writes the near-duplicate pairs
instead (``NEAR_DUPLICATE_COLUMNS``: both URLs, titles and publication times, the similarity and
when the pair was found), ``--breaking`` the BREAKING ticker's lines (``docs/breaking.md``; with
``--changed-since``, those last seen since that day), as CSV, JSON Lines or JSON
(``mayadeen.commands.export_rows``).

A file is written beside the output under a temporary name and renamed over it when complete, so
a failed export leaves no partial file and an existing output untouched (a dataset, likewise, as a
directory); an output that is a file the data directory manages (the store and its ``-wal``,
``-shm``, the archive, feeds, manifests, quarantine), however spelled, is refused
(``mayadeen.store.outputs``).
"""

import argparse
import os
import sqlite3
import sys
from datetime import date
from pathlib import Path
from typing import IO

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from mayadeen.commands import one_line_errors, site_from_store
from mayadeen.commands.export_rows import ARTICLES, BREAKING, FILTERS, NEAR_DUPLICATES, Rows
from mayadeen.crawl.preflight import store_problem
from mayadeen.exporters import EXPORT_FORMATS, format_for
from mayadeen.store import Store, store_path
from mayadeen.store.outputs import managed_output, occupied_directory, replace_whole

FORMAT_NAMES = tuple(EXPORT_FORMATS)
EXTENSIONS = ", ".join(f".{name}" for name in FORMAT_NAMES)


def _since(text: str) -> str:
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def _partition_problem(to_stdout: bool, explicit_format: str | None) -> str | None:
    """Why ``--partition`` cannot be honoured with these options, in words (and the fix)."""
    if to_stdout:
        return "--partition month writes a directory: name it with -o DIR"
    if explicit_format not in (None, "parquet"):
        return f"--partition month writes Parquet, not {explicit_format}: use --format parquet"
    return None


def _selections(opts: argparse.Namespace) -> list[str]:
    """The selecting options given (``changed_since``, the filters, ``partition``)."""
    return [name for name in ("changed_since", *FILTERS, "partition") if getattr(opts, name)]


def _chosen_format(output: str | None, explicit: str | None) -> str | None:
    """``--format`` if given, else the output file's extension, else CSV (for stdout, also
    spelled ``-o -``); None for a file whose extension names no format.

    >>> _chosen_format(None, None), _chosen_format("a.JSON", None), _chosen_format("a.xml", "csv")
    ('csv', 'json', 'csv')
    >>> _chosen_format("-", None), _chosen_format("-", "jsonl")
    ('csv', 'jsonl')
    """
    if explicit:
        return explicit
    return format_for(output) if output and output != "-" else "csv"


def export(
    store_file: Path,
    stream: IO[bytes],
    file_format: str,
    since: str | None,
    rows: Rows = ARTICLES,
    **filters: str | None,
) -> int:
    """Write the stored articles (those changed since ``since`` if given, and passing the
    ``filters`` of ``Store.articles``) to ``stream`` in ``file_format``, or the other ``rows``;
    returns how many."""
    with Store.open(store_file, readonly=True) as store:
        if rows is not ARTICLES:
            return rows.write(store, stream, file_format, since, filters)
        return write_articles(store, stream, file_format, since, **filters)


def write_articles(
    store: Store, stream: IO[bytes], file_format: str, since: str | None, **filters: str | None
) -> int:
    """``export`` of the articles from a store already open."""
    return ARTICLES.write(store, stream, file_format, since, filters)


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False

    def syntax(self) -> str:
        return (
            f"[-o FILE|DIR] [--format {'|'.join(FORMAT_NAMES)}] [--partition month] "
            "[--changed-since YYYY-MM-DD] [--published-since YYYY-MM-DD] [--section NAME] "
            "[--tag TAG] [--near-duplicates | --breaking]"
        )

    def short_desc(self) -> str:
        return "Write stored articles (all, or a selection) as CSV, JSON Lines, JSON or Parquet"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        one_line_errors(parser, "export")
        parser.add_argument(
            "-o", "--output", metavar="FILE", help="write here (default, or -: stdout)"
        )
        parser.add_argument(
            "--format", choices=FORMAT_NAMES, help=f"default: from the extension ({EXTENSIONS})"
        )
        parser.add_argument(
            "--changed-since",
            "--since",
            dest="changed_since",
            type=_since,
            metavar="YYYY-MM-DD",
            help="only articles new or updated in the store since that UTC day "
            "(--since: the same, its old name)",
        )
        parser.add_argument(
            "--published-since",
            type=_since,
            metavar="YYYY-MM-DD",
            help="only articles published that day or later (the page's own date)",
        )
        parser.add_argument(
            "--partition",
            choices=("month",),
            help="with -o DIR: a Parquet dataset, a directory per published_month (Hive style)",
        )
        parser.add_argument("--section", metavar="NAME", help="only this section (any case)")
        parser.add_argument("--tag", metavar="TAG", help="only articles with this tag (any case)")
        tables = parser.add_mutually_exclusive_group()
        tables.add_argument(
            "--near-duplicates",
            action="store_const",
            const=NEAR_DUPLICATES,
            dest="rows",
            help="write the near-duplicate pairs (both URLs and titles, similarity) instead",
        )
        tables.add_argument(
            "--breaking",
            action="store_const",
            const=BREAKING,
            dest="rows",
            help="write the BREAKING ticker's lines instead (--changed-since: last seen since)",
        )

    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        super().process_options(args, opts)
        site_from_store(self.settings)

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if args:
            raise UsageError(f"unexpected arguments: {' '.join(args)}")
        assert self.settings is not None
        path = store_path(self.settings.get("MAYADEEN_DATA_DIR"))
        to_stdout = opts.output in (None, "-")
        explicit = opts.format or ("parquet" if opts.partition else None)
        file_format = _chosen_format(opts.output, explicit)
        rows: Rows = opts.rows or ARTICLES
        # One line each and no file: a UsageError would print the usage block as well.
        data_dir = Path(self.settings.get("MAYADEEN_DATA_DIR"))
        written = "directory" if opts.partition else "file"
        if opts.partition and (problem := _partition_problem(to_stdout, opts.format)):
            self._refuse(problem)
        elif not to_stdout and (managed := managed_output(Path(opts.output), data_dir)):
            self._refuse(f"{opts.output} is {managed}; write the export to another {written}")
        elif file_format is None:
            self._refuse(f"{opts.output}: unknown extension, use {EXTENSIONS} (or --format)")
        elif problem := EXPORT_FORMATS[file_format].problem(file_format):
            self._refuse(problem)
        elif opts.partition and (occupied := occupied_directory(Path(opts.output))):
            self._refuse(f"{occupied}: name a new or empty directory (or remove it first)")
        elif rows is not ARTICLES and (problem := rows.refused(_selections(opts), file_format)):
            self._refuse(problem)
        elif not path.exists():
            self._refuse(f"no store at {path} (run a crawl first)", exitcode=1)
        else:
            filters = {name: getattr(opts, name) for name in FILTERS}
            output = opts.output if not to_stdout else None
            if opts.partition:
                self._export_dataset(path, Path(opts.output), opts.changed_since, filters)
            else:
                self._export(path, output, file_format, opts.changed_since, filters, rows)

    def _refuse(self, message: str, exitcode: int = 2) -> None:
        print(f"export: {message}", file=sys.stderr)
        self.exitcode = exitcode

    def _export_dataset(
        self, path: Path, output: Path, since: str | None, filters: dict[str, str | None]
    ) -> None:
        # pyarrow is an optional extra: imported only once its problem() found it installed.
        from mayadeen.parquet_dataset import export_dataset

        try:
            with Store.open(path, readonly=True) as store:
                months = export_dataset(store.articles(changed_since=since, **filters), output)
        except OSError as error:  # a full disk; DIR filled meanwhile: no directory made
            self._refuse(f"cannot write {output}: {error}", exitcode=1)
        except sqlite3.DatabaseError as error:
            self._refuse(store_problem(path, error), exitcode=1)
        else:
            total = sum(months.values())
            print(f"export: {total} articles in {len(months)} months to {output}", file=sys.stderr)

    def _export(
        self,
        path: Path,
        output: str | None,
        file_format: str,
        since: str | None,
        filters: dict[str, str | None],
        rows: Rows,
    ) -> None:
        try:
            if output is None:
                _to_stdout(path, file_format, since, rows, **filters)
            else:
                _to_file(path, Path(output), file_format, since, rows, **filters)
        except BrokenPipeError:  # `scrapy export | head`: the reader has all it wanted
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        except OSError as error:  # a full disk, a directory not writable: the output is untouched
            self._refuse(f"cannot write {output or 'stdout'}: {error}", exitcode=1)
        except sqlite3.DatabaseError as error:  # a damaged store: no file made
            self._refuse(store_problem(path, error), exitcode=1)


def _to_file(
    path: Path,
    output: Path,
    file_format: str,
    since: str | None,
    rows: Rows = ARTICLES,
    **filters: str | None,
) -> None:
    """The export written whole or not at all (``replace_whole``); a store that cannot be read
    makes no file."""
    with Store.open(path, readonly=True) as store:
        if rows is ARTICLES:
            count = replace_whole(
                output, lambda stream: write_articles(store, stream, file_format, since, **filters)
            )
        else:
            count = replace_whole(
                output, lambda stream: rows.write(store, stream, file_format, since, filters)
            )
    print(f"export: {count} {rows.name} to {output}", file=sys.stderr)


def _to_stdout(
    path: Path, file_format: str, since: str | None, rows: Rows, **filters: str | None
) -> None:
    # Bytes, not text: the exporters encode, and stdout's encoding or newline translation must
    # not change a CSV's \r\n or a gzip stream.
    export(path, sys.stdout.buffer, file_format, since, rows, **filters)
    sys.stdout.buffer.flush()
