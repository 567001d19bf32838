"""The incremental state a run starts from: what the store knows, and whether the last run finished.

The store is the only state: an article is known once the store committed it, so a run killed
midway leaves the next one to fetch what it had not stored yet.
"""

import logging
from datetime import timedelta
from typing import Any

from scrapy.settings import BaseSettings

from mayadeen.crawl.arguments import Arguments
from mayadeen.crawl.frontier import Frontier, moment, recent_cutoff
from mayadeen.store import known_articles, known_non_articles, last_finished_run, store_path


def load_frontier(
    settings: BaseSettings,
    arguments: Arguments,
    logger: logging.LoggerAdapter[Any] | logging.Logger,
) -> Frontier:
    """The frontier of a discovery run, from the store under ``MAYADEEN_DATA_DIR``."""
    path = store_path(settings.get("MAYADEEN_DATA_DIR"))
    known = known_articles(path)
    last_run = last_finished_run(path)
    recheck = timedelta(hours=settings.getfloat("MAYADEEN_RECHECK_HOURS"))
    # ISO strings of one site sort by time to within their offsets (hours); the window is days.
    newest = max((k.published_at for k in known.values() if k.published_at), default=None)
    started = moment(last_run.started_at) if last_run else None
    frontier = Frontier(
        known,
        full=arguments.full,
        recheck=recheck,
        since=arguments.since,
        sections=arguments.sections,
        non_articles=known_non_articles(path),
        history_complete=last_run is not None,
        recent=recent_cutoff(started, moment(newest), recheck),
    )
    if arguments.full:
        mode = "full run (full=1): every article is fetched again"
    elif frontier.incremental:
        sitemaps = (
            f"sitemaps from {frontier.recent:%Y-%m} on" if frontier.recent else "all sitemaps"
        )
        mode = (
            f"incremental run after the run of {last_run.started_at if last_run else '?'}: "
            f"{sitemaps}, listings stop at the first page with nothing new"
        )
    else:
        mode = "no finished run in the store: full discovery, known articles skipped"
    logger.info("%s; %d articles known in %s", mode, len(known), path)
    return frontier
