"""Archive every article page the crawl receives as WARC records (``mayadeen.warc``).

Placed after decompression in the chain of responses (590), this middleware sees the response as
the downloader gave it: the exact bytes received (transfer-decoded, still content-encoded), with
the status line and headers; a page Chromium rendered (``MAYADEEN_BROWSER``) is archived as what
the browser returned and marked so. The capture is indexed in the store through the run's store
writer, whose batches commit the index rows with the articles they lead to.

A write that fails (a full disk) stops the crawl with one error line and the close reason
``archive_unavailable``: nothing already archived or stored is lost, and an article page received
after it (the requests in flight) is marked ``UNARCHIVED_META``: its article is stored and stays
owed, so the next run fetches it again and archives it.
"""

import contextlib
import logging
from typing import Any, Final, Self

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.http import Headers, Request, Response
from scrapy.settings import BaseSettings
from scrapy.utils.defer import deferred_from_coro

from mayadeen.items import CAPTURE_META, UNARCHIVED_META
from mayadeen.middlewares.webarchives import origin_headers
from mayadeen.run import Run
from mayadeen.site.urls import may_be_article
from mayadeen.warc.index import unchanged_original
from mayadeen.warc.writing import ArchiveWriter, Exchange, payload_digest, software
from mayadeen.webarchives.captures import INDEX_META

logger = logging.getLogger(__name__)

ARCHIVE_UNAVAILABLE: Final = "archive_unavailable"
"""The close reason of a crawl that could not write its archive."""
INFO_SETTINGS: Final = (
    "MAYADEEN_BASE_URL",
    "USER_AGENT",
    "MAYADEEN_BROWSER",
    "ROBOTSTXT_OBEY",
    "DOWNLOAD_DELAY",
    "MAYADEEN_ARCHIVE_DISCOVERY",
)
"""The settings the warcinfo record names: what was crawled, as whom, and how."""


def archive_enabled(settings: BaseSettings) -> bool:
    """``MAYADEEN_ARCHIVE``: ``on`` (the default) or ``off``.

    >>> archive_enabled(BaseSettings({"MAYADEEN_ARCHIVE": "off"}))
    False
    >>> archive_enabled(BaseSettings({"MAYADEEN_ARCHIVE": "on"}))
    True
    """
    value = str(settings.get("MAYADEEN_ARCHIVE", "on")).strip().lower()
    if value in {"on", "1", "true", "yes"}:
        return True
    if value in {"off", "0", "false", "no"}:
        return False
    raise ValueError(f"MAYADEEN_ARCHIVE = {value!r}: use on or off")


def header_list(headers: Headers) -> list[tuple[str, str]]:
    """Scrapy's headers as (name, value) text pairs, repeated headers kept."""
    return [
        (name.decode("latin-1"), value.decode("latin-1"))
        for name, values in headers.items()
        for value in values
    ]


class WarcMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        self.crawler = crawler
        self.enabled = archive_enabled(settings)
        self.discovery = settings.getbool("MAYADEEN_ARCHIVE_DISCOVERY")
        self.max_bytes = settings.getint("MAYADEEN_ARCHIVE_MAX_BYTES")
        self.info = {
            "software": software(),
            "format": "WARC File Format 1.1",
            "conformsTo": "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/",
            **{name: str(settings.get(name)) for name in INFO_SETTINGS},
        }
        self.writer: ArchiveWriter | None = None
        self.failed = False
        """The archive could not be written: the crawl is stopping, no page is archived more."""
        self._file_name = self._file_path = ""
        """The archive file last written to: its name, and its path as the manifest lists it."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        middleware = cls(crawler)
        crawler.signals.connect(middleware.spider_closed, signal=signals.spider_closed)
        return middleware

    def _run(self) -> Run | None:
        run = self.crawler.get_extension(Run)  # none for `scrapy canary`
        return run if run is not None and run.opened else None

    def process_response(self, request: Request, response: Response) -> Response:
        if not self.enabled or not (self.discovery or may_be_article(response.url)):
            return response
        if request.meta.get(INDEX_META):  # a web archive's index: not a page of the site
            return response
        if self.failed:  # in flight when the archive failed: stored, and owed to the archive
            request.meta[UNARCHIVED_META] = True
            return response
        run = self._run()
        if run is None:
            return response
        rendered = "chromium" if request.meta.get("playwright") else None
        exchange = Exchange(
            url=response.url,
            method=request.method,
            request_headers=header_list(request.headers),
            status=response.status,
            response_headers=header_list(response.headers),
            body=response.body,
            protocol=response.protocol or "HTTP/1.1",
            rendered_by=rendered,
            origin_headers=origin_headers(request),
        )
        if self.writer is None:
            directory = run.data_dir / "archive"
            self.writer = ArchiveWriter(
                directory, run.run_id, self.max_bytes, {**self.info, "isPartOf": run.run_id}
            )
        digest = payload_digest(response.body)  # hashed once: for the revisit check and the record
        original = unchanged_original(run.writer.store.db, response.url, digest)
        try:
            written = self.writer.write(exchange, original, digest)
        except OSError as error:
            self._fail(error)
            request.meta[UNARCHIVED_META] = True
            return response
        # Only the file written to grows: a file rotated away kept its size at its last write.
        if written.file != self._file_name:
            self._file_name, self._file_path = (
                written.file,
                str(self.writer.directory / written.file),
            )
        size = self.writer.sizes[written.file]
        capture = run.writer.index_capture(
            response.url, written, self._file_path, size, rendered is not None
        )
        # On the page's request: the spider names it to the article read from the page.
        request.meta[CAPTURE_META] = capture
        stats = run.stats
        stats.inc_value(f"mayadeen/archive/{written.record_type}")
        stats.inc_value("mayadeen/archive/bytes", written.length)
        return response

    def _fail(self, error: OSError) -> None:
        assert self.writer is not None
        logger.error(
            "archive: cannot write to %s: %s; free space there, or crawl with MAYADEEN_ARCHIVE=off",
            self.writer.directory,
            error.strerror or error,
        )
        self.failed = True
        with contextlib.suppress(OSError):  # closing flushes to the same full disk
            self.writer.close()
        engine: Any = self.crawler.engine
        deferred_from_coro(engine.close_spider_async(reason=ARCHIVE_UNAVAILABLE))

    def spider_closed(self, spider: Spider) -> None:
        if self.writer is not None:
            with contextlib.suppress(OSError):  # reported already when a write failed
                self.writer.close()
