"""The incremental state a run starts from: what the store knows, what earlier runs covered, and
what they owe.

The store is the only state: an article is known once the store committed it, a source is covered
once a trustworthy run read it to its end (``mayadeen.crawl.frontier``), and an article requested
but not settled is owed until it is (``mayadeen.crawl.owed``). How the last run ended decides
nothing, so a run killed midway, or one that reached nothing, never makes a later one skip anything.
"""

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from scrapy.settings import BaseSettings

from mayadeen.crawl.arguments import Arguments
from mayadeen.crawl.frontier import Frontier, moment
from mayadeen.crawl.seen import SeenRecords
from mayadeen.pages.dates import iso_seconds
from mayadeen.store import KnownArticle, Store
from mayadeen.store.ledger import Ledger


def load_frontier(
    store: Store,
    settings: BaseSettings,
    arguments: Arguments,
    logger: logging.LoggerAdapter[Any] | logging.Logger,
) -> Frontier:
    """The frontier of a discovery run, from the run's ``store``."""
    now = datetime.now(UTC)
    ledger = Ledger(store)
    # Read once into a file: a store's every article is never all in memory at once.
    known = SeenRecords(KnownArticle, 3, store.iter_known_articles())
    covered = {
        source: stated
        for source, at in ledger.covered().items()
        if (stated := moment(at)) is not None
    }
    owed = ledger.due(iso_seconds(now))
    frontier = Frontier(
        known,
        full=arguments.full,
        recheck=timedelta(hours=settings.getfloat("MAYADEEN_RECHECK_HOURS")),
        since=arguments.since,
        sections=arguments.sections,
        now=now,
        covered=covered,
        owed=frozenset(owed),
        gone=frozenset(ledger.gone()),
        forbidden=ledger.forbidden(),
        # ISO strings of one site sort by time to within their offsets (hours); the window is days.
        newest=moment(known.largest(KnownArticle._fields.index("published_at"))),
        non_articles=store.non_articles(),
    )
    if arguments.full:
        mode = "full run (full=1): every article is fetched again"
    elif frontier.incremental:
        mode = (
            f"incremental run: {len(covered)} sitemaps and listings covered by earlier runs "
            "may be shortened"
        )
    else:
        mode = "nothing covered by an earlier run: full discovery, known articles skipped"
    logger.info(
        "%s; %d articles known, %d owed by earlier runs and due, in %s",
        mode,
        len(known),
        len(owed),
        store.path,
    )
    return frontier
