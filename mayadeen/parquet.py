"""Articles as Parquet (pyarrow, the optional extra ``parquet``): ``scrapy export -o a.parquet``,
the per-run feed ``MAYADEEN_FEED_FORMAT=parquet`` and Scrapy's ``-O items.parquet``.

Every field of the item in contract order, typed: list fields as lists of strings, counts as
integers, text as strings. Each column's ``description`` (field metadata) is its field's
docstring as plain text, the data dictionary's; the schema's metadata names the item's JSON Schema
(``mayadeen.schema_id``: ``itemschema.SCHEMA_ID``) and describes the table; zstd-compressed. Each
time (``published_at``, ``modified_at``, ``crawled_at``) stays the contract's ISO text with its
offset, and beside it ``<name>_utc`` holds the same instant as a UTC timestamp, so neither the
page's offset nor typed filtering is lost (readers that normalise offsets, as DuckDB does, read
the text column as it is).

Parquet's footer is written last: a file is readable once ``finish_exporting`` has run, and a
per-run feed stays ``.partial`` until then. Rows are written in row groups of ``ROW_GROUP_SIZE``
as items come, so memory stays bounded for a store of any size.
"""

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import IO, Any, Final

import pyarrow as pa
import pyarrow.parquet as pq
from itemadapter import ItemAdapter
from scrapy.exporters import BaseItemExporter

from mayadeen.items import (
    FIELD_NAMES,
    ITEM_FIELDS,
    LIST_FIELDS,
    TIME_FIELDS,
    ArticleItem,
    plain_field_docs,
    plain_text,
)
from mayadeen.itemschema import SCHEMA_ID
from mayadeen.store.schema import sql_type

ROW_GROUP_SIZE: Final = 2000
"""Rows per row group: a few MiB of article text, written as one piece."""
COMPRESSION: Final = "zstd"
"""At pyarrow's default level: smaller than its default snappy by 18% on the fixtures' 25 real
articles and 35% on the generated site's 2,000 (``bench/parquet_size.py``), as fast to write, and
read by every Parquet reader (DuckDB, polars, pandas, Spark)."""
SCHEMA_ID_KEY: Final = b"mayadeen.schema_id"
"""The schema metadata key naming the item's JSON Schema (``itemschema.SCHEMA_ID``)."""

UTC_SUFFIX: Final = "_utc"

_ARROW_TYPES: Final = {"INTEGER": pa.int64(), "REAL": pa.float64(), "TEXT": pa.string()}
UTC_TIMESTAMP: Final = pa.timestamp("us", tz="UTC")


def utc_instant(text: Any) -> datetime | None:
    """The UTC instant an ISO time with an offset names; None for a null, or a text that is not
    such a time (without an offset it names no instant).

    >>> utc_instant("2022-02-24T14:05:00+02:00")
    datetime.datetime(2022, 2, 24, 12, 5, tzinfo=datetime.timezone.utc)
    >>> utc_instant(None), utc_instant("yesterday"), utc_instant("2022-02-24T14:05:00")
    (None, None, None)
    """
    if not isinstance(text, str):
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment.astimezone(UTC) if moment.tzinfo is not None else None


def arrow_schema(names: Iterable[str] = FIELD_NAMES) -> pa.Schema:
    """The Parquet columns of ``names`` (item fields), each time followed by its UTC column.

    >>> arrow_schema(["url", "tags", "word_count", "published_at"]).names
    ['url', 'tags', 'word_count', 'published_at', 'published_at_utc']
    """
    types = {item_field.name: item_field.type for item_field in ITEM_FIELDS}
    docs = plain_field_docs()
    columns = []
    for name in names:
        described = {b"description": docs[name].encode()} if name in docs else None
        listed = name in LIST_FIELDS
        kind = pa.list_(pa.string()) if listed else _ARROW_TYPES[sql_type(types.get(name, str))]
        columns.append(pa.field(name, kind, metadata=described))
        if name in TIME_FIELDS:
            utc = f"The same instant as {name}, as a UTC timestamp."
            columns.append(
                pa.field(name + UTC_SUFFIX, UTC_TIMESTAMP, metadata={b"description": utc})
            )
    about = plain_text(ArticleItem.__doc__ or "")
    return pa.schema(columns, metadata={b"description": about, SCHEMA_ID_KEY: SCHEMA_ID})


def parquet_row(item: Any, names: Iterable[str]) -> dict[str, Any]:
    """An item's values for ``arrow_schema(names)``.

    >>> row = parquet_row({"tags": None, "crawled_at": "2026-11-21T12:00:00+02:00"},
    ...                   ["tags", "crawled_at"])
    >>> row["tags"], row["crawled_at"], row["crawled_at_utc"].isoformat()
    ([], '2026-11-21T12:00:00+02:00', '2026-11-21T10:00:00+00:00')
    """
    adapter = ItemAdapter(item)
    row: dict[str, Any] = {}
    for name in names:
        value = adapter.get(name)
        row[name] = list(value or ()) if name in LIST_FIELDS else value
        if name in TIME_FIELDS:
            row[name + UTC_SUFFIX] = utc_instant(value)
    return row


class _Counted:
    """A binary stream seen through a position count: Parquet's writer asks where it is, which a
    pipe (``scrapy export --format parquet | ...``) or an unbuffered feed file cannot always
    answer."""

    def __init__(self, stream: IO[bytes]) -> None:
        self.stream = stream
        self.position = 0
        self.closed = False

    def write(self, data: bytes) -> int:
        self.stream.write(data)
        self.position += len(data)
        return len(data)

    def tell(self) -> int:
        return self.position

    def flush(self) -> None:
        self.stream.flush()

    def close(self) -> None:
        self.closed = True  # the stream is its owner's to close

    def writable(self) -> bool:
        return True


class ParquetItemExporter(BaseItemExporter):
    """A Scrapy item exporter writing Parquet to a binary stream (``FEED_EXPORTERS``); a feed's
    ``item_export_kwargs`` may name another ``compression`` pyarrow knows (``snappy``, ``none``)."""

    def __init__(self, file: IO[bytes], *, compression: str = COMPRESSION, **kwargs: Any) -> None:
        super().__init__(dont_fail=True, **kwargs)
        self.compression = compression
        self.names = tuple(self.fields_to_export or FIELD_NAMES)
        self.schema = arrow_schema(self.names)
        self.sink = _Counted(file)
        self.rows: list[dict[str, Any]] = []
        self.writer: pq.ParquetWriter | None = None

    def export_item(self, item: Any) -> None:
        self.rows.append(parquet_row(item, self.names))
        if len(self.rows) >= ROW_GROUP_SIZE:
            self._write_rows()

    def finish_exporting(self) -> None:
        self._write_rows()
        if self.writer is None:  # nothing exported: a file with the columns and no rows
            self.writer = self._new_writer()
        self.writer.close()
        self.sink.flush()

    def _new_writer(self) -> pq.ParquetWriter:
        return pq.ParquetWriter(
            pa.PythonFile(self.sink, mode="w"), self.schema, compression=self.compression
        )

    def _write_rows(self) -> None:
        if not self.rows:
            return
        if self.writer is None:
            self.writer = self._new_writer()
        self.writer.write_table(pa.Table.from_pylist(self.rows, schema=self.schema))
        self.rows = []
