"""``scrapy diff``: how stored articles changed, version by version, without the network.

``scrapy diff URL [URL ...]`` prints, for each article (a canonical URL, an alias URL, or a
path of the site such as ``/news/politics/slug``), every change between its stored versions:
when the crawler stored the new version and how long after publication, the fields that
changed, and a word-level diff of each text field (``[-removed-]``, ``{+added+}``; the body's
unchanged runs cut to ``--context`` words each side) and ``old → new`` for the others.
``scrapy diff --since YYYY-MM-DD`` does the same for every article with a version stored since
that UTC day, showing only those changes. An URL not stored is one line on stderr and exit 1.
"""

import argparse
import sqlite3
import sys
from collections.abc import Iterator

from scrapy.commands import ScrapyCommand

from mayadeen.commands import one_line_errors
from mayadeen.commands.export import _since
from mayadeen.crawl.preflight import store_problem
from mayadeen.report.changes import (
    TEXT_FIELDS,
    Change,
    after_text,
    changes,
    value_text,
    word_diff,
)
from mayadeen.store import Store, store_path
from mayadeen.store.versions import edited_urls, resolve, versions

UNSHOWN = frozenset({"content_hash"})
"""Changed fields named but not shown: a hash's new value says nothing more."""


def describe(change: Change, context: int) -> Iterator[str]:
    """The lines of one change."""
    when = f"stored {change.new.stored_at}"
    hours = change.hours_after_publication
    if hours is not None:
        when += f", {after_text(hours)} after publication"
    yield (
        f"-- version {change.old.number} → {change.new.number}, {when}; "
        f"{change.words_changed} words of title and body changed"
    )
    yield f"   changed: {', '.join(change.fields) or 'nothing (the same values)'}"
    for name in change.fields:
        if name in UNSHOWN:
            continue
        old, new = change.old.values.get(name), change.new.values.get(name)
        if name in TEXT_FIELDS and old is not None and new is not None:
            shown = word_diff(old, new, context if name == "body" else None)
        else:
            shown = f"{value_text(old)} → {value_text(new)}"
        yield f"   {name}: {shown}"


def article_lines(db: sqlite3.Connection, url: str, since: str | None, context: int) -> list[str]:
    """The lines about one stored article: its changes (those stored since ``since``)."""
    history = versions(db, url)
    shown = [c for c in changes(history) if since is None or c.new.stored_at >= since]
    published = history[-1].values.get("published_at")
    lines = [f"== {url}", f"   published {published}, {len(history)} versions stored"]
    if not shown:
        lines.append("   never changed since it was first stored")
    for change in shown:
        lines.extend(describe(change, context))
    return lines


def _usage_problem(args: list[str], opts: argparse.Namespace) -> str | None:
    if not args and opts.since is None:
        return "name an article URL, or --since YYYY-MM-DD"
    if args and opts.since is not None:
        return "either URLs or --since, not both"
    if opts.context < 0:
        return f"--context {opts.context}: a number of words, 0 or more"
    return None


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False

    def syntax(self) -> str:
        return "URL [URL ...] | --since YYYY-MM-DD [--context N]"

    def short_desc(self) -> str:
        return "Show how stored articles changed: the fields and words of each version"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        one_line_errors(parser, "diff")
        parser.add_argument(
            "--since",
            type=_since,
            metavar="YYYY-MM-DD",
            help="every article with a version stored since that UTC day",
        )
        parser.add_argument(
            "--context",
            type=int,
            default=8,
            metavar="N",
            help="unchanged words of the body shown around each change (8)",
        )

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        # One line each, exit 2: a UsageError would print the usage block as well.
        problem = _usage_problem(args, opts)
        if problem:
            self._refuse(f"error: {problem}", 2)
            return
        assert self.settings is not None
        path = store_path(self.settings["MAYADEEN_DATA_DIR"])
        if not path.exists():
            self._refuse(f"no store at {path} (run a crawl first)")
            return
        try:
            with Store.open(path, readonly=True) as store:
                self._show(store.db, args, opts.since, opts.context)
        except sqlite3.DatabaseError as error:
            self._refuse(store_problem(path, error))

    def _show(
        self, db: sqlite3.Connection, urls: list[str], since: str | None, context: int
    ) -> None:
        found = edited_urls(db, since) if since is not None else []
        if since is not None and not found:
            print(f"diff: no article changed since {since}", file=sys.stderr)
        for given in urls:
            url = resolve(db, given)
            if url is None:
                self._refuse(f"no article stored at {given}")
            else:
                found.append(url)
        for url in found:
            print("\n".join(article_lines(db, url, since, context)), end="\n\n")

    def _refuse(self, message: str, exitcode: int = 1) -> None:
        prefix = "scrapy diff" if exitcode == 2 else "diff"
        print(f"{prefix}: {message}", file=sys.stderr)
        self.exitcode = exitcode
