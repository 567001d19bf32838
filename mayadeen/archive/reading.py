"""Reading WARC records back: ours (by the index's offsets) and WARCs made elsewhere (scanned).

A file whose writer was killed may end in a torn record: scanning stops there with a warning,
every whole record before it is read.
"""

import logging
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

logger = logging.getLogger(__name__)

TORN = (ArchiveLoadFailed, zlib.error, EOFError, OSError, ValueError, AttributeError, TypeError)
"""What warcio raises on a record cut short (a header block cut off leaves it ``None`` values)."""


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
    path: Path, record_types: frozenset[str] = frozenset({"response", "revisit"})
) -> Iterator[RecordRef]:
    """The ``record_types`` records of ``path`` in file order; a torn tail is skipped."""
    with path.open("rb") as stream:
        records = ArchiveIterator(stream)
        try:
            for record in records:
                kind = record.rec_type
                if kind not in record_types:
                    continue
                headers = record.rec_headers
                status = record.http_headers.get_statuscode() if record.http_headers else None
                url = headers.get_header("WARC-Target-URI") or ""
                date = headers.get_header("WARC-Date") or ""
                digest = headers.get_header("WARC-Payload-Digest")
                offset = records.get_record_offset()
                records.read_to_end(record)
                if not _whole(record):
                    raise EOFError("the record ends before its Content-Length")
                yield RecordRef(
                    path,
                    offset,
                    records.get_record_length(),
                    url,
                    kind,
                    date,
                    digest,
                    int(status) if status and str(status).isdigit() else None,
                )
        except TORN as error:
            logger.warning(
                "%s: a torn record at the end (%s); the records before it are read", path, error
            )


def read_page(path: Path, offset: int) -> Page | None:
    """The response record at ``offset`` of ``path`` (None when it is not a whole response)."""
    with Pages() as pages:
        return pages.read(path, offset)


class Pages:
    """Reads response records by file and offset, keeping the files open between reads (the
    captures of a re-extraction come in file order)."""

    def __init__(self) -> None:
        self._files: dict[Path, BinaryIO] = {}

    def read(self, path: Path, offset: int) -> Page | None:
        stream = self._files.get(path)
        if stream is None:
            self.close()  # one file at a time: captures come in file order
            stream = self._files[path] = path.open("rb")
        stream.seek(offset)
        try:
            record = next(iter(ArchiveIterator(stream)), None)
            if record is None or record.rec_type != "response" or record.http_headers is None:
                return None
            page = _page(record)
            return page if _whole(record) else None
        except TORN as error:
            logger.warning("%s at %d: not a whole record (%s)", path, offset, error)
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


def _page(record: Any) -> Page:
    http = record.http_headers
    status = http.get_statuscode()
    return Page(
        record.rec_headers.get_header("WARC-Target-URI") or "",
        int(status) if status and str(status).isdigit() else 0,
        list(http.headers),
        record.content_stream().read(),
        record.rec_headers.get_header("WARC-Date") or "",
    )
