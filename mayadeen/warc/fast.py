"""The fast path of scanning and reading WARC records: FastWARC (its parser and gzip are native
code) for whole, contiguous, gzip-per-record files, handing over to warcio at the first anomaly.

warcio stays the authority: what this module cannot prove it reads exactly as warcio would (a
gap, a record that ends early, a header FastWARC and warcio might read differently, an encoded
body, a file that is not gzip per record) it does not read, and says where warcio takes over, so
a damaged file is read, skipped and reported by warcio as before. FastWARC verifies nothing
relied on here: the block's length is checked against its ``Content-Length`` by counting; a
record's end is the next record's start, proven by that offset beginning a gzip member and by the
gzip trailer before it giving the size of exactly this record (its headers, as written, its block
and the blank lines), so no member FastWARC might have passed over lies between them.
"""

import os
import re
import struct
from collections.abc import Callable, Generator
from dataclasses import dataclass
from itertools import chain
from typing import IO, Final, NamedTuple

from fastwarc.warc import ArchiveIterator, WarcRecord

GZIP_MAGIC: Final = b"\x1f\x8b\x08"
LONGEST_LINE: Final = 8192
"""FastWARC's ``readline`` bound: a longer status line is left to warcio."""
ENCODINGS: Final = ("content-encoding", "transfer-encoding")
"""HTTP headers whose body warcio decodes (``content_stream``): such a page is left to warcio."""
DIGITS: Final = re.compile(rb"[0-9]+")
HTTP_RECORDS: Final = ("response", "request", "revisit")
"""The records whose block warcio reads as HTTP (``ArcWarcRecordLoader.HTTP_RECORDS``)."""
ONE_RECORD_BUFFER: Final = 16 << 10
"""FastWARC's read-ahead when one record is read: its default (64 KiB) costs more per page."""


class Handover(Exception):
    """Something the fast path cannot read exactly as warcio would (not an error: warcio
    reads it)."""


class Head(NamedTuple):
    """What scanning needs of one record, read by FastWARC (a tuple: one is made a record)."""

    offset: int
    record_type: str
    url: str
    captured_at: str
    """Empty, with the digest, for a record whose type is not wanted."""
    payload_digest: str | None
    status: int | None
    declared: int
    """Its ``Content-Length``."""
    size: int
    """Its size uncompressed, were its headers written ``Name: value`` (the gzip trailer's)."""


def scan_heads(
    stream: IO[bytes], wanted: Callable[[str], bool]
) -> Generator[tuple[Head, int], None, int]:
    """The records of the gzip-per-record file ``stream`` (from its start) with their lengths,
    each once the next has begun where it ends; returns the offset where warcio is to go on
    (the first record not proven whole, or the end of the file). Only the records whose type
    is ``wanted`` have their status line, date and digest read."""
    stream.seek(0)
    pending: Head | None = None
    try:
        for record in ArchiveIterator(stream, parse_http=False):
            head = _head(record, wanted)
            if pending is None:
                if os.pread(stream.fileno(), len(GZIP_MAGIC), head.offset) != GZIP_MAGIC:
                    raise Handover("not a gzip member")
            else:
                _ends_at(stream, pending, head.offset)
                yield pending, head.offset - pending.offset
            pending = head
    # FastWARC raises OSError on a damaged member; anything else it may raise is as much a
    # reason to let warcio read on from the last record proven whole.
    except Exception:  # noqa: S110
        pass
    # The last record found is left to warcio: whether anything follows it is warcio's call.
    return pending.offset if pending is not None else 0


def _ends_at(stream: IO[bytes], head: Head, end: int) -> None:
    """``Handover`` unless ``end`` begins a gzip member and the member ending there holds
    exactly ``head``'s record (its trailer's size: one read of both)."""
    if end <= head.offset + 8:
        raise Handover("not one record per gzip member")
    seam = os.pread(stream.fileno(), 4 + len(GZIP_MAGIC), end - 4)
    if seam[4:] != GZIP_MAGIC or struct.unpack("<I", seam[:4])[0] != head.size % (1 << 32):
        raise Handover("a gzip member that is not exactly one record")


def _head(record: WarcRecord, wanted: Callable[[str], bool]) -> Head:
    headers = record.headers
    kind = _plain(headers.get("WARC-Type"))
    declared = _declared(headers.get("Content-Length"))
    url = target_uri(headers.get("WARC-Target-URI"))
    if not kind or (kind in HTTP_RECORDS and declared and "WARC-Target-URI" not in headers):
        raise Handover("a record warcio may fail on")
    read = 0
    status, date, digest = None, "", None
    if wanted(kind):
        line = record.reader.readline(LONGEST_LINE)
        read = len(line)
        # warcio parses an HTTP status line only in these records, with an http(s) target.
        if kind in HTTP_RECORDS and declared and url.startswith(("http:", "https:")):
            status = _status(line)
        date = _plain(headers.get("WARC-Date")) or ""
        digest = _plain(headers.get("WARC-Payload-Digest"))
    read += record.reader.consume()
    if read != declared:
        raise Handover("a record that ends before its Content-Length")
    # "WARC/1.x\r\n", "Name: value\r\n" each, a blank line; the block, two blank lines.
    pairs = headers.items_bytes()
    written = sum(map(len, chain.from_iterable(pairs))) + 4 * len(pairs)
    size = 10 + written + 2 + declared + 4
    return Head(record.stream_pos, kind, url, date, digest, status, declared, size)


def _declared(value: str | None) -> int:
    if value is None or not DIGITS.fullmatch(value.encode("ascii", "replace")):
        raise Handover("a Content-Length that is not a number")
    return int(value)


def _plain(value: str | None) -> str | None:
    """A header value FastWARC and warcio read alike: decoded (no replacement characters) and
    with no edge whitespace."""
    if value is not None and ("\ufffd" in value or value != value.strip()):
        raise Handover("a header value warcio may read differently")
    return value


def target_uri(value: str | None) -> str:
    """``WARC-Target-URI`` as warcio gives it: angle brackets (wget 1.19) removed."""
    uri = _plain(value) or ""
    if uri.startswith("<") and uri.endswith(">"):
        uri = uri[1:-1]
    if " " in uri:
        raise Handover("a target URI with a space (warcio rewrites it, with a warning)")
    return uri


def _status(line: bytes) -> int | None:
    """The status code of an HTTP status line as warcio reads it (its second word, when a
    number), or ``Handover`` where a decoding could tell them apart."""
    if len(line) >= LONGEST_LINE - 1 or not line.isascii():
        raise Handover("a status line warcio may read differently")
    words = line.decode("ascii").rstrip().split(" ", 1)
    code = words[1].strip().split(" ", 1)[0] if len(words) > 1 else ""
    return int(code) if code.isdigit() else None


@dataclass(frozen=True)
class FastPage:
    """A response record read by FastWARC; ``mayadeen.warc.reading`` makes it a ``Page``."""

    url: str
    status: int
    headers: list[tuple[str, str]]
    body: bytes
    captured_at: str
    extra: tuple[str | None, ...]
    """The values of the headers asked for (the first of each name, as warcio's)."""


def read_response(
    stream: IO[bytes], offset: int, max_bytes: int, extra: tuple[str, ...] = ()
) -> FastPage | None:
    """The response record at ``offset`` (None: it is another type), with the record headers
    named in ``extra``; ``Handover`` (or whatever FastWARC raises) for any record the fast path
    cannot read exactly as warcio would: warcio then reads it."""
    if os.pread(stream.fileno(), len(GZIP_MAGIC), offset) != GZIP_MAGIC:
        raise Handover("not a gzip member")
    stream.seek(offset)
    records = ArchiveIterator(stream, parse_http=False, buffer_size=ONE_RECORD_BUFFER)
    record = next(iter(records), None)
    if record is None or record.stream_pos != offset:
        raise Handover("no record at the offset")
    headers = record.headers
    if _plain(headers.get("WARC-Type")) != "response":
        return None
    declared = _declared(headers.get("Content-Length"))
    url = target_uri(headers.get("WARC-Target-URI"))
    if not declared or not url.startswith(("http:", "https:")):
        raise Handover("a response without HTTP headers")
    if max_bytes and declared > max_bytes + (64 << 10):
        raise Handover("a page that may be larger than the bound")  # warcio counts it
    block = record.reader.read(declared + 1)
    if len(block) != declared:
        raise Handover("a record that ends before its Content-Length")
    status_line, http, body = _http(block)
    if max_bytes and len(body) > max_bytes:
        raise Handover("a page larger than the bound")
    status = _status(status_line)
    captured_at = _plain(headers.get("WARC-Date")) or ""
    values = tuple(_plain(headers.get(name)) for name in extra)
    return FastPage(url, status or 0, http, body, captured_at, values)


def _http(block: bytes) -> tuple[bytes, list[tuple[str, str]], bytes]:
    """The status line, headers and body of an HTTP response block, split as warcio's parser
    does for plain headers (a folded line, a line without a colon or an encoded body: Handover)."""
    end = block.find(b"\n")
    if end < 0:
        raise Handover("no status line")
    status_line, position = block[: end + 1], end + 1
    headers = []
    while True:
        end = block.find(b"\n", position)
        if end < 0:
            raise Handover("a header block with no end")
        try:
            line = block[position:end].decode("utf-8").rstrip()
        except UnicodeDecodeError as error:
            raise Handover("a header warcio decodes otherwise") from error
        position = end + 1
        if not line:
            break
        name, colon, value = line.partition(":")
        if not colon or line[0] in " \t":
            raise Handover("a header line warcio reads otherwise")
        headers.append((name.rstrip(" \t"), value.lstrip()))
    if any(name.lower() in ENCODINGS for name, _ in headers):
        raise Handover("an encoded body (warcio decodes it)")
    return status_line, headers, block[position:]
