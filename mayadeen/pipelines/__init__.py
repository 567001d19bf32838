"""Item pipelines, in this order (``ITEM_PIPELINES``): validate → deduplicate → store → feed.

- ``validate.ValidationPipeline``: an item with problems is quarantined and dropped (``InvalidItem``);
- ``dedupe.DeduplicatePipeline``: a URL seen before in this run, or content already stored under
  another URL, is dropped (``DuplicateItem``), the latter recorded as an alias;
- ``store.StorePipeline``: the SQLite store; labels each item new, updated or unchanged and records
  what the others dropped (quarantine rows, aliases) from Scrapy's ``item_dropped`` signal;
- ``feed.FeedPipeline``: the per-run feed of the new and updated articles.

Every valid, non-duplicate item is returned (new, updated and unchanged alike), so ``-O``/``-o``
and ``item_scraped_count`` see every stored article; only the per-run feed skips unchanged ones.
"""
