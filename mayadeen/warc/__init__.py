"""The archive: every fetched article page kept as WARC records, and read back.

- ``warc``: writing (warcio): a run's ``.warc.gz`` files under ``<MAYADEEN_DATA_DIR>/archive/``,
  request + response pairs, ``revisit`` records for an unchanged payload, rotation by size;
- ``reading``: records read back from our files or from WARCs made elsewhere, a torn last record
  (a killed writer) skipped;
- ``fast``: the fast path of both, through FastWARC, for records it proves whole; warcio reads
  every other (damaged, encoded, uncompressed) as before;
- ``index``: the store's ``captures`` table (per URL and capture: file, offset, length, time,
  payload digest) and its queries;
- ``changes``: what a re-extraction changed, field by field;
- ``replay``: the spider of ``scrapy reextract``, which feeds archived pages through ``extract()``
  and the crawl's pipelines.

The crawl writes through ``mayadeen.middlewares.warc.WarcMiddleware``.
"""
