"""The store `scrapy export` is tested on (a few fixture articles, the first made hostile to
spreadsheets) and reading each export format back."""

import csv
import gzip
import io
import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from mayadeen.parquet import TIME_FIELDS
from mayadeen.store import Store, store_path
from tests.helpers.pipeline import changed, fixture_items

ITEMS = list(fixture_items().values())[:4]


HOSTILE = changed(ITEMS[0], title="=SUM(A1)", tags=["-x", "Zeinab Ḥ"], coverage=None)
"""A formula cell, non-ASCII text and a null, in place of the first fixture."""


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
