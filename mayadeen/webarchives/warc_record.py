"""One WARC response record read from a byte range (Common Crawl's records), through warcio."""

import zlib
from dataclasses import dataclass
from io import BytesIO

from warcio.exceptions import ArchiveLoadFailed

from mayadeen.warc.reading import QuietIterator, TooLarge, read_bounded


class BadRecord(ValueError):
    """The range did not hold a whole WARC response record (cut short, or something else)."""


@dataclass(frozen=True)
class Record:
    record_id: str
    status: int
    headers: list[tuple[str, str]]
    body: bytes


INFLATE_CHUNK = 1 << 20
"""Bytes decompressed at a time when a gzip member is only checked, not kept."""


def whole_gzip_member(data: bytes) -> bool:
    """Whether ``data`` begins with a whole gzip member (a record's range cut short is not),
    decompressed a chunk at a time and thrown away (a gzip bomb costs time, not memory).

    >>> import gzip
    >>> member = gzip.compress(b"WARC/1.1")
    >>> whole_gzip_member(member), whole_gzip_member(member[:-4])
    (True, False)
    """
    decompressor = zlib.decompressobj(16 + zlib.MAX_WBITS)
    pending = data
    try:
        while pending and not decompressor.eof:
            decompressor.decompress(pending, INFLATE_CHUNK)
            pending = decompressor.unconsumed_tail
    except zlib.error:
        return False
    return decompressor.eof


def read_record(data: bytes, max_bytes: int = 0) -> Record:
    """The HTTP response a WARC ``response`` record holds (its payload decoded, at most
    ``max_bytes`` of it: 0, no bound; more is a ``BadRecord``)."""
    if data[:2] == b"\x1f\x8b" and not whole_gzip_member(data):
        raise BadRecord("not a whole WARC record: the gzip member is cut short")
    try:
        for record in QuietIterator(BytesIO(data)):
            if record.rec_type != "response" or record.http_headers is None:
                continue
            # content_stream() undoes the payload's transfer and content encodings.
            body = read_bounded(record.content_stream(), max_bytes)
            status = int(record.http_headers.get_statuscode() or 0)
            return Record(
                record.rec_headers.get_header("WARC-Record-ID") or "",
                status,
                list(record.http_headers.headers),
                body,
            )
    except TooLarge as error:
        raise BadRecord(f"a page {error}") from None
    except (ArchiveLoadFailed, EOFError, OSError, ValueError) as error:
        raise BadRecord(f"not a whole WARC record: {error}") from None
    raise BadRecord("no WARC response record in the range")
