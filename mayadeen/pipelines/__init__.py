"""Item pipelines, in this order (``ITEM_PIPELINES``): validate → deduplicate → store. Each writes
through the run's store writer (``mayadeen.run.writer``), the run's one writer of store rows,
quarantined items and aliases, and settles what it took in the run's ledger (``mayadeen.run.ledger``).

- ``validate.ValidationPipeline``: an item with problems is quarantined and dropped (``InvalidItem``);
- ``dedupe.DeduplicatePipeline``: a URL seen before in this run, or content already stored under
  another URL, is dropped (``DuplicateItem``), the latter recorded as an alias;
- ``store.StorePipeline``: the SQLite store; the store labels each item new, updated or unchanged.

Every valid, non-duplicate item is returned (new, updated and unchanged alike), so ``-O``/``-o``
and ``item_scraped_count`` see every stored article; the per-run feeds (``FEEDS`` entries, after
the pipelines) take only the new and updated ones.
"""
