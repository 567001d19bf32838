"""The FastWARC path of scanning and reading gives what warcio gives, record by record and field
by field: on archives we write, on WARCs written as other tools write them, and on damaged files,
where it hands over to warcio (the same records, the same report)."""

import gzip
import random
from collections.abc import Callable, Iterator
from functools import partial
from io import BytesIO
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from mayadeen.warc import fast, reading, scanning
from mayadeen.warc.reading import ORIGIN_HEADER, Page, Pages
from mayadeen.warc.scanning import RecordRef, ScanReport, scan
from mayadeen.warc.writing import ArchiveWriter, Exchange, Original

URL = "https://english.almayadeen.net/news/politics/a-slug"
EVERY_TYPE = frozenset({"warcinfo", "response", "request", "revisit", "metadata", "resource"})
PAGES = frozenset({"response", "revisit"})


def body(seed: int) -> bytes:
    rng = random.Random(seed)
    return b"<html>" + bytes(rng.randrange(97, 123) for _ in range(1500 + seed * 37)) + b"</html>"


def exchange(n: int, status: int = 200, origin: tuple[tuple[str, str], ...] = ()) -> Exchange:
    return Exchange(
        url=f"{URL}-{n}",
        method="GET",
        request_headers=[("User-Agent", "mayadeen-tests")],
        status=status,
        response_headers=[("Content-Type", "text/html; charset=utf-8"), ("X-Empty", "")],
        body=body(n),
        rendered_by="chromium" if n % 3 == 0 else None,
        origin_headers=origin,
    )


def ours(directory: Path) -> Path:
    """An archive as a crawl writes it: pages, an error page, a page from a web archive, and
    revisits of an unchanged page."""
    archive = ArchiveWriter(directory, "20261121T101500Z", 1 << 30, {"software": "tests"})
    first = archive.write(exchange(0))
    for n in range(1, 6):
        archive.write(exchange(n, status=404 if n == 2 else 200))
    via = ((ORIGIN_HEADER, "wayback"), (f"{ORIGIN_HEADER}-Date", "2025-01-02T03:04:05Z"))
    archive.write(exchange(7, origin=via))
    archive.write(exchange(0), Original(f"{URL}-0", first.captured_at))
    archive.write(exchange(8))
    archive.close()
    (path,) = directory.glob("*.warc.gz")
    return path


def foreign(path: Path, compressed: bool = True) -> Path:
    """A WARC as other tools write them: a wget-style target URI in angle brackets, an encoded
    body, a status line without a reason, a DNS record, metadata, a revisit with no HTTP part."""
    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=compressed)
        pages: list[tuple[str, bytes, str, list[tuple[str, str]]]] = [
            ("http://x.test/plain", body(1), "200 OK", []),
            (
                "http://x.test/gzip",
                gzip.compress(body(2)),
                "200 OK",
                [("Content-Encoding", "gzip")],
            ),
            ("http://x.test/bare", body(3), "301", [("Location", "http://x.test/")]),
        ]
        for url, payload, status, headers in pages:
            http = StatusAndHeaders(status, [("Content-Type", "text/html"), *headers], "HTTP/1.1")
            record = writer.create_warc_record(
                url, "response", payload=BytesIO(payload), length=len(payload), http_headers=http
            )
            writer.write_record(record)
        http = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], "HTTP/1.1")
        record = writer.create_warc_record(
            "http://x.test/plain", "response", payload=BytesIO(body(5)), http_headers=http
        )
        record.rec_headers.replace_header("WARC-Target-URI", "<http://x.test/wget>")
        writer.write_record(record)
        others = [
            ("dns:x.test", "resource", b"a b c"),
            ("http://x.test/m", "metadata", b"a b c"),
            ("http://x.test/r", "resource", b"HTTP/1.1 200 OK\r\n\r\n"),  # not read as HTTP
        ]
        for url, kind, payload in others:
            writer.write_record(writer.create_warc_record(url, kind, payload=BytesIO(payload)))
        writer.write_record(writer.create_revisit_record("http://x.test/plain", "sha1:X", "", ""))
        http = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], "HTTP/1.0")
        record = writer.create_warc_record(
            "https://x.test/last", "response", payload=BytesIO(body(4)), http_headers=http
        )
        writer.write_record(record)
    return path


def damaged(path: Path, how: str) -> Path:
    """``path`` damaged as files are: torn in its last page, corrupt or with junk in the middle."""
    data = path.read_bytes()
    refs = list(scan(path, EVERY_TYPE))
    middle = refs[len(refs) // 2]
    if how == "torn":
        last = [ref for ref in refs if ref.record_type == "response"][-1]
        data = data[: last.offset + last.length // 2]
    elif how == "corrupt":
        at = middle.offset + middle.length // 2
        data = data[:at] + b"\xff" * 64 + data[at + 64 :]
    elif how == "junk":
        data = data[: middle.offset] + b"junk\r\n" * 9 + data[middle.offset :]
    elif how == "empty member":
        data = data[: middle.offset] + gzip.compress(b"") + data[middle.offset :]
    damaged_path = path.with_name(f"{how.replace(' ', '-')}-{path.name}")
    damaged_path.write_bytes(data)
    return damaged_path


def no_fast_scan(stream: object, wanted: Callable[[str], bool]) -> Iterator[object]:
    return 0  # warcio from the start
    yield


def no_fast_read(*args: object) -> Page | None:
    raise fast.Handover("warcio only")


def both_ways(monkeypatch: pytest.MonkeyPatch, run: Callable[[], object]) -> tuple[object, object]:
    fast_result = run()
    with monkeypatch.context() as warcio_only:
        warcio_only.setattr(scanning, "scan_heads", no_fast_scan)
        warcio_only.setattr(reading, "_fast_page", no_fast_read)
        return fast_result, run()


def scanned(
    path: Path, types: frozenset[str], max_bytes: int
) -> tuple[list[RecordRef], ScanReport]:
    report = ScanReport()
    return list(scan(path, types, max_bytes, report)), report


def read_all(path: Path, refs: list[RecordRef], max_bytes: int) -> list[Page | None]:
    with Pages(max_bytes) as pages:
        return [pages.read(path, ref.offset) for ref in refs]


def assert_same(monkeypatch: pytest.MonkeyPatch, path: Path) -> list[RecordRef]:
    for types in (EVERY_TYPE, PAGES):
        for max_bytes in (0, 2000):
            with_fast, warcio = both_ways(monkeypatch, partial(scanned, path, types, max_bytes))
            assert with_fast == warcio, (path.name, types, max_bytes)
    refs, _ = scanned(path, EVERY_TYPE, 0)
    for max_bytes in (0, 2000):
        with_fast, warcio = both_ways(monkeypatch, partial(read_all, path, refs, max_bytes))
        assert with_fast == warcio, (path.name, max_bytes)
    return refs


def fast_heads(path: Path) -> int:
    """How many records the fast path proves whole (the last is always left to warcio)."""
    with path.open("rb") as stream:
        return sum(1 for _ in fast.scan_heads(stream, EVERY_TYPE.__contains__))


def test_our_archives_scan_and_read_the_same_and_all_but_the_last_record_fast(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = ours(tmp_path)
    refs = assert_same(monkeypatch, path)
    assert {ref.record_type for ref in refs} == {"warcinfo", "response", "request", "revisit"}
    assert fast_heads(path) == len(refs) - 1
    pages = read_all(path, refs, 0)
    assert any(page is not None and page.origin for page in pages)
    with path.open("rb") as stream:
        responses = [ref for ref in refs if ref.record_type == "response"]
        assert all(fast.read_response(stream, ref.offset, 0) for ref in responses)


def test_warcs_written_elsewhere_scan_and_read_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = foreign(tmp_path / "other.warc.gz")
    refs = assert_same(monkeypatch, path)
    assert "http://x.test/wget" in {ref.url for ref in refs}
    assert fast_heads(path) == len(refs) - 1


def test_an_uncompressed_warc_is_warcios(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = foreign(tmp_path / "other.warc", compressed=False)
    assert_same(monkeypatch, path)
    assert fast_heads(path) == 0


@pytest.mark.parametrize("how", ["torn", "corrupt", "junk", "empty member"])
def test_a_damaged_file_is_read_and_reported_as_warcio_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    for path in (ours(tmp_path / "ours"), foreign(tmp_path / "other.warc.gz")):
        broken = damaged(path, how)
        assert_same(monkeypatch, broken)
        assert fast_heads(broken) > 0, "the records before the damage are read fast"
        _, report = scanned(broken, EVERY_TYPE, 0)
        assert report.damaged == (0 if how == "empty member" else 1)
