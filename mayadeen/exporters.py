"""Writing articles out with Scrapy's item exporters, the format chosen by the file name.

``CsvItemExporter`` is Scrapy's CSV exporter made to follow the contract (cells safe for
spreadsheets, list fields as JSON text); ``FEED_EXPORTERS`` points Scrapy's own feeds
(``-O file.csv``) at it, and at ``ParquetItemExporter`` (``mayadeen/parquet.py``, with pyarrow)
for ``.parquet``. ``EXPORT_FORMATS`` is the one table of output formats, each named as its
file extension; ``format_for`` reads the format from a file name and ``exporting`` writes one.
Used by ``scrapy export``.
"""

import gzip
import importlib.util
import os
from collections.abc import Callable, Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from io import BytesIO
from operator import attrgetter
from pathlib import Path
from typing import IO, Any, Final, cast

from scrapy.exporters import BaseItemExporter, JsonItemExporter
from scrapy.exporters import CsvItemExporter as ScrapyCsvItemExporter
from scrapy.exporters import JsonLinesItemExporter as ScrapyJsonLinesItemExporter
from scrapy.item import Field
from scrapy.utils.python import to_bytes

from mayadeen.items import FIELD_NAMES, ITEM_FIELDS, ArticleItem
from mayadeen.store.rows import to_json

FORMULA_STARTS: Final = (
    # What spreadsheets read as the start of a formula...
    *("=", "+", "-", "@"),
    # ...and their Unicode look-alikes, which some spreadsheets (and importers that normalise
    # text with NFKC) turn into the ASCII characters before reading the cell: full-width
    # = + - @ (U+FF1D U+FF0B U+FF0D U+FF20), the minus sign (U+2212) and small = + - @
    # (U+FE66 U+FE62 U+FE63 U+FE6B).
    *("\uff1d", "\uff0b", "\uff0d", "\uff20", "\u2212", "\ufe62", "\ufe63", "\ufe66", "\ufe6b"),
)


def spreadsheet_safe(text: str) -> str:
    """A CSV cell a spreadsheet will not run as a formula: a leading ``'`` before ``= + - @`` or
    one of their Unicode look-alikes (full-width ``＝``, the minus sign ``−``, small ``﹢``...).

    >>> spreadsheet_safe("=HYPERLINK(\\"x\\")"), spreadsheet_safe("-5"), spreadsheet_safe("ok")
    ('\\'=HYPERLINK("x")', "'-5", 'ok')
    >>> [spreadsheet_safe(c + "1+1") for c in "＝＋－＠−﹢﹣﹦﹫"]
    ["'＝1+1", "'＋1+1", "'－1+1", "'＠1+1", "'−1+1", "'﹢1+1", "'﹣1+1", "'﹦1+1", "'﹫1+1"]
    >>> spreadsheet_safe("a＝b")
    'a＝b'
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


_ARTICLE_VALUES: Final = attrgetter(*FIELD_NAMES)
_SERIALIZED: Final = any("serializer" in item_field.metadata for item_field in ITEM_FIELDS)
"""Whether a field of ``ArticleItem`` names its own serializer (none does)."""


def article_values(item: Any, fields_to_export: Any) -> tuple[Any, ...] | None:
    """An ``ArticleItem``'s values in ``FIELD_NAMES`` order when an exporter exports exactly those
    fields, as they are (``fields_to_export`` is ``FIELD_NAMES``, no field has a serializer);
    None for anything else. What Scrapy's ``get_serialized_fields`` gives then, without building
    an ``ItemAdapter`` and a field's metadata per value: the per-run feeds' fast path.

    >>> article_values(ArticleItem(url="u"), list(FIELD_NAMES))[:2], article_values({}, FIELD_NAMES)
    (('u', None), None)
    """
    if type(item) is not ArticleItem or _SERIALIZED or not _exports_all(fields_to_export):
        return None
    values: tuple[Any, ...] = _ARTICLE_VALUES(item)
    return values


def contract_columns(exporter: BaseItemExporter, item: Any) -> None:
    """An exporter told no columns exports an article's contract fields, not its provenance."""
    if exporter.fields_to_export is None and isinstance(item, ArticleItem):
        exporter.fields_to_export = list(FIELD_NAMES)


def _exports_all(fields_to_export: Any) -> bool:
    return isinstance(fields_to_export, list | tuple) and tuple(fields_to_export) == FIELD_NAMES


class JsonLinesItemExporter(ScrapyJsonLinesItemExporter):
    """Scrapy's JSON Lines exporter; an ``ArticleItem`` with every field to export is read
    straight from its attributes (``article_values``): the same line, for less CPU."""

    def export_item(self, item: Any) -> None:
        contract_columns(self, item)
        values = article_values(item, self.fields_to_export)
        if values is None:
            super().export_item(item)
            return
        data = self.encoder.encode(dict(zip(FIELD_NAMES, values, strict=True))) + "\n"
        self.file.write(to_bytes(data, self.encoding))


class CsvItemExporter(ScrapyCsvItemExporter):
    """Scrapy's CSV exporter (``-O file.csv``) with the contract's cells: list fields as JSON text
    instead of comma-joined, formulas neutralised; everything else as Scrapy does it. An
    ``ArticleItem`` with every field to export, once the header is written, is read straight
    from its attributes (``article_values``): the same row, for less CPU."""

    def export_item(self, item: Any) -> None:
        contract_columns(self, item)
        values = None if self._headers_not_written else article_values(item, self.fields_to_export)
        if values is None:
            super().export_item(item)
            return
        # Scrapy's row: each cell as serialize_field makes it.
        self.csv_writer.writerow([csv_cell(value) for value in values])

    def serialize_field(self, field: Mapping[str, Any] | Field, name: str, value: Any) -> Any:
        if "serializer" in field:
            return super().serialize_field(field, name, value)
        return csv_cell(value)

    def start_exporting(self) -> None:
        """Write the header row now when the columns are known (``fields_to_export``), so an
        export of nothing is a header-only file. Scrapy writes it with the first item, so an
        empty export would have no header; without known columns (``-O out.csv``) it still
        does, since only the first item tells them."""
        super().start_exporting()
        if self.fields_to_export and self._headers_not_written:
            # Scrapy's own header writer: it reads the item only to find columns, known here.
            self._write_headers_and_set_fields_to_export(None)
            self._headers_not_written = False  # Scrapy's flag: no second header with an item


def parquet_exporter(file: IO[bytes], **kwargs: Any) -> BaseItemExporter:
    """``mayadeen.parquet.ParquetItemExporter``, imported only when a Parquet file is written:
    pyarrow is an optional extra, and Scrapy imports every ``FEED_EXPORTERS`` entry when a crawl
    starts."""
    from mayadeen.parquet import ParquetItemExporter

    return ParquetItemExporter(file, **kwargs)


@dataclass(frozen=True)
class ExportFormat:
    """How an output format is written: Scrapy's exporter for it, and whether the exporter's
    bytes are gzip-compressed."""

    exporter: Callable[..., BaseItemExporter]
    gzip: bool = False
    library: str | None = None
    """A module the format needs that is an optional extra of the project (``extra``)."""
    extra: str | None = None

    def problem(self, name: str) -> str | None:
        """Why this format cannot be written here (its library is not installed), or None."""
        if self.library is None or importlib.util.find_spec(self.library) is not None:
            return None
        return f"{name} needs {self.library}: pip install 'mayadeen[{self.extra}]'"


EXPORT_FORMATS: Final[Mapping[str, ExportFormat]] = {
    "csv": ExportFormat(CsvItemExporter),
    "jsonl": ExportFormat(JsonLinesItemExporter),
    "json": ExportFormat(JsonItemExporter),
    "jsonl.gz": ExportFormat(JsonLinesItemExporter, gzip=True),
    "parquet": ExportFormat(parquet_exporter, library="pyarrow", extra="parquet"),
}
"""The output formats by name; a name is also the extension of the files written in it."""

_BY_LENGTH: Final = sorted(EXPORT_FORMATS, key=len, reverse=True)
"""Longest first, so a longer extension wins over one it ends with."""


def format_for(path: str | os.PathLike[str]) -> str | None:
    """The output format a file name asks for by its extension (any case), or None.

    >>> [format_for(n) for n in ("a.csv", "b.JSONL", "c.json", "d.Jsonl.GZ", "e.xml", "csv")]
    ['csv', 'jsonl', 'json', 'jsonl.gz', None, None]
    """
    name = Path(path).name.lower()
    return next((fmt for fmt in _BY_LENGTH if name.endswith(f".{fmt}")), None)


@contextmanager
def exporting(
    stream: IO[bytes], file_format: str, fields: tuple[str, ...] = FIELD_NAMES
) -> Iterator[BaseItemExporter]:
    """A started exporter writing ``file_format`` (a key of ``EXPORT_FORMATS``) to ``stream``:
    every field of ``fields`` (the article's, ``FIELD_NAMES``, by default) in that order, UTF-8
    with non-ASCII text as is. It is finished when the block ends without an error; ``stream``
    is left open."""
    spec = EXPORT_FORMATS[file_format]
    with ExitStack() as stack:
        target: IO[bytes] | gzip.GzipFile = stream
        if spec.gzip:
            # No file name in the gzip header: stdout's would read "<stdout>".
            target = stack.enter_context(gzip.GzipFile(filename="", mode="wb", fileobj=stream))
        # Scrapy annotates the file as BytesIO; any binary stream is written the same way.
        exporter = spec.exporter(cast(BytesIO, target), fields_to_export=fields, encoding="utf-8")
        exporter.start_exporting()
        yield exporter
        exporter.finish_exporting()
