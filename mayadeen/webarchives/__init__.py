"""Reading the site from public web archives: the Wayback Machine and Common Crawl
(``-a via=wayback|commoncrawl``, ``docs/web-archives.md``).

Pure code with no crawler: the index queries and their pages (``wayback``, ``commoncrawl``), the
captures they list and which of them a run fetches (``captures``), a WARC record read from a range
(``warc_record``). The requests go through Scrapy (``mayadeen.spiders.webarchive_routes``) for its
politeness, retries and stats; ``mayadeen.middlewares.webarchives`` turns each answer back
into the original page.
"""
