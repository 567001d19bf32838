"""Which archived responses ``scrapy reextract`` reads, in file order: from the store's index of
our archive, or from WARC files made elsewhere (``--from``).

Each is read for the BREAKING ticker (every status-200 page of the site, every capture of it: the
``breaking`` table is rebuilt from them), and the latest capture of each URL is also extracted
as an article (``article``). Needs no crawler.
"""

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from mayadeen.site.origin import archived_on_site
from mayadeen.site.urls import canonical_url, may_be_article
from mayadeen.warc.index import capture_path, readable
from mayadeen.warc.scanning import RecordRef, ScanReport, scan


@dataclass(frozen=True, slots=True)
class Source:
    """An archived response to read: where it is, and its capture id once indexed."""

    path: Path
    offset: int
    url: str
    captured_at: str
    capture_id: int | None = None
    length: int = 0
    digest: str = ""
    article: bool = True
    """Extracted as an article (the latest capture of its URL); else read for its ticker only."""


def indexed_sources(
    db: sqlite3.Connection, archive_dir: Path, since: str | None, urls: list[str] | None
) -> list[Source]:
    """Every status-200 capture (captured at or after ``since``; only ``urls``), a revisit
    resolved to the response record holding its payload, the latest of each URL marked as the
    one to extract; in file order, for reading. An error page is archived, never read."""
    where, parameters = readable(since, urls)  # fixed conditions; the values are parameters
    query = f"""
        WITH chosen AS (SELECT id, url, captured_at, payload_digest FROM captures {where}),
        latest AS (SELECT max(id) AS id FROM chosen GROUP BY url)
        SELECT c.id, c.url, c.captured_at, p.warc_file, p.offset, c.payload_digest,
               c.id IN (SELECT id FROM latest)
        FROM chosen c JOIN captures p ON p.id = (
          SELECT max(id) FROM captures o WHERE o.url = c.url
          AND o.payload_digest = c.payload_digest AND o.record_type = 'response' AND o.id <= c.id
        )
        ORDER BY p.warc_file, p.offset, c.id
    """  # noqa: S608
    return [
        Source(
            capture_path(archive_dir, file),
            offset,
            url,
            captured_at,
            capture_id,
            digest=digest or "",
            article=bool(latest),
        )
        for capture_id, url, captured_at, file, offset, digest, latest in db.execute(
            query, parameters
        )
    ]


@dataclass
class ForeignScan:
    """The responses of WARC files made elsewhere, and what their scan skipped."""

    root: str
    max_bytes: int
    since: str | None = None
    urls: list[str] | None = None
    offsite: int = 0
    """Records of another origin than the site's (``mayadeen.site.origin``)."""
    skipped: int = 0
    """On-site records that are no article response with status 200."""

    def __post_init__(self) -> None:
        self.report = ScanReport()

    def sources(self, paths: list[Path]) -> list[Source]:
        """Every on-site status-200 response (for its ticker), and the latest article response
        of each URL (to extract), in file order."""
        latest: dict[str, Source] = {}
        read: list[Source] = []
        for path in paths:
            for record in scan(
                path.resolve(), frozenset({"response"}), self.max_bytes, self.report
            ):
                if not archived_on_site(record.url, self.root):  # another service's page
                    self.offsite += 1
                    continue
                source = self._source(record)
                if source is None:
                    continue
                read.append(source)
                if source.article and (
                    source.url not in latest or source.captured_at >= latest[source.url].captured_at
                ):
                    latest[source.url] = source
        chosen = {id(source) for source in latest.values()}
        return [
            source if id(source) in chosen else _ticker_only(source)
            for source in read
            if not self._unwanted(source)
        ]

    def _source(self, record: RecordRef) -> Source | None:
        url = canonical_url(record.url, self.root)
        article = url is not None and may_be_article(url) and record.status == 200
        if not article:
            self.skipped += 1
        if url is None or record.status != 200:
            return None
        return Source(
            record.file,
            record.offset,
            url,
            record.captured_at,
            None,
            record.length,
            record.payload_digest or "",
            article,
        )

    def _unwanted(self, source: Source) -> bool:
        if self.urls is not None and source.url not in self.urls:
            return True
        return bool(self.since and source.captured_at < self.since)


def _ticker_only(source: Source) -> Source:
    return Source(
        source.path, source.offset, source.url, source.captured_at, None, 0, "", article=False
    )
