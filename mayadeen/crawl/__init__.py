"""Planning a crawl: which URLs a run requests, and in what order.

- ``arguments``: the spider arguments of the contract, checked before a run starts;
- ``state``: the incremental state a run starts from, read from the store;
- ``frontier``: the incremental rules (which discovered article URLs to request);
- ``backlog``: sitemap articles held back until the scheduler runs low.
"""
