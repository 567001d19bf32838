"""The archive's files and index without a crawl: writing, rotation, revisits, a failed write,
torn records, and the store's migration to the archive index."""

import errno
import random
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from warcio.archiveiterator import ArchiveIterator

from mayadeen.store import SCHEMA_VERSION, Store
from mayadeen.warc.index import add_capture, latest_captures, unchanged_original
from mayadeen.warc.reading import read_page
from mayadeen.warc.scanning import scan
from mayadeen.warc.writing import RENDERED_HEADER, ArchiveWriter, Exchange, payload_digest

URL = "https://english.almayadeen.net/news/politics/a-slug"


def page_bytes(seed: int, size: int = 3_000) -> bytes:
    """An HTML page of ``size`` bytes that gzip cannot shrink much."""
    rng = random.Random(seed)
    return b"<html>" + bytes(rng.randrange(97, 123) for _ in range(size)) + b"</html>"


def exchange(body: bytes, url: str = URL, rendered_by: str | None = None) -> Exchange:
    return Exchange(
        url=url,
        method="GET",
        request_headers=[("User-Agent", "mayadeen-tests")],
        status=200,
        response_headers=[
            ("Content-Type", "text/html; charset=utf-8"),
            ("Transfer-Encoding", "chunked"),
        ],
        body=body,
        rendered_by=rendered_by,
    )


def writer(directory: Path, max_bytes: int = 1 << 30) -> ArchiveWriter:
    return ArchiveWriter(directory, "20261121T101500Z", max_bytes, {"software": "tests"})


def records(path: Path) -> list[Any]:
    with path.open("rb") as stream:
        return [
            (r.rec_type, r.rec_headers, r.content_stream().read()) for r in ArchiveIterator(stream)
        ]


def test_a_page_is_a_response_and_request_pair_after_a_warcinfo(tmp_path: Path) -> None:
    archive = writer(tmp_path)
    written = archive.write(exchange(b"<html>page</html>", rendered_by="chromium"))
    archive.close()
    (path,) = tmp_path.glob("*.warc.gz")
    assert path.name == "mayadeen-20261121T101500Z-00000.warc.gz"
    (info, _, _), (response, headers, body), (request, _, _) = records(path)
    assert (info, response, request) == ("warcinfo", "response", "request")
    assert body == b"<html>page</html>"
    assert headers.get_header("WARC-Payload-Digest") == written.payload_digest
    assert headers.get_header(RENDERED_HEADER) == "chromium"
    assert headers.get_header("WARC-Type") == "response"
    assert written.record_type == "response"
    page = read_page(path, written.offset)
    assert page is not None
    assert (page.status, page.body) == (200, b"<html>page</html>")
    assert all(name.lower() != "transfer-encoding" for name, _ in page.headers)


def test_files_rotate_past_the_size_each_with_its_warcinfo(tmp_path: Path) -> None:
    archive = writer(tmp_path, max_bytes=2_000)
    for n in range(6):
        archive.write(exchange(page_bytes(n), url=f"{URL}-{n}"))
    archive.close()
    paths = sorted(tmp_path.glob("*.warc.gz"))
    assert len(paths) > 2
    assert all(records(path)[0][0] == "warcinfo" for path in paths)
    assert sum(len(list(scan(path))) for path in paths) == 6
    assert archive.sizes == {path.name: path.stat().st_size for path in paths}


def test_an_unchanged_page_is_a_revisit_and_reads_back_from_the_original(tmp_path: Path) -> None:
    with Store.open(tmp_path / "articles.sqlite") as store:
        archive = writer(tmp_path / "archive")
        body = page_bytes(1)
        first = archive.write(exchange(body))
        add_capture(store.db, URL, first, "r1", False)
        assert unchanged_original(store.db, URL, payload_digest(b"other")) is None
        original = unchanged_original(store.db, URL, payload_digest(body))
        assert original is not None
        second = archive.write(exchange(body), original)
        latest = add_capture(store.db, URL, second, "r2", False)
        archive.close()
        assert second.record_type == "revisit"
        assert second.length < first.length
        (capture,) = latest_captures(store.db)
        assert (capture.id, capture.offset, capture.file) == (latest, first.offset, first.file)
        assert latest_captures(store.db, urls=["https://elsewhere/x"]) == []
        assert latest_captures(store.db, since="2999-01-01") == []


class FullDisk:
    """A file whose writes fail as on a full disk, after ``room`` more bytes."""

    def __init__(self, inner: Any, room: int) -> None:
        self.inner, self.room = inner, room

    def write(self, data: bytes) -> int:
        if len(data) > self.room:
            self.inner.write(data[: self.room])
            self.room = 0
            raise OSError(errno.ENOSPC, "No space left on device")
        self.room -= len(data)
        return int(self.inner.write(data))

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def test_a_failed_write_is_cut_off_and_what_was_archived_stays(tmp_path: Path) -> None:
    archive = writer(tmp_path)
    archive.write(exchange(b"<html>kept</html>"))
    (path,) = tmp_path.glob("*.warc.gz")
    size = path.stat().st_size
    full = FullDisk(archive._file, room=100)
    archive._file = full  # type: ignore[assignment]
    with pytest.raises(OSError, match="No space left"):
        archive.write(exchange(b"<html>lost</html>" * 100, url=URL + "-2"))
    archive.close()
    assert path.stat().st_size == size
    assert [r.url for r in scan(path)] == [URL]


def test_a_torn_last_record_is_skipped(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    archive = writer(tmp_path)
    archive.write(exchange(b"<html>one</html>"))
    last = archive.write(exchange(page_bytes(2), url=URL + "-2"))
    archive.close()
    (path,) = tmp_path.glob("*.warc.gz")
    whole = path.read_bytes()
    path.write_bytes(whole[: last.offset + last.length // 2])
    assert [r.url for r in scan(path)] == [URL]
    assert "torn record" in caplog.text
    assert read_page(path, last.offset) is None


def test_a_version_1_store_gets_the_ledger_and_the_archive_index(tmp_path: Path) -> None:
    path = tmp_path / "articles.sqlite"
    Store.open(path).close()
    db = sqlite3.connect(path)  # back to the shape of version 1
    for trigger in ("articles_fts_delete", "articles_fts_update"):
        db.execute(f"DROP TRIGGER {trigger}")
    db.execute("DROP TABLE articles_fts")
    for table in (
        "captures",
        "owed",
        "gone",
        "covered",
        "feed_owed",
        "site",
        "non_articles",
        "article_origins",
        "archive_cursors",
        "forbidden",
        "breaking_fts",
        "breaking",
        "near_duplicates",
        "article_signatures",
    ):
        db.execute(f"DROP TABLE {table}")
    for table in ("articles", "article_versions"):
        db.execute(f"ALTER TABLE {table} DROP COLUMN capture_id")
    db.execute("ALTER TABLE runs DROP COLUMN pid")
    db.execute("PRAGMA user_version = 1")
    db.commit()
    db.close()
    with Store.open(path) as store:
        assert store.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        store.db.execute("SELECT id, warc_file, offset, length FROM captures")
        store.db.execute("SELECT capture_id FROM articles")
        store.db.execute("SELECT capture_id FROM article_versions")
        store.db.execute("SELECT url, reason, attempts, next_attempt_at FROM owed")
        store.db.execute("SELECT pid FROM runs")
        store.db.execute("SELECT url, robots, forbidden_at, run_id FROM forbidden")
        store.db.execute("SELECT url, via, captured_at, collection FROM article_origins")
        store.db.execute("SELECT query, resume FROM archive_cursors")


def test_an_error_page_is_archived_but_the_last_good_capture_is_reextracted(
    tmp_path: Path,
) -> None:
    with Store.open(tmp_path / "articles.sqlite") as store:
        archive = writer(tmp_path / "archive")
        good = archive.write(exchange(page_bytes(3)))
        good_id = add_capture(store.db, URL, good, "r1", False)
        error = Exchange(URL, "GET", [], 503, [("Content-Type", "text/html")], b"busy")
        add_capture(store.db, URL, archive.write(error), "r2", False)
        archive.close()
        (capture,) = latest_captures(store.db)
        assert (capture.id, capture.offset) == (good_id, good.offset)
