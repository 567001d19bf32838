"""Writing WARC 1.1 files through warcio: one per run, rotated past a size, gzip per record.

Each record is a gzip member of its own, written and flushed whole: a process killed mid-write
leaves at most a torn last member, which the readers skip (``mayadeen.warc.reading``). A write
that fails (a full disk) is cut off where the record began, so the file stays whole.

warcio builds each record (headers, block digest); the gzip member is made here, at
``GZIP_LEVEL`` rather than warcio's fixed 9 (``bench/write_path.py``).
"""

import base64
import hashlib
import os
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from http import HTTPStatus
from importlib.metadata import PackageNotFoundError, version
from io import BytesIO
from pathlib import Path
from typing import IO, Any, Final
from urllib.parse import urlsplit

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

WARC_VERSION: Final = "WARC/1.1"
RENDERED_HEADER: Final = "WARC-Mayadeen-Rendered-By"
"""Marks a response that is what a browser returned (the rendered document), not the HTTP bytes."""
DROPPED_HEADERS: Final = frozenset({b"transfer-encoding"})
"""The body is stored after transfer decoding: a ``chunked`` header would make readers de-chunk it."""
GZIP_LEVEL: Final = 3
"""zlib's level for each record's gzip member. On article pages (the generated site's and the
real samples', about 14 KiB) level 3 takes about 40% less CPU than warcio's 9 for about 8% more
bytes; levels 6 to 9 cost as much as 9 for the same bytes (``bench/write_path.py``)."""
GZIP_WBITS: Final = zlib.MAX_WBITS | 16
"""A gzip member (header and trailer), as warcio writes one."""


def payload_digest(body: bytes) -> str:
    """WARC's payload digest: SHA-1 in base 32, as warcio writes it.

    >>> payload_digest(b"")
    'sha1:3I42H3S6NNFQ2MSVX7XZKYAYSCX5QBYJ'
    """
    return "sha1:" + base64.b32encode(hashlib.sha1(body).digest()).decode("ascii")  # noqa: S324


def archive_file_name(run_id: str, part: int) -> str:
    """``mayadeen-<run_id>-<part>.warc.gz``, sorting in the order written.

    >>> archive_file_name("20261121T101500Z", 2)
    'mayadeen-20261121T101500Z-00002.warc.gz'
    """
    return f"mayadeen-{run_id}-{part:05d}.warc.gz"


@dataclass(frozen=True)
class Exchange:
    """One fetch as received: the request sent and the response's status, headers and body."""

    url: str
    method: str
    request_headers: list[tuple[str, str]]
    status: int
    response_headers: list[tuple[str, str]]
    body: bytes
    protocol: str = "HTTP/1.1"
    rendered_by: str | None = None
    """``chromium`` for a page the browser rendered."""
    origin_headers: tuple[tuple[str, str], ...] = ()
    """For a page read from a web archive: where, and the archive's capture time and record id
    (``mayadeen.middlewares.webarchives``)."""


@dataclass(frozen=True)
class Written:
    """Where a capture's response (or revisit) record went, for the index."""

    file: str
    """The file's name, under the archive directory."""
    offset: int
    length: int
    captured_at: str
    payload_digest: str
    record_type: str
    status: int | None = None


@dataclass(frozen=True)
class Original:
    """The earlier capture an unchanged payload refers to."""

    url: str
    captured_at: str


class ArchiveWriter:
    """A run's archive files in ``directory``: ``archive_file_name(run_id, 0)``, then the next part
    once a file has passed ``max_bytes``. Each file begins with a ``warcinfo`` record of ``info``."""

    def __init__(
        self, directory: Path, run_id: str, max_bytes: int, info: Mapping[str, Any]
    ) -> None:
        self.directory = directory
        self.run_id = run_id
        self.max_bytes = max_bytes
        self.info = dict(info)
        self.part = 0
        self.sizes: dict[str, int] = {}
        """File name → bytes written, for the run's manifest."""
        self._file: IO[bytes] | None = None
        self._record = BytesIO()
        """Where warcio writes a record, uncompressed, before it is compressed into the file."""
        self._writer: WARCWriter | None = None
        self._name = ""

    def _open(self) -> WARCWriter:
        if self._writer is not None and self.sizes[self._name] < self.max_bytes:
            return self._writer
        if self._writer is not None:
            self.close()
            self.part += 1
        self.directory.mkdir(parents=True, exist_ok=True)
        self._name = archive_file_name(self.run_id, self.part)
        self._file = (self.directory / self._name).open("ab")
        self.sizes[self._name] = self._file.tell()
        self._writer = WARCWriter(self._record, gzip=False, warc_version=WARC_VERSION)
        self._write([self._writer.create_warcinfo_record(self._name, self.info)])
        return self._writer

    def _member(self, record: Any) -> bytes:
        """``record`` as warcio writes it, compressed into a gzip member of its own."""
        assert self._writer is not None
        self._record.seek(0)
        self._record.truncate()
        self._writer.write_record(record)
        return zlib.compress(self._record.getvalue(), GZIP_LEVEL, GZIP_WBITS)

    def _write(self, records: list[Any]) -> list[int]:
        """Write ``records`` whole, flushed, in one write; returns where each began. On an
        error the file is cut back to where the first began (nothing half-written stays) and
        the error raised."""
        assert self._file is not None
        members = [self._member(record) for record in records]
        start = self._file.tell()
        try:
            self._file.write(b"".join(members))
            self._file.flush()
        except OSError:
            self._file.truncate(start)  # may fail too: then the readers skip the torn tail
            raise
        self.sizes[self._name] = self._file.tell()
        starts = [start]
        for member in members[:-1]:
            starts.append(starts[-1] + len(member))
        return starts

    def write(
        self, exchange: Exchange, original: Original | None = None, digest: str | None = None
    ) -> Written:
        """Archive one fetch: a ``response`` record and its ``request``, or when ``original``
        (the last capture of the URL) has the same payload, a ``revisit`` record instead.
        ``digest``: the body's ``payload_digest``, when the caller has it already."""
        writer = self._open()
        digest = digest or payload_digest(exchange.body)
        date = datetime.now(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")
        headers = {"WARC-Date": date, "WARC-Payload-Digest": digest}
        if exchange.rendered_by:
            headers[RENDERED_HEADER] = exchange.rendered_by
        headers.update(exchange.origin_headers)
        http = StatusAndHeaders(
            status_line(exchange.status),
            [
                (k, v)
                for k, v in exchange.response_headers
                if k.lower().encode() not in DROPPED_HEADERS
            ],
            protocol=exchange.protocol,
        )
        if original is not None:
            record = writer.create_revisit_record(
                exchange.url, digest, original.url, original.captured_at, http_headers=http
            )
            record.rec_headers.replace_header("WARC-Date", date)
            if exchange.rendered_by:
                record.rec_headers.add_header(RENDERED_HEADER, exchange.rendered_by)
            for name, value in exchange.origin_headers:
                record.rec_headers.add_header(name, value)
            kind = "revisit"
        else:
            record = writer.create_warc_record(
                exchange.url,
                "response",
                payload=BytesIO(exchange.body),
                length=len(exchange.body),
                http_headers=http,
                warc_headers_dict=headers,
            )
            kind = "response"
        request = writer.create_warc_record(
            exchange.url,
            "request",
            payload=BytesIO(b""),
            length=0,
            http_headers=StatusAndHeaders(
                f"{exchange.method} {request_target(exchange.url)} {exchange.protocol}",
                exchange.request_headers,
                is_http_request=True,
            ),
            warc_headers_dict={"WARC-Date": date},
        )
        if record_id := record.rec_headers.get_header("WARC-Record-ID"):
            request.rec_headers.add_header("WARC-Concurrent-To", record_id)
        offset, request_offset = self._write([record, request])
        length = request_offset - offset
        return Written(self._name, offset, length, date, digest, kind, exchange.status)

    def close(self) -> None:
        """Close the file; closed even when its last flush fails (the error is raised)."""
        file, self._file, self._writer = self._file, None, None
        if file is not None:
            file.close()

    def total_bytes(self) -> int:
        return sum(self.sizes.values())


def status_line(status: int) -> str:
    """``200 OK``; an unknown status gets no phrase.

    >>> status_line(404), status_line(599)
    ('404 Not Found', '599')
    """
    try:
        return f"{status} {HTTPStatus(status).phrase}"
    except ValueError:
        return str(status)


def request_target(url: str) -> str:
    """The request line's target: path and query.

    >>> request_target("http://h/news/x?a=1")
    '/news/x?a=1'
    """
    parts = urlsplit(url)
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


def software() -> str:
    """``mayadeen/<version> (warcio/<version>)`` for the warcinfo record."""
    try:
        ours = version("mayadeen")
    except PackageNotFoundError:
        ours = "unknown"
    return f"mayadeen/{ours} (warcio/{version('warcio')}, {os.uname().sysname})"
