"""``scrapy export``: each format reads back the stored articles; the format comes from the file
name, and a name that gives none is a one-line error (the command run as a user runs it)."""

import csv
import gzip
import io
import json
import os
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO, Any

import pyarrow.parquet as pq
import pytest

from mayadeen.commands import export as export_command
from mayadeen.commands.export import export
from mayadeen.exporters import EXPORT_FORMATS, csv_cell
from mayadeen.items import FIELD_NAMES
from mayadeen.parquet import TIME_FIELDS, arrow_schema
from mayadeen.store import Store, store_path
from tests.helpers.pipeline import CRAWLED_AT, changed, fixture_items
from tests.helpers.runs import ROOT, run

ITEMS = list(fixture_items().values())[:4]
HOSTILE = changed(ITEMS[0], title="=SUM(A1)", tags=["-x", "Zeinab Ḥ"], coverage=None)
"""A formula cell, non-ASCII text and a null, in place of the first fixture."""


@pytest.fixture
def store(tmp_path: Path) -> Path:
    """A data directory whose store holds a few fixture articles."""
    with Store.open(store_path(tmp_path)) as opened:
        for item in [HOSTILE, *ITEMS[1:]]:
            opened.put(item, CRAWLED_AT)
    return tmp_path


def stored(data_dir: Path) -> list[dict[str, Any]]:
    with Store.open(store_path(data_dir), readonly=True) as opened:
        return list(opened.articles())


def without_utc_columns(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Parquet rows with each ``<time>_utc`` column checked against its text column, then left
    out: what remains is the item's fields, as the other formats have them."""
    for row in rows:
        for name in TIME_FIELDS:
            instant = row.pop(name + "_utc")
            if row[name] is None:
                assert instant is None
            else:
                assert instant == datetime.fromisoformat(row[name]), (name, row[name], instant)
                assert instant.utcoffset() == timedelta(0)
    return rows


def read_back(data: bytes, file_format: str) -> list[dict[str, Any]]:
    """The records of an export, as its format's ordinary reader gives them."""
    if file_format == "csv":
        return list(csv.DictReader(io.StringIO(data.decode("utf-8"), newline="")))
    if file_format == "json":
        records: list[dict[str, Any]] = json.loads(data)
        return records
    if file_format == "parquet":
        return without_utc_columns(pq.read_table(io.BytesIO(data)).to_pylist())
    if file_format == "jsonl.gz":
        data = gzip.decompress(data)
    return [json.loads(line) for line in data.decode("utf-8").splitlines()]


@pytest.mark.parametrize("file_format", list(EXPORT_FORMATS))
def test_every_format_reads_back_the_stored_articles(store: Path, file_format: str) -> None:
    out = io.BytesIO()
    assert export(store_path(store), out, file_format, None) == len(ITEMS)
    records = read_back(out.getvalue(), file_format)
    articles = stored(store)
    assert {article["url"] for article in articles} == {item.url for item in ITEMS}
    assert all(list(record) == list(FIELD_NAMES) for record in records)
    if file_format == "csv":  # text cells: lists as JSON, formulas neutralised, null empty
        articles = [{k: str(csv_cell(v)) for k, v in article.items()} for article in articles]
        assert "'=SUM(A1)" in {record["title"] for record in records}
    assert records == articles


def test_nothing_since_is_an_empty_file_of_each_format(store: Path) -> None:
    empty = {}
    for file_format in EXPORT_FORMATS:
        out = io.BytesIO()
        assert export(store_path(store), out, file_format, "2999-01-01") == 0
        empty[file_format] = out.getvalue()
    assert empty["csv"] == (",".join(FIELD_NAMES) + "\r\n").encode()
    assert (empty["jsonl"], empty["json"]) == (b"", b"[]")
    assert gzip.decompress(empty["jsonl.gz"]) == b""
    empty_table = pq.read_table(io.BytesIO(empty["parquet"]))
    assert (empty_table.num_rows, empty_table.schema.names) == (0, arrow_schema().names)


@pytest.mark.e2e
@pytest.mark.parametrize("name", ["x.xml", "x.txt", "x", "x.gz"])
def test_an_unknown_extension_is_a_one_line_error_and_no_file(store: Path, name: str) -> None:
    output = store / name
    done = run("scrapy", "export", "-o", str(output), env={"MAYADEEN_DATA_DIR": str(store)})
    assert done.returncode == 2
    (line,) = done.stderr.splitlines()
    assert str(output) in line
    assert all(word in line for word in (".csv", ".jsonl", ".json", ".jsonl.gz", "--format"))
    assert not output.exists()
    assert done.stdout == "", "never CSV under another name"


@pytest.mark.e2e
def test_an_upper_case_extension_picks_the_format(store: Path) -> None:
    output = store / "OUT.CSV"
    done = run("scrapy", "export", "-o", str(output), env={"MAYADEEN_DATA_DIR": str(store)})
    assert done.returncode == 0, done.stderr
    assert done.stderr.splitlines()[-1] == f"export: {len(ITEMS)} articles to {output}"
    rows = read_back(output.read_bytes(), "csv")
    assert [row["url"] for row in rows] == [article["url"] for article in stored(store)]


LOOK_ALIKES = "\uff1d\uff0b\uff0d\uff20\u2212\ufe62\ufe63\ufe66\ufe6b"
"""Full-width = + - @, the minus sign and small + - = @: formula starts once normalised."""


def test_unicode_look_alikes_of_formula_starts_are_neutralised_in_csv(tmp_path: Path) -> None:
    items = [
        changed(item, title=f"{char}SUM(A1)", tags=[f"{char}x"], summary="a\uff1db")
        for item, char in zip(fixture_items().values(), LOOK_ALIKES, strict=False)
    ]
    assert len(items) >= 4
    with Store.open(store_path(tmp_path)) as opened:
        for item in items:
            opened.put(item, CRAWLED_AT)
    out = io.BytesIO()
    assert export(store_path(tmp_path), out, "csv", None) == len(items)
    records = read_back(out.getvalue(), "csv")
    chars = {record["title"][1] for record in records}
    assert chars == set(LOOK_ALIKES[: len(items)])
    assert all(record["title"].startswith("'") for record in records)
    assert all(record["title"][2:] == "SUM(A1)" for record in records)
    assert all(record["summary"] == "a\uff1db" for record in records), "only a leading one"
    # A list cell is JSON text starting with "[": a look-alike inside it is no formula.
    assert all(json.loads(record["tags"])[0][1:] == "x" for record in records)


def store_files(data_dir: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(data_dir.glob("articles.sqlite*"))}


@pytest.mark.e2e
@pytest.mark.parametrize("spelling", ["absolute", "relative", "symlink", "wal", "shm", "no-format"])
def test_an_output_that_is_the_store_is_refused_and_the_store_kept(
    store: Path, spelling: str
) -> None:
    target = store_path(store)
    before = store_files(store)
    output = {
        "absolute": str(target),
        "relative": os.path.relpath(target, ROOT),  # the command runs in the checkout
        "symlink": str(store / "link.csv"),
        "wal": f"{target}-wal",
        "shm": f"{target}-shm",
        "no-format": str(target),  # refused for what it is, not for its extension
    }[spelling]
    if spelling == "symlink":
        (store / "link.csv").symlink_to(target)
    options = () if spelling == "no-format" else ("--format", "csv")
    done = run("scrapy", "export", "-o", output, *options, env={"MAYADEEN_DATA_DIR": str(store)})
    assert done.returncode == 2, done.stderr
    (line,) = done.stderr.splitlines()
    assert line == (
        f"export: {output} is the store ({target}) or one of its files; "
        "write the export to another file"
    )
    assert store_files(store) == before
    assert len(stored(store)) == len(ITEMS)
    assert not list(store.glob("*.partial"))
    assert not list(store.glob(".*.partial"))


@pytest.mark.e2e
@pytest.mark.parametrize(
    ("options", "file_format"), [((), "csv"), (("--format", "jsonl"), "jsonl")]
)
def test_dash_is_stdout(store: Path, options: tuple[str, ...], file_format: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "scrapy", "export", "-o", "-", *options],
        cwd=ROOT,
        capture_output=True,
        env={**os.environ, "MAYADEEN_DATA_DIR": str(store)},
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    records = read_back(done.stdout, file_format)
    assert [r["url"] for r in records] == [a["url"] for a in stored(store)]
    assert not (ROOT / "-").exists()
    assert not (store / "-").exists()


def test_a_failed_export_leaves_the_old_output_and_no_partial_file(
    store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    output = store / "out" / "articles.csv"
    output.parent.mkdir()
    output.write_bytes(b"the previous export\n")

    def half_then_full_disk(opened: Store, stream: IO[bytes], *args: object) -> int:
        stream.write(b"url,title\r\nhttps://a,half")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(export_command, "write_articles", half_then_full_disk)
    with pytest.raises(OSError, match="No space left"):
        export_command._to_file(store_path(store), output, "csv", None)
    assert output.read_bytes() == b"the previous export\n"
    assert sorted(p.name for p in output.parent.iterdir()) == ["articles.csv"]


def test_a_complete_export_replaces_the_output_with_an_ordinary_file_mode(store: Path) -> None:
    output = store / "articles.csv"
    output.write_bytes(b"old\n")
    export_command._to_file(store_path(store), output, "csv", None)
    assert [r["url"] for r in read_back(output.read_bytes(), "csv")] == [
        a["url"] for a in stored(store)
    ]
    assert output.stat().st_mode & 0o777 == 0o666 & ~_umask()
    assert sorted(p.name for p in store.iterdir() if "partial" in p.name) == []


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@pytest.mark.parametrize("to", ["-", "out.csv"])
def test_a_damaged_store_is_one_line_and_no_file(tmp_path: Path, to: str) -> None:
    damaged = store_path(tmp_path)
    damaged.write_bytes(b"these are not the pages of an SQLite database" * 100)
    done = run(
        "scrapy",
        "export",
        "-o",
        str(tmp_path / to) if to != "-" else to,
        env={"MAYADEEN_DATA_DIR": str(tmp_path)},
    )
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert (
        done.stderr.strip()
        .splitlines()[-1]
        .startswith(f"export: the store {damaged} is damaged (file is not a database): restore it")
    )
    assert done.stdout == ""
    assert sorted(p.name for p in tmp_path.iterdir()) == ["articles.sqlite"]


@pytest.mark.e2e
@pytest.mark.parametrize(
    ("arguments", "cause"),
    [
        (["--since", "notadate"], "'notadate' is not a date (YYYY-MM-DD)"),
        (["--format", "xml"], "invalid choice: 'xml'"),
    ],
)
def test_a_bad_argument_is_one_line_and_exit_2(
    store: Path, arguments: list[str], cause: str
) -> None:
    done = run("scrapy", "export", *arguments, env={"MAYADEEN_DATA_DIR": str(store)})
    assert done.returncode == 2
    (line,) = done.stderr.splitlines()
    assert line.startswith("scrapy export: error: ")
    assert cause in line
