"""The run: one crawl's lifecycle and the parts it is made of (``docs/architecture.md``).

- ``extension``: ``Run``, the Scrapy extension that opens the run when the spider opens and closes
  it in one ordered method (commit → ledger → feeds → finish → report → alerts);
- ``writer``: ``StoreWriter``, the run's one connection to the store, its batches and counters;
- ``ledger``: ``RunLedger``, what the run owes and covered, built with the writer;
- ``feeds``, ``feed_files``: the per-run feeds through Scrapy's ``FEEDS``, and their files;
- ``paths``: the run's id and the paths of its outputs;
- ``report``, ``alerts``, ``spidermon_alerts``: the manifest and summary, and the alerts of a
  failed run.

Components reach the run with ``Run.of(crawler)``.
"""

from mayadeen.run.extension import Run

__all__ = ["Run"]
