"""``scrapy export``'s writing, in process: each format reads back the stored articles, nothing
since is an empty file, CSV cells are neutralised, an output is replaced whole or not at all, and a
damaged store is one line."""

import gzip
import io
import json
import os
from pathlib import Path
from typing import IO

import pyarrow.parquet as pq
import pytest

from mayadeen.commands import export as export_command
from mayadeen.commands.export import export
from mayadeen.exporters import EXPORT_FORMATS, csv_cell
from mayadeen.items import FIELD_NAMES
from mayadeen.parquet import arrow_schema
from mayadeen.store import Store, store_path
from tests.helpers.exports import ITEMS, read_back, stored
from tests.helpers.pipeline import CRAWLED_AT, changed, fixture_items
from tests.helpers.runs import run


@pytest.mark.parametrize("file_format", list(EXPORT_FORMATS))
def test_every_format_reads_back_the_stored_articles(export_store: Path, file_format: str) -> None:
    out = io.BytesIO()
    assert export(store_path(export_store), out, file_format, None) == len(ITEMS)
    records = read_back(out.getvalue(), file_format)
    articles = stored(export_store)
    assert {article["url"] for article in articles} == {item.url for item in ITEMS}
    assert all(list(record) == list(FIELD_NAMES) for record in records)
    if file_format == "csv":  # text cells: lists as JSON, formulas neutralised, null empty
        articles = [{k: str(csv_cell(v)) for k, v in article.items()} for article in articles]
        assert "'=SUM(A1)" in {record["title"] for record in records}
    assert records == articles


def test_nothing_since_is_an_empty_file_of_each_format(export_store: Path) -> None:
    empty = {}
    for file_format in EXPORT_FORMATS:
        out = io.BytesIO()
        assert export(store_path(export_store), out, file_format, "2999-01-01") == 0
        empty[file_format] = out.getvalue()
    assert empty["csv"] == (",".join(FIELD_NAMES) + "\r\n").encode()
    assert (empty["jsonl"], empty["json"]) == (b"", b"[]")
    assert gzip.decompress(empty["jsonl.gz"]) == b""
    empty_table = pq.read_table(io.BytesIO(empty["parquet"]))
    assert (empty_table.num_rows, empty_table.schema.names) == (0, arrow_schema().names)


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


def test_a_failed_export_leaves_the_old_output_and_no_partial_file(
    export_store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    output = export_store / "out" / "articles.csv"
    output.parent.mkdir()
    output.write_bytes(b"the previous export\n")

    def half_then_full_disk(opened: Store, stream: IO[bytes], *args: object) -> int:
        stream.write(b"url,title\r\nhttps://a,half")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(export_command, "write_articles", half_then_full_disk)
    with pytest.raises(OSError, match="No space left"):
        export_command._to_file(store_path(export_store), output, "csv", None)
    assert output.read_bytes() == b"the previous export\n"
    assert sorted(p.name for p in output.parent.iterdir()) == ["articles.csv"]


def test_a_complete_export_replaces_the_output_with_an_ordinary_file_mode(
    export_store: Path,
) -> None:
    output = export_store / "articles.csv"
    output.write_bytes(b"old\n")
    export_command._to_file(store_path(export_store), output, "csv", None)
    assert [r["url"] for r in read_back(output.read_bytes(), "csv")] == [
        a["url"] for a in stored(export_store)
    ]
    assert output.stat().st_mode & 0o777 == 0o666 & ~_umask()
    assert sorted(p.name for p in export_store.iterdir() if "partial" in p.name) == []


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
