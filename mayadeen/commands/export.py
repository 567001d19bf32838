"""``scrapy export``: the store's articles as CSV, JSON Lines or JSON, for analysts who never crawl.

``scrapy export`` writes every stored article as CSV to stdout; ``--since 2026-11-01`` only those
new or updated (``changed_at``) since that day (UTC); ``-o FILE`` writes a file in the format its
extension names (``.csv``, ``.jsonl``, ``.json``, ``.jsonl.gz``, any case) unless ``--format``
says. Rows are ordered by publication time. Scrapy's item exporters write every format.
"""

import argparse
import os
import sys
from datetime import date
from pathlib import Path
from typing import IO

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from mayadeen.exporters import EXPORT_FORMATS, exporting, format_for
from mayadeen.store import Store, store_path

FORMAT_NAMES = tuple(EXPORT_FORMATS)
EXTENSIONS = ", ".join(f".{name}" for name in FORMAT_NAMES)


def _since(text: str) -> str:
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def _chosen_format(output: str | None, explicit: str | None) -> str | None:
    """``--format`` if given, else the output file's extension, else CSV (for stdout); None for
    a file whose extension names no format.

    >>> _chosen_format(None, None), _chosen_format("a.JSON", None), _chosen_format("a.xml", "csv")
    ('csv', 'json', 'csv')
    """
    if explicit:
        return explicit
    return format_for(output) if output else "csv"


def export(store_file: Path, stream: IO[bytes], file_format: str, since: str | None) -> int:
    """Write the stored articles (those changed since ``since`` if given) to ``stream`` in
    ``file_format``; returns how many."""
    count = 0
    with Store.open(store_file, readonly=True) as store, exporting(stream, file_format) as out:
        for article in store.articles(changed_since=since):
            out.export_item(article)
            count += 1
    return count


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False

    def syntax(self) -> str:
        return f"[-o FILE] [--format {'|'.join(FORMAT_NAMES)}] [--since YYYY-MM-DD]"

    def short_desc(self) -> str:
        return "Write stored articles (all, or changed since a date) as CSV, JSON Lines or JSON"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("-o", "--output", metavar="FILE", help="write here (default stdout)")
        parser.add_argument(
            "--format", choices=FORMAT_NAMES, help=f"default: from the extension ({EXTENSIONS})"
        )
        parser.add_argument(
            "--since", type=_since, metavar="YYYY-MM-DD", help="only new or updated since then"
        )

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if args:
            raise UsageError(f"unexpected arguments: {' '.join(args)}")
        file_format = _chosen_format(opts.output, opts.format)
        if file_format is None:
            # One line and no file: a UsageError would print the usage block as well.
            print(
                f"export: {opts.output}: unknown extension, use {EXTENSIONS} (or --format)",
                file=sys.stderr,
            )
            self.exitcode = 2
            return
        assert self.settings is not None
        path = store_path(self.settings.get("MAYADEEN_DATA_DIR"))
        if not path.exists():
            print(f"export: no store at {path} (run a crawl first)", file=sys.stderr)
            self.exitcode = 1
            return
        try:
            if opts.output:
                _to_file(path, Path(opts.output), file_format, opts.since)
            else:
                _to_stdout(path, file_format, opts.since)
        except BrokenPipeError:  # `scrapy export | head`: the reader has all it wanted
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def _to_file(path: Path, output: Path, file_format: str, since: str | None) -> None:
    output.parent.mkdir(parents=True, exist_ok=True)
    with output.open("wb") as stream:
        count = export(path, stream, file_format, since)
    print(f"export: {count} articles to {output}", file=sys.stderr)


def _to_stdout(path: Path, file_format: str, since: str | None) -> None:
    # Bytes, not text: the exporters encode, and stdout's encoding or newline translation must
    # not change a CSV's \r\n or a gzip stream.
    export(path, sys.stdout.buffer, file_format, since)
    sys.stdout.buffer.flush()
