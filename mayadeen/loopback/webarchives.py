"""Loopback copies of the two web archives' interfaces, holding captures of a loopback site.

Served by a ``LoopbackServer`` of their own (faults and all), built as the archives' public
documentation describes them:

- the Wayback Machine: ``/cdx/search/cdx`` (``url``, ``matchType=prefix|exact`` or a trailing
  ``*``, ``output=json``, ``fl``, ``filter=[!]field:regex``, ``collapse=field[:N]``,
  ``from``/``to``, ``limit``, ``showResumeKey``/``resumeKey``) and ``/web/<timestamp>id_/<url>``;
- Common Crawl: ``/collinfo.json``, a CDX API per crawl (``/<crawl>-index``: JSON lines with
  ``url``, ``timestamp``, ``status``, ``mime``, ``digest``, ``filename``, ``offset``, ``length``;
  ``page``/``showNumPages``; 404 without captures, 400 past the last page) and the crawl's WARC
  file under ``/crawl-data/``, read with range requests.

A capture holds the page's bytes as the site served them when it was taken: a test adds newer
captures, or captures with altered markup, with ``capture()``; captures of the home page at
several times, each showing the BREAKING ticker of its time (``mayadeen.loopback.ticker``), with
``capture_home()``.
"""

import json
import re
import threading
from datetime import UTC, datetime, timedelta
from io import BytesIO
from urllib.parse import unquote, urlsplit

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from mayadeen.loopback.anatomy import LIVE_ROOT
from mayadeen.loopback.catalog import ITEM_KINDS, Page, rewrite
from mayadeen.loopback.cdx import Held, dict_of, index_rows
from mayadeen.loopback.server import Site
from mayadeen.loopback.ticker import Ticker

JSON = "application/json"
WAYBACK_FIELDS = ("urlkey", "timestamp", "original", "mimetype", "statuscode", "digest", "length")
CC_FIELDS = {"statuscode": "status", "mimetype": "mime", "original": "url"}
"""pywb's names for the Wayback fields (cdx_toolkit's ``compat.fields_to_pywb``)."""


def stamp(moment: datetime) -> str:
    """A 14-digit UTC timestamp.

    >>> stamp(datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC))
    '20240102030405'
    """
    return moment.astimezone(UTC).strftime("%Y%m%d%H%M%S")


class WebArchives:
    """The captures of ``site`` (served at ``site_root``), in both archives' interfaces."""

    def __init__(
        self,
        site: Site,
        site_root: str,
        crawls: tuple[str, ...] = ("CC-MAIN-2024-10",),
        page_size: int = 5,
    ) -> None:
        self.site, self.site_root = site, site_root
        self.crawls = list(crawls)
        self.page_size = page_size
        self.held: list[Held] = []
        self._warcs: dict[str, tuple[int, bytes, dict[int, tuple[int, int]]]] = {}
        # The server answers each request in a thread: one build of a crawl's WARC file, whose
        # record ids (random) make each build's offsets its own.
        self._lock = threading.Lock()

    def capture_site(self, after: timedelta = timedelta(hours=2)) -> None:
        """A capture of each article page and section listing of the site, ``after`` its
        publication."""
        entries = getattr(self.site, "entries", [])
        for entry in entries:
            if entry.kind in ITEM_KINDS or entry.path.startswith(("/news/", "/articles/")):
                self.capture(entry.path, stamp(entry.published + after))
        self.capture("/news/politics", stamp(datetime(2024, 1, 1, tzinfo=UTC)))

    def capture(
        self, path: str, timestamp: str, body: bytes | None = None, crawl: str | None = None
    ) -> Held:
        """Take (or give) a capture of ``path``: its page's bytes as served now."""
        if body is None:
            page = self.site.get(path)
            assert page is not None, path
            body = rewrite(page.body, self.site_root)
        held = Held(path, timestamp, body, crawl or self.crawls[-1])
        with self._lock:
            self.held.append(held)
            self._warcs.clear()
        return held

    def capture_home(
        self, moments: list[datetime], ticker: Ticker, crawl: str | None = None
    ) -> list[Held]:
        """A capture of the home page at each of ``moments``, showing the ticker of that moment
        (the loopback ticker is a function of the time it is given)."""
        page = self.site.get("/")
        assert page is not None
        return [
            self.capture(
                "/",
                stamp(moment),
                rewrite(
                    ticker.replace(page.body, ticker.bucket(moment.timestamp())), self.site_root
                ),
                crawl,
            )
            for moment in moments
        ]

    def get(self, raw_path: str, query: str = "") -> Page | None:
        path = unquote(raw_path)
        if path == "/cdx/search/cdx":
            return self._wayback_cdx(dict_of(query))
        if match := re.fullmatch(r"/web/(\d{14})id_/(.+)", path):
            return self._replay(match[1], match[2])
        if path == "/collinfo.json":
            return self._collinfo()
        if match := re.fullmatch(r"/(CC-MAIN-[\w-]+)-index", path):
            return self._cc_index(match[1], query)
        match = re.fullmatch(r"/crawl-data/(CC-MAIN-[\w-]+)/warc/captures\.warc\.gz", path)
        if match and match[1] in self.crawls:
            data = self._warc(match[1])[1]
            return Page(data, "application/warc", headers={"Accept-Ranges": "bytes"})
        return None

    # -- the Wayback Machine ----------------------------------------------------------------

    def _wayback_cdx(self, parameters: list[tuple[str, str]]) -> Page:
        given = dict(parameters)
        rows = index_rows(self.held, self.site_root, parameters, {})
        if resume := given.get("resumeKey"):
            rows = [r for r in rows if f"{r['urlkey']} {r['timestamp']}" > resume]
        limit = int(given.get("limit", "10000"))
        # A negative limit lists the last rows (a URL's newest capture: limit=-1).
        page, rest = (rows[limit:], []) if limit < 0 else (rows[:limit], rows[limit:])
        fields = given.get("fl", ",".join(WAYBACK_FIELDS)).split(",")
        table: list[list[str]] = [fields, *([row[f] for f in fields] for row in page)]
        if given.get("showResumeKey") == "true" and rest and page:
            table += [[], [f"{page[-1]['urlkey']} {page[-1]['timestamp']}"]]
        if given.get("output") != "json":
            text = "\n".join(" ".join(r) for r in table[1:])
            return Page(text.encode(), "text/plain")
        return Page(json.dumps(table).encode(), JSON)

    def _replay(self, timestamp: str, original: str) -> Page | None:
        path = urlsplit(original).path or "/"
        for capture in self.held:
            if capture.path == path and capture.timestamp == timestamp:
                return Page(capture.body, status=capture.status)
        return None

    # -- Common Crawl -----------------------------------------------------------------------

    def _collinfo(self) -> Page:
        # The live root stands for the server's own: the server rewrites it to its root.
        listed = [
            {"id": crawl, "name": crawl, "cdx-api": f"{LIVE_ROOT}/{crawl}-index"}
            for crawl in reversed(self.crawls)
        ]
        return Page(json.dumps(listed).encode(), JSON)

    def _cc_index(self, crawl: str, query: str) -> Page:
        if crawl not in self.crawls:
            return Page(b'{"error": "no such crawl"}', JSON, 404)
        parameters = dict_of(query)
        given = dict(parameters)
        held = [h for h in self.held if h.crawl == crawl]
        rows = index_rows(held, self.site_root, parameters, CC_FIELDS)
        pages = max(1, -(-len(rows) // self.page_size))
        if given.get("showNumPages") == "true":
            info = {"pages": pages, "pageSize": self.page_size, "blocks": pages}
            return Page(json.dumps(info).encode(), JSON)
        if not rows:
            return Page(b'{"error": "No Captures found"}', JSON, 404)
        number = int(given.get("page", "0"))
        if number >= pages:
            return Page(b"page out of range", "text/plain", 400)
        _, _, places = self._warc(crawl)
        lines = []
        by_key = {(h.path.lstrip("/").lower(), h.timestamp): h for h in held}
        for row in rows[number * self.page_size : (number + 1) * self.page_size]:
            capture = by_key[(row["urlkey"].split(")/", 1)[1], row["timestamp"])]
            offset, length = places[id(capture)]
            lines.append(
                json.dumps(
                    {
                        "urlkey": row["urlkey"],
                        "timestamp": row["timestamp"],
                        "url": row["original"],
                        "mime": row["mimetype"],
                        "status": row["statuscode"],
                        "digest": row["digest"],
                        "length": str(length),
                        "offset": str(offset),
                        "filename": f"crawl-data/{crawl}/warc/captures.warc.gz",
                    }
                )
            )
        return Page(("\n".join(lines) + "\n").encode(), "text/x-ndjson")

    def _warc(self, crawl: str) -> tuple[int, bytes, dict[int, tuple[int, int]]]:
        """The crawl's WARC file (a gzip member per record) and where each capture's record is."""
        with self._lock:
            if crawl not in self._warcs:
                self._warcs[crawl] = self._build_warc(crawl)
            return self._warcs[crawl]

    def _build_warc(self, crawl: str) -> tuple[int, bytes, dict[int, tuple[int, int]]]:
        out = BytesIO()
        writer = WARCWriter(out, gzip=True)
        places: dict[int, tuple[int, int]] = {}
        for capture in self.held:
            if capture.crawl != crawl:
                continue
            start = out.tell()
            http = StatusAndHeaders(
                f"{capture.status} OK",
                [
                    ("Content-Type", "text/html; charset=utf-8"),
                    ("Content-Length", str(len(capture.body))),
                ],
                protocol="HTTP/1.1",
            )
            moment = datetime.strptime(capture.timestamp, "%Y%m%d%H%M%S")
            record = writer.create_warc_record(
                f"{self.site_root}{capture.path}",
                "response",
                payload=BytesIO(capture.body),
                length=len(capture.body),
                http_headers=http,
                warc_headers_dict={"WARC-Date": moment.strftime("%Y-%m-%dT%H:%M:%SZ")},
            )
            writer.write_record(record)
            places[id(capture)] = (start, out.tell() - start)
        return (len(self.held), out.getvalue(), places)
