"""``scrapy export``: each format reads back the stored articles; the format comes from the file
name, and a name that gives none is a one-line error (the command run as a user runs it)."""

import csv
import gzip
import io
import json
from pathlib import Path
from typing import Any

import pytest

from mayadeen.commands.export import export
from mayadeen.exporters import EXPORT_FORMATS, csv_cell
from mayadeen.items import FIELD_NAMES
from mayadeen.store import Store, store_path
from tests.conftest import run
from tests.pipeline_helpers import CRAWLED_AT, changed, fixture_items

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


def read_back(data: bytes, file_format: str) -> list[dict[str, Any]]:
    """The records of an export, as its format's ordinary reader gives them."""
    if file_format == "csv":
        return list(csv.DictReader(io.StringIO(data.decode("utf-8"), newline="")))
    if file_format == "json":
        records: list[dict[str, Any]] = json.loads(data)
        return records
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
