"""Writing articles out: CSV cells safe for spreadsheets with list fields as JSON text, JSON Lines,
and Scrapy's CSV exporter made to follow the same rules for ``-O file.csv``.

Used by the per-run feed, ``scrapy export`` and (through ``FEED_EXPORTERS``) Scrapy's own feeds.
"""

import csv
import json
from collections.abc import Mapping
from pathlib import Path
from typing import IO, Any, Final, Literal

from scrapy.exporters import CsvItemExporter as ScrapyCsvItemExporter
from scrapy.item import Field

from mayadeen.items import FIELD_NAMES
from mayadeen.store.rows import as_dict, to_json

FORMULA_STARTS: Final = ("=", "+", "-", "@")
Format = Literal["csv", "jsonl"]
FORMATS: Final[tuple[Format, ...]] = ("csv", "jsonl")
EXPORT_FORMATS: Final = {
    "csv": "csv",
    "jsonl": "jsonlines",
    "jsonl.gz": "jsonlines",
    "json": "json",
}
"""File extension → Scrapy's feed format; a ``.gz`` extension is gzip-compressed."""


def spreadsheet_safe(text: str) -> str:
    """A CSV cell a spreadsheet will not run as a formula: a leading ``'`` before ``= + - @``.

    >>> spreadsheet_safe("=HYPERLINK(\\"x\\")"), spreadsheet_safe("-5"), spreadsheet_safe("ok")
    ('\\'=HYPERLINK("x")', "'-5", 'ok')
    """
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_cell(value: Any) -> Any:
    """One item value as a CSV cell: lists as JSON text, text neutralised, null as empty.

    >>> csv_cell(["a", "=b"]), csv_cell("@home"), csv_cell(None), csv_cell(3)
    ('["a", "=b"]', "'@home", '', 3)
    """
    if value is None:
        return ""
    if isinstance(value, list | tuple | dict):
        value = to_json(value)
    if isinstance(value, str):
        return spreadsheet_safe(value)
    return value


class CsvItemExporter(ScrapyCsvItemExporter):
    """Scrapy's CSV exporter (``-O file.csv``) with the contract's cells: list fields as JSON text
    instead of comma-joined, formulas neutralised; everything else as Scrapy does it."""

    def serialize_field(self, field: Mapping[str, Any] | Field, name: str, value: Any) -> Any:
        if "serializer" in field:
            return super().serialize_field(field, name, value)
        return csv_cell(value)


class FeedWriter:
    """A file of articles in ``csv`` (header row, ``FIELD_NAMES`` columns) or ``jsonl``, each row
    written and flushed as it comes, so a crash keeps every row written before it."""

    def __init__(self, stream: IO[str], file_format: Format) -> None:
        if file_format not in FORMATS:
            raise ValueError(f"unknown feed format {file_format!r}: use one of {FORMATS}")
        self.stream = stream
        self.format = file_format
        self.count = 0
        self._csv = csv.writer(stream) if file_format == "csv" else None
        if self._csv is not None:
            self._csv.writerow(FIELD_NAMES)

    @classmethod
    def create(cls, path: Path, file_format: Format) -> "FeedWriter":
        path.parent.mkdir(parents=True, exist_ok=True)
        return cls(path.open("w", encoding="utf-8", newline=""), file_format)

    def write(self, item: Any, flush: bool = True) -> None:
        values = item if isinstance(item, dict) else as_dict(item)
        if self._csv is not None:
            self._csv.writerow([csv_cell(values.get(name)) for name in FIELD_NAMES])
        else:
            row = {name: values.get(name) for name in FIELD_NAMES}
            self.stream.write(json.dumps(row, ensure_ascii=False) + "\n")
        self.count += 1
        if flush:
            self.stream.flush()

    def close(self) -> None:
        self.stream.close()
