"""Reading our WARC records back by the index's offsets, one page at a time.

Decompression is bounded: a page whose body (after its content encoding is undone) passes
``max_bytes`` (the crawl's ``DOWNLOAD_MAXSIZE``) is not read, and counted, so a gzip bomb of a few
kilobytes cannot exhaust memory. A record that is not whole (a torn last gzip member) is not read.
Finding the records of a file, ours or made elsewhere, is ``mayadeen.warc.scanning``.
"""

import logging
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from mayadeen.warc import fast

logger = logging.getLogger(__name__)

ORIGIN_HEADER = "WARC-Mayadeen-Origin"
"""The header naming the web archive a page was read from (``mayadeen.middlewares.webarchives``)."""
ORIGIN_HEADERS = (ORIGIN_HEADER, f"{ORIGIN_HEADER}-Date")
"""The origin's two headers: the archive, and its capture's time."""

TORN = (ArchiveLoadFailed, zlib.error, EOFError, OSError, ValueError, AttributeError, TypeError)
"""What warcio raises on a record cut short (a header block cut off leaves it ``None`` values)."""


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


@dataclass(frozen=True)
class Page:
    """An archived response, its body decoded (transfer and content encodings undone)."""

    url: str
    status: int
    headers: list[tuple[str, str]]
    body: bytes
    captured_at: str
    origin: tuple[str, str] | None = None
    """The web archive it was read from and that archive's capture time (the record's
    ``WARC-Mayadeen-Origin`` headers); None for a page fetched from the site."""


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
        try:
            # FastWARC where it reads the record as warcio would (mayadeen.warc.fast);
            # warcio for any other, and for the damaged, oversized and torn, as always.
            return _fast_page(stream, offset, self.max_bytes)
        except Exception:  # noqa: S110
            pass
        stream.seek(offset)
        try:
            record = next(iter(QuietIterator(stream)), None)
            if record is None or record.rec_type != "response" or record.http_headers is None:
                return None
            page = _page(record, self.max_bytes)
            return page if is_whole(record) else None
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


def is_whole(record: Any) -> bool:
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
        _origin(*(record.rec_headers.get_header(name) for name in ORIGIN_HEADERS)),
    )


def _fast_page(stream: BinaryIO, offset: int, max_bytes: int) -> Page | None:
    read = fast.read_response(stream, offset, max_bytes, ORIGIN_HEADERS)
    if read is None:
        return None
    origin = _origin(*read.extra)
    return Page(read.url, read.status, read.headers, read.body, read.captured_at, origin)


def _origin(via: str | None, captured_at: str | None) -> tuple[str, str] | None:
    """The record's origin from its two ``ORIGIN_HEADER`` values: both, or none."""
    return (via, captured_at) if via and captured_at else None
