"""``scrapy export``: the store's articles as CSV or JSON Lines, for analysts who never crawl.

``scrapy export`` writes every stored article as CSV to stdout; ``--since 2026-11-01`` only those
new or updated (``changed_at``) since that day (UTC); ``-o FILE`` writes a file, its format from
the extension (``.jsonl``/``.csv``) unless ``--format`` says. Rows are ordered by publication time.
"""

import argparse
import os
import sys
from datetime import date
from pathlib import Path
from typing import cast

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from mayadeen.exporters import FORMATS, FeedWriter, Format
from mayadeen.store import Store, store_path


def _since(text: str) -> str:
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False

    def syntax(self) -> str:
        return "[-o FILE] [--format csv|jsonl] [--since YYYY-MM-DD]"

    def short_desc(self) -> str:
        return "Write the stored articles (or those changed since a date) as CSV or JSON Lines"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("-o", "--output", metavar="FILE", help="write here (default stdout)")
        parser.add_argument("--format", choices=FORMATS, help="default: the extension, else csv")
        parser.add_argument(
            "--since", type=_since, metavar="YYYY-MM-DD", help="only new or updated since then"
        )

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if args:
            raise UsageError(f"unexpected arguments: {' '.join(args)}")
        assert self.settings is not None
        path = store_path(self.settings.get("MAYADEEN_DATA_DIR"))
        if not path.exists():
            print(f"export: no store at {path} (run a crawl first)", file=sys.stderr)
            self.exitcode = 1
            return
        output = Path(opts.output) if opts.output else None
        file_format = opts.format or ("jsonl" if output and output.suffix == ".jsonl" else "csv")
        if output is not None:
            writer = FeedWriter.create(output, cast(Format, file_format))
        else:
            sys.stdout.reconfigure(encoding="utf-8", newline="")  # type: ignore[union-attr]
            writer = FeedWriter(sys.stdout, cast(Format, file_format))
        try:
            with Store.open(path, readonly=True) as store:
                for article in store.articles(changed_since=opts.since):
                    writer.write(article, flush=False)
        except BrokenPipeError:  # `scrapy export | head`: the reader has all it wanted
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return
        if output is not None:
            writer.close()
            print(f"export: {writer.count} articles to {output}", file=sys.stderr)
        else:
            sys.stdout.flush()
