"""End to end: ``scrapy reextract --from`` given hostile WARC files stays bounded and keeps
foreign pages out: a gzip bomb is skipped and the rest read, pages of another origin are not the
site's, a missing file is skipped, a file that is no WARC is a usage error, a corrupt record is
skipped and the records after it read, and junk leaves no capture rows."""

import gzip
import json
import sqlite3
from io import BytesIO
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from mayadeen.loopback import load_fixtures
from tests.helpers.outputs import run_stats
from tests.helpers.runs import reextract

ROOT = "http://127.0.0.1:8123"
ARTICLES = [f for f in load_fixtures() if f.expected() is not None][:3]
Record = tuple[str, bytes, list[tuple[str, str]]]


def article(index: int, root: str = ROOT) -> Record:
    fixture = ARTICLES[index]
    return (root + fixture.path, fixture.html(), [])


def write_warc(path: Path, records: list[Record]) -> list[int]:
    """A gzip-per-record WARC of ``records`` (URL, body, extra headers); where each begins."""
    starts = []
    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=True)
        for url, body, headers in records:
            starts.append(out.tell())
            http = StatusAndHeaders(
                "200 OK",
                [("Content-Type", "text/html; charset=utf-8"), *headers],
                protocol="HTTP/1.1",
            )
            writer.write_record(
                writer.create_warc_record(
                    url, "response", payload=BytesIO(body), length=len(body), http_headers=http
                )
            )
    return starts


def stored_urls(data: Path) -> set[str]:
    with sqlite3.connect(data / "articles.sqlite") as db:
        return {url for (url,) in db.execute("SELECT url FROM articles")}


def count(data: Path, table: str) -> int:
    with sqlite3.connect(data / "articles.sqlite") as db:
        (rows,) = db.execute(f"SELECT count(*) FROM {table}").fetchone()  # noqa: S608
    return int(rows)


def canonical(index: int) -> str:
    return ROOT + ARTICLES[index].path.rstrip("/")


def test_a_gzip_bomb_is_skipped_and_the_record_after_it_read(tmp_path: Path) -> None:
    bomb = gzip.compress(b"\0" * (64 << 20), compresslevel=9)  # 64 MiB in about 64 KiB
    warc = tmp_path / "bomb.warc.gz"
    write_warc(warc, [(canonical(1), bomb, [("Content-Encoding", "gzip")]), article(0)])
    done = reextract(ROOT, tmp_path / "data", "--from", str(warc))
    stats = run_stats(tmp_path / "data")
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Traceback" not in done.stderr
    assert stats["mayadeen/reextract/oversized"] == 1
    assert stored_urls(tmp_path / "data") == {canonical(0)}
    assert "larger than DOWNLOAD_MAXSIZE" in done.stdout


def test_only_the_sites_own_origin_is_the_site(tmp_path: Path) -> None:
    foreign = [
        "https://127.0.0.1:8123",  # https for an http root
        "http://127.0.0.1:8124",  # another port
        "http://user@127.0.0.1:8123",  # a user name
        "http://127.0.0.1:8123.evil.invalid",  # a look-alike host
    ]
    warc = tmp_path / "mixed.warc.gz"
    write_warc(warc, [article(1, root) for root in foreign] + [article(0)])
    done = reextract(ROOT, tmp_path / "data", "--from", str(warc))
    stats = run_stats(tmp_path / "data")
    assert done.returncode == 0, done.stderr[-3000:]
    assert stored_urls(tmp_path / "data") == {canonical(0)}
    assert stats["mayadeen/reextract/offsite"] == len(foreign)
    assert count(tmp_path / "data", "captures") == 1, "only what is used is indexed"


def test_a_corrupt_record_in_the_middle_is_skipped_and_the_rest_read(tmp_path: Path) -> None:
    warc = tmp_path / "corrupt.warc.gz"
    starts = write_warc(warc, [article(0), article(1), article(2)])
    data = bytearray(warc.read_bytes())
    middle = starts[1] + (starts[2] - starts[1]) // 2
    data[middle : middle + 64] = b"\xff" * 64
    warc.write_bytes(bytes(data))
    done = reextract(ROOT, tmp_path / "data", "--from", str(warc))
    stats = run_stats(tmp_path / "data")
    assert done.returncode == 0, done.stderr[-3000:]
    assert stored_urls(tmp_path / "data") == {canonical(0), canonical(2)}
    assert stats["mayadeen/reextract/damaged"] == 1
    skipped = stats["mayadeen/reextract/skipped_bytes"]
    assert 0 < skipped <= starts[2] - starts[1]
    assert "at the end" not in done.stderr


def test_a_missing_warc_is_skipped_once_and_a_moved_one_does_not_block_later_runs(
    tmp_path: Path,
) -> None:
    warc = tmp_path / "site.warc.gz"
    write_warc(warc, [article(0)])
    data = tmp_path / "data"
    done = reextract(ROOT, data, "--from", str(warc), str(tmp_path / "gone.warc.gz"))
    stats = run_stats(data)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stderr.count("gone.warc.gz") == 1
    assert stats["mayadeen/reextract/missing_files"] == 1
    assert stored_urls(data) == {canonical(0)}

    warc.unlink()  # moved away: the store's index still names it
    later = reextract(ROOT, data)
    later_stats = run_stats(data)
    assert later.returncode == 0, later.stderr[-3000:]
    assert "Traceback" not in later.stderr
    assert later.stderr.count(str(warc)) == 1, "one warning"
    assert later_stats["mayadeen/reextract/unavailable"] == 1
    assert "1 WARC files missing; 1 archived pages in them unavailable" in later.stdout


@pytest.mark.parametrize("kind", ["text", "symlink"])
def test_a_file_that_is_no_warc_is_one_line_and_no_run(tmp_path: Path, kind: str) -> None:
    given = tmp_path / "notes.warc.gz"
    secret = "root:x:0:0:a line of a system file"
    if kind == "symlink":
        target = tmp_path / "passwd"
        target.write_text(secret + "\n")
        given.symlink_to(target)
    else:
        given.write_text(secret + "\n")
    data = tmp_path / "data"
    done = reextract(ROOT, data, "--from", str(given))
    assert done.returncode == 2
    *startup, line = done.stderr.strip().splitlines()  # after Scrapy's INFO start-up lines
    assert line == f"reextract: {given}: not a WARC file (give WARC files to --from)"
    assert not [earlier for earlier in startup if "ERROR" in earlier or "WARNING" in earlier]
    assert secret not in done.stderr + done.stdout
    assert not (data / "runs").exists()
    assert not (data / "articles.sqlite").exists() or count(data, "runs") == 0


def test_a_warc_gzipped_as_one_whole_is_one_line_naming_the_fix(tmp_path: Path) -> None:
    """``gzip file.warc`` makes one gzip member of every record: none can be read by its offset.
    Refused in one line that names the fix, before any run; recompressed, it is read."""
    per_record = tmp_path / "per-record.warc.gz"
    write_warc(per_record, [article(0), article(1)])
    whole = tmp_path / "whole.warc.gz"
    whole.write_bytes(gzip.compress(gzip.decompress(per_record.read_bytes())))
    data = tmp_path / "data"
    done = reextract(ROOT, data, "--from", str(whole))
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    line = done.stderr.strip().splitlines()[-1]
    assert line == (
        f"reextract: {whole}: gzip-compressed as one whole, not record by record, so its records "
        f"cannot be read by their offsets: recompress it record by record (warcio recompress "
        f"{whole} OUT.warc.gz) and give that file to --from"
    )
    assert not (data / "runs").exists()
    read = reextract(ROOT, data, "--from", str(per_record))
    assert read.returncode == 0, read.stderr[-3000:]
    assert stored_urls(data) == {ROOT + ARTICLES[0].path, ROOT + ARTICLES[1].path}


def test_junk_that_is_quarantined_leaves_no_capture_rows(tmp_path: Path) -> None:
    fixture = ARTICLES[1]
    body = fixture.html()
    expected = fixture.expected() or {}
    junk = body.replace(str(expected["title"]).encode(), b"")  # no title: quarantined
    warc = tmp_path / "junk.warc.gz"
    write_warc(warc, [(canonical(1), junk, []), article(0)])
    done = reextract(ROOT, tmp_path / "data", "--from", str(warc))
    assert count(tmp_path / "data", "captures") == len(stored_urls(tmp_path / "data"))
    assert count(tmp_path / "data", "quarantine") + len(stored_urls(tmp_path / "data")) == 2, (
        json.dumps(done.stderr[-2000:])
    )
