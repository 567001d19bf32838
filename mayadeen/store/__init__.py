"""The SQLite store, ``<MAYADEEN_DATA_DIR>/articles.sqlite``: articles, their old versions, alias
URLs, quarantined items and runs. Tables and analysts' queries: ``docs/store.md``.

Reading the crawl state (safe while another process writes: WAL mode, 30 s busy timeout; only
committed rows are seen, so an article is known once its batch is committed)::

    from mayadeen.store import known_articles, last_finished_run, store_path

    path = store_path(settings["MAYADEEN_DATA_DIR"])    # <data_dir>/articles.sqlite
    known = known_articles(path)      # {url: KnownArticle(published, modified, last_seen)}
    run = last_finished_run(path)     # Run(run_id, started_at, finished_at) or None

``known_non_articles(path)`` maps URLs whose page said it is not an article to its kind.
``known_articles`` maps every canonical URL in ``articles`` and every alias URL (the same content
found under another URL) to its article's times, in one SELECT. ``last_finished_run`` is the latest
run whose ``close_reason`` is ``finished``. The same queries are methods of
``Store.open(path, readonly=True)``, which on a missing file answers with nothing.

Writing (a crawl's run context does it: ``mayadeen.extensions.run_context``): ``Store.open(path)``
creates or migrates the schema (``PRAGMA user_version``), then ``put(item, now) -> "new" |
"updated" | "unchanged"``, ``add_alias``, ``quarantine``, ``claim_run``/``finish_run``,
``commit()`` or ``commit_if_due()`` (batches of ``batch_size`` writes, at least every
``commit_interval`` seconds), ``close()``. ``put`` also flags the article's near-duplicates
(``near_duplicates``, ``mayadeen.store.near_duplicates``); ``Store.near_duplicates()`` reads them.
"""

from mayadeen.items import Verdict
from mayadeen.store.connection import store_path
from mayadeen.store.db import (
    Store,
    known_articles,
    known_non_articles,
    last_finished_run,
)
from mayadeen.store.reads import KnownArticle, Run
from mayadeen.store.schema import SCHEMA_VERSION, SchemaError

__all__ = [
    "SCHEMA_VERSION",
    "KnownArticle",
    "Run",
    "SchemaError",
    "Store",
    "Verdict",
    "known_articles",
    "known_non_articles",
    "last_finished_run",
    "store_path",
]
