"""Finding the records of a WARC file by scanning it: ours, and WARCs made elsewhere (``--from``).

A file whose writer was killed may end in a torn record, and a file made elsewhere may hold a
damaged record anywhere: scanning goes on at the next record that begins after it (the next gzip
member, or the next ``WARC/1.`` line of an uncompressed file), with a warning and the bytes skipped
counted (``ScanReport``); every whole record is found. A record larger than the bound
(``DOWNLOAD_MAXSIZE``) is counted and skipped.
"""

import logging
import os
import zlib
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Final

from mayadeen.warc.fast import Head, scan_heads
from mayadeen.warc.reading import TORN, QuietIterator, is_whole

logger = logging.getLogger(__name__)

GZIP_MAGIC: Final = b"\x1f\x8b\x08"
WARC_MAGIC: Final = b"WARC/1."
NEXT_RECORD: Final = b"\r\n\r\n" + WARC_MAGIC
"""Where a record ends and the next begins, once decompressed."""
SEARCH_CHUNK: Final = 1 << 20


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
        # FastWARC while the records are whole and contiguous; warcio from the first it cannot
        # prove so (mayadeen.warc.fast), which reads, skips and reports as it always has.
        start: int | None = yield from _scan_fast(stream, path, record_types, max_bytes, report)
        while start is not None:  # after a damaged record: from the next one after it
            start = yield from _scan_from(stream, path, start, record_types, max_bytes, report)


def _scan_fast(
    stream: IO[bytes],
    path: Path,
    record_types: frozenset[str],
    max_bytes: int,
    report: ScanReport,
) -> Generator[RecordRef, None, int]:
    """The records FastWARC proves whole, from the start; returns where warcio goes on."""
    heads = scan_heads(stream, record_types.__contains__)
    while True:
        try:
            head, length = next(heads)
        except StopIteration as done:
            return int(done.value)
        if head.record_type not in record_types:
            continue
        if _oversized(path, head.offset, head.declared, max_bytes, report):
            continue
        yield _ref(path, head, length)


def _ref(path: Path, head: Head, length: int) -> RecordRef:
    return RecordRef(
        path,
        head.offset,
        length,
        head.url,
        head.record_type,
        head.captured_at,
        head.payload_digest,
        head.status,
    )


def _oversized(path: Path, offset: int, declared: int, max_bytes: int, report: ScanReport) -> bool:
    """Whether a record's block is larger than the bound (counted and warned of)."""
    if not max_bytes or declared <= max_bytes:
        return False
    report.oversized += 1
    logger.warning("%s at %d: a record larger than %d bytes; skipped", path, offset, max_bytes)
    return True


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
            if not is_whole(record):
                raise EOFError("the record ends before its Content-Length")
            offset, length = records.get_record_offset(), records.get_record_length()
            good_end = offset + length
            if (
                max_bytes
                and declared.isdigit()
                and _oversized(path, offset, int(declared), max_bytes, report)
            ):
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


def compressed_whole(path: Path, bound: int = 64 << 20) -> bool:
    """Whether the gzip WARC ``path`` is compressed as one whole (``gzip file.warc``), not record
    by record: its first gzip member holds more than one record, so no record of it can be read
    by its offset. Judged from that member, read up to ``bound`` compressed bytes."""
    inflate = zlib.decompressobj(16 + zlib.MAX_WBITS)
    seen = b""
    try:
        with path.open("rb") as stream:
            while not inflate.eof and stream.tell() < bound and (chunk := stream.read(1 << 16)):
                seen = seen[-len(NEXT_RECORD) :] + inflate.decompress(chunk, 1 << 20)
                if NEXT_RECORD in seen[1:]:
                    return True
    except (OSError, zlib.error):
        return False  # unreadable or damaged: the scan says what it skips
    return False
