"""Pages read from a web archive become the original page (``-a via=``, the fallback).

A request that fetches a capture carries it in its meta (``ORIGIN_META``). Placed between the
redirects (600) and the archive (595) in the chain of responses, this middleware turns the
archive's answer into the page the site had sent: a Wayback ``id_`` replay keeps its bytes and
headers; a Common Crawl range is read as a WARC record (``mayadeen.webarchives.warc_record``). Either
gets the page's canonical URL, so the archive (``mayadeen.middlewares.warc``), the spider and
the pipelines see the site's page; its request meta says where it came from (``FETCHED_META``),
which the spider writes on the article's provenance.

A page of the site itself is recorded as read from the site (so a re-extraction, which fetches
nothing, keeps each article's origin).

A range that did not hold a whole record (cut short) is retried like a failed download. Error
statuses pass unchanged: Retry-After, retries and blocks treat the archives like the site.
"""

import logging
from typing import Final, Self

from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import get_retry_request
from scrapy.http import Headers, Request, Response
from scrapy.responsetypes import responsetypes

from mayadeen.items import FETCHED_META
from mayadeen.middlewares.backoff import SlotBackoff
from mayadeen.run import Run
from mayadeen.run.paths import Clock
from mayadeen.site.urls import canonical_url, may_be_article
from mayadeen.site.webarchives import ARCHIVE_VIAS
from mayadeen.store.origins import SITE, Origin
from mayadeen.warc.reading import ORIGIN_HEADER
from mayadeen.webarchives.captures import ORIGIN_META, Capture
from mayadeen.webarchives.warc_record import BadRecord, read_record

logger = logging.getLogger(__name__)

DECODED_HEADERS: Final = frozenset({"content-encoding", "transfer-encoding", "content-length"})
"""Headers of an archived response that no longer hold once warcio has decoded its payload."""
SLOW_DOWN: Final = frozenset({503})
"""An archive's answers that ask for less traffic (Common Crawl answers 503 "slow down"; a 429
slows its slot down in the retry middleware already)."""


def origin_headers(request: Request) -> tuple[tuple[str, str], ...]:
    """The WARC headers naming the archive capture a page was read from (none for the site)."""
    capture = request.meta.get(ORIGIN_META)
    if not isinstance(capture, Capture):
        return ()
    headers = [
        (ORIGIN_HEADER, capture.via),
        ("WARC-Mayadeen-Origin-Date", capture.captured_at),
        ("WARC-Source-URI", request.url),
    ]
    if capture.collection:
        headers.append(("WARC-Mayadeen-Origin-Collection", capture.collection))
    if record_id := request.meta.get("mayadeen_origin_record"):
        headers.append(("WARC-Refers-To", str(record_id)))
    return tuple(headers)


class WebArchiveMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.max_bytes = crawler.settings.getint("DOWNLOAD_MAXSIZE")
        """A record's page decompressed is bounded as a download is."""
        self.clock = Clock()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def process_response(self, request: Request, response: Response) -> Request | Response:
        if response.status in SLOW_DOWN and request.meta.get("download_slot") in ARCHIVE_VIAS:
            self._slow_down(request, response)
        capture = request.meta.get(ORIGIN_META)
        if not isinstance(capture, Capture):
            self._from_site(request, response)
            return response
        if capture.via == "commoncrawl":
            if response.status not in (200, 206):
                return response
            return self._from_record(request, response, capture)
        if response.status != 200:
            return response
        return self._original(request, response, capture, None)

    def _slow_down(self, request: Request, response: Response) -> None:
        """An archive's "slow down" (503) without ``Retry-After``: its slot waits longer
        (doubling, as after a block) before the retry middleware sends the request again; one
        with ``Retry-After`` is waited out by that middleware."""
        if response.headers.get(b"Retry-After") is None:
            delay = SlotBackoff.of(self.crawler).slow_down(request)
            self._count("mayadeen/sources/slow_down")
            logger.info("%s: HTTP %d, slowing down to %.1f s", request.url, response.status, delay)

    def _from_site(self, request: Request, response: Response) -> None:
        """A page of the site itself: its article's origin is the site, now."""
        run = self.crawler.get_extension(Run)
        if response.status != 200 or run is None or not run.opened:
            return
        if (url := canonical_url(response.url, run.root)) is not None and may_be_article(url):
            request.meta[FETCHED_META] = Origin(SITE, self.clock.now(), source_url=response.url)

    def _from_record(
        self, request: Request, response: Response, capture: Capture
    ) -> Request | Response:
        data = response.body
        if response.status == 200 and capture.offset is not None:  # the range was not honoured
            data = data[capture.offset : capture.offset + (capture.length or 0)]
        try:
            if len(data) != capture.length:
                raise BadRecord(f"{len(data)} bytes of {capture.length}")
            record = read_record(data, self.max_bytes)
        except BadRecord as error:
            self._count("mayadeen/sources/bad_records")
            logger.warning("%s: %s; retrying", request.url, error)
            spider = self.crawler.spider
            assert spider is not None
            retry = get_retry_request(request, spider=spider, reason="bad record")
            if retry is None:
                raise
            return retry
        request.meta["mayadeen_origin_record"] = record.record_id
        headers = Headers([(k, v) for k, v in record.headers if k.lower() not in DECODED_HEADERS])
        cls = responsetypes.from_args(headers=headers, url=capture.url, body=record.body)
        page = cls(
            url=capture.url,
            status=record.status,
            headers=headers,
            body=record.body,
            request=request,
            protocol=response.protocol,
        )
        return self._original(request, page, capture, record.record_id)

    def _original(
        self, request: Request, response: Response, capture: Capture, record_id: str | None
    ) -> Response:
        run = self.crawler.get_extension(Run)
        if run is not None and run.opened:
            request.meta[FETCHED_META] = Origin(
                capture.via,
                capture.captured_at,
                capture.collection,
                request.url,
                record_id,
                capture.digest or None,
            )
        self._count(f"mayadeen/sources/{capture.via}/pages")
        return response.replace(url=capture.url)

    def _count(self, key: str) -> None:
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value(key)
