"""The files a data directory manages, one of each kind, for the tests of the output guard."""

MANAGED = {
    "store": "articles.sqlite",
    "wal": "articles.sqlite-wal",
    "shm": "articles.sqlite-shm",
    "archive": "archive/20261121T101500Z-00000.warc.gz",
    "feed": "feeds/articles-20261121T101500Z.csv",
    "partial feed": "feeds/articles-20261121T101500Z.jsonl.gz.partial",
    "manifest": "runs/20261121T101500Z.json",
    "quarantine": "quarantine/20261121T101500Z.jsonl",
    "lock": "crawl.lock",
}
