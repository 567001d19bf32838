"""Reading WARC records back: ours (by the index's offsets) and WARCs made elsewhere (scanned).

A file whose writer was killed may end in a torn record, and a file made elsewhere may hold a
damaged record anywhere: scanning goes on at the next record that begins after it (the next gzip
member, or the next ``WARC/1.`` line of an uncompressed file), with a warning and the bytes skipped
counted (``ScanReport``); every whole record is read. Decompression is bounded: a page whose body
(after its content encoding is undone) passes ``max_bytes`` (the crawl's ``DOWNLOAD_MAXSIZE``) is
not read, and counted, so a gzip bomb of a few kilobytes cannot exhaust memory.
"""

import logging
import os
import zlib
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, BinaryIO, Final

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

logger = logging.getLogger(__name__)

TORN = (ArchiveLoadFailed, zlib.error, EOFError, OSError, ValueError, AttributeError, TypeError)
"""What warcio raises on a record cut short (a header block cut off leaves it ``None`` values)."""
GZIP_MAGIC: Final = b"\x1f\x8b\x08"
WARC_MAGIC: Final = b"WARC/1."
SEARCH_CHUNK: Final = 1 << 20


class TooLarge(ValueError):
    """A record whose page is larger than the bound (``DOWNLOAD_MAXSIZE``) once decompressed."""


def read_bounded(stream: Any, max_bytes: int) -> bytes:
    """All of ``stream``, or ``TooLarge`` once it passes ``max_bytes`` (0: no bound); never
    more than ``max_bytes`` + 1 bytes are decompressed into memory.

    >>> import io
    >>> read_bounded(io.BytesIO(b"abc"), 3), read_bounded(io.BytesIO(b"abc"), 0)
    (b'abc', b'abc')
    >>> read_bounded(io.BytesIO(b"abcd"), 3)
    Traceback (most recent call last):
    mayadeen.warc.reading.TooLarge: larger than 3 bytes once decompressed
    """
    if max_bytes <= 0:
        return bytes(stream.read())
    data = bytes(stream.read(max_bytes + 1))
    if len(data) > max_bytes:
        raise TooLarge(f"larger than {max_bytes} bytes once decompressed")
    return data


class QuietIterator(ArchiveIterator):  # type: ignore[misc]
    """warcio's iterator, without its message on a record whose length is wrong: it copies a
    line of the file to stderr, which for a file that is no WARC may be anything."""

    INC_RECORD = ""


@dataclass
class ScanReport:
    """What scanning files skipped, for the run's stats."""

    damaged: int = 0
    """Damaged places (a corrupt or torn record) the scan went past."""
    skipped_bytes: int = 0
    """Bytes of them, not read."""
    oversized: int = 0
    """Records larger than the bound, not read."""


@dataclass(frozen=True)
class RecordRef:
    """A response or revisit record found by scanning a file."""

    file: Path
    offset: int
    length: int
    url: str
    record_type: str
    captured_at: str
    payload_digest: str | None
    status: int | None


@dataclass(frozen=True)
class Page:
    """An archived response, its body decoded (transfer and content encodings undone)."""

    url: str
    status: int
    headers: list[tuple[str, str]]
    body: bytes
    captured_at: str


def scan(
    path: Path,
    record_types: frozenset[str] = frozenset({"response", "revisit"}),
    max_bytes: int = 0,
    report: ScanReport | None = None,
) -> Iterator[RecordRef]:
    """The ``record_types`` records of ``path`` in file order; past a damaged record, the scan
    goes on at the next record, counting in ``report`` the bytes skipped; a record whose block
    is larger than ``max_bytes`` (0: no bound) is skipped and counted."""
    report = report if report is not None else ScanReport()
    with path.open("rb") as stream:
        start: int | None = 0
        while start is not None:  # after a damaged record: from the next one after it
            start = yield from _scan_from(stream, path, start, record_types, max_bytes, report)


def _scan_from(
    stream: IO[bytes],
    path: Path,
    base: int,
    record_types: frozenset[str],
    max_bytes: int,
    report: ScanReport,
) -> Generator[RecordRef, None, int | None]:
    """Records from ``base`` on; returns where to go on after a damaged record (None: the end)."""
    stream.seek(base)
    records = QuietIterator(stream)  # its offsets are the file's
    good_end = base
    try:
        for record in records:
            kind = record.rec_type
            headers = record.rec_headers
            declared = headers.get_header("Content-Length") or "0"
            if kind not in record_types:
                records.read_to_end(record)
                good_end = records.get_record_offset() + records.get_record_length()
                continue
            status = record.http_headers.get_statuscode() if record.http_headers else None
            url = headers.get_header("WARC-Target-URI") or ""
            date = headers.get_header("WARC-Date") or ""
            digest = headers.get_header("WARC-Payload-Digest")
            records.read_to_end(record)
            if not _whole(record):
                raise EOFError("the record ends before its Content-Length")
            offset, length = records.get_record_offset(), records.get_record_length()
            good_end = offset + length
            if max_bytes and declared.isdigit() and int(declared) > max_bytes:
                report.oversized += 1
                logger.warning(
                    "%s at %d: a record larger than %d bytes; skipped", path, offset, max_bytes
                )
                continue
            yield RecordRef(
                path,
                offset,
                length,
                url,
                kind,
                date,
                digest,
                int(status) if status and str(status).isdigit() else None,
            )
    except TORN as error:
        return _resynchronised(stream, path, good_end, report, type(error).__name__)
    return None


def _resynchronised(
    stream: IO[bytes], path: Path, damaged_at: int, report: ScanReport, why: str
) -> int | None:
    """Where the next record after a damaged one at ``damaged_at`` begins (None: none does);
    the bytes in between are counted as skipped."""
    stream.seek(0)
    magic = GZIP_MAGIC if stream.read(2) == GZIP_MAGIC[:2] else WARC_MAGIC
    size = os.fstat(stream.fileno()).st_size
    found = _find(stream, magic, damaged_at + 1, size)
    report.damaged += 1
    report.skipped_bytes += (found if found is not None else size) - damaged_at
    if found is None:
        # The error's text is not logged: it may quote bytes of the file (any file, --from).
        logger.warning(
            "%s: a torn record at the end (offset %d, %s); the records before it are read",
            path,
            damaged_at,
            why,
        )
    else:
        logger.warning(
            "%s: a damaged record at offset %d (%s): %d bytes skipped, reading on at %d",
            path,
            damaged_at,
            why,
            found - damaged_at,
            found,
        )
    return found


def _find(stream: IO[bytes], magic: bytes, start: int, size: int) -> int | None:
    """The first offset at or after ``start`` where ``magic`` begins, read a chunk at a time."""
    position = start
    while position < size:
        stream.seek(position)
        chunk = stream.read(SEARCH_CHUNK + len(magic) - 1)
        if (found := chunk.find(magic)) >= 0:
            return position + found
        position += SEARCH_CHUNK
    return None


def is_warc(path: Path) -> bool:
    """Whether ``path`` begins as a WARC file does (``WARC/1.``, gzip-compressed or not),
    judged from its first bytes only."""
    try:
        with path.open("rb") as stream:
            head = stream.read(4096)
    except OSError:
        return False
    if head[:2] == GZIP_MAGIC[:2]:
        try:
            head = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(head, len(WARC_MAGIC))
        except zlib.error:
            return False
    return head.startswith(WARC_MAGIC)


def read_page(path: Path, offset: int, max_bytes: int = 0) -> Page | None:
    """The response record at ``offset`` of ``path`` (None when it is not a whole response)."""
    with Pages(max_bytes) as pages:
        return pages.read(path, offset)


class Pages:
    """Reads response records by file and offset, keeping the files open between reads (the
    captures of a re-extraction come in file order). A page larger than ``max_bytes`` once
    decompressed (0: no bound) is not read (``oversized``); a file that is gone (a ``--from``
    WARC moved or deleted since it was indexed) is warned of once and its pages are not read
    (``missing``)."""

    def __init__(self, max_bytes: int = 0) -> None:
        self.max_bytes = max_bytes
        self._files: dict[Path, BinaryIO] = {}
        self.missing: set[Path] = set()
        self.unavailable = 0
        """Pages not read because their file is missing."""
        self.oversized = 0

    def read(self, path: Path, offset: int) -> Page | None:
        stream = self._files.get(path)
        if stream is None:
            self.close()  # one file at a time: captures come in file order
            if (stream := self._open(path)) is None:
                self.unavailable += 1
                return None
            self._files[path] = stream
        stream.seek(offset)
        try:
            record = next(iter(QuietIterator(stream)), None)
            if record is None or record.rec_type != "response" or record.http_headers is None:
                return None
            page = _page(record, self.max_bytes)
            return page if _whole(record) else None
        except TooLarge as error:
            self.oversized += 1
            logger.warning("%s at %d: a page %s; skipped", path, offset, error)
            return None
        except TORN as error:
            logger.warning("%s at %d: not a whole record (%s)", path, offset, type(error).__name__)
            return None

    def _open(self, path: Path) -> BinaryIO | None:
        if path in self.missing:
            return None
        try:
            return path.open("rb")
        except OSError as error:
            self.missing.add(path)
            logger.warning(
                "%s: cannot be read (%s); its archived pages are unavailable",
                path,
                error.strerror or type(error).__name__,
            )
            return None

    def close(self) -> None:
        for stream in self._files.values():
            stream.close()
        self._files.clear()

    def __enter__(self) -> "Pages":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _whole(record: Any) -> bool:
    """Whether the record's block was read to its ``Content-Length`` (a gzip member cut short
    decompresses without an error, to fewer bytes)."""
    return getattr(record.raw_stream, "limit", 0) == 0


def _page(record: Any, max_bytes: int = 0) -> Page:
    http = record.http_headers
    status = http.get_statuscode()
    return Page(
        record.rec_headers.get_header("WARC-Target-URI") or "",
        int(status) if status and str(status).isdigit() else 0,
        list(http.headers),
        read_bounded(record.content_stream(), max_bytes),
        record.rec_headers.get_header("WARC-Date") or "",
    )
