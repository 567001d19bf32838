"""Benchmark of the Parquet exporter's size: the same table written with pyarrow's default snappy
(what ``mayadeen.parquet`` wrote before) and with zstd (``COMPRESSION``), at its default level.

Prints figures; asserts nothing. Two tables: the loopback fixtures' articles (pages rebuilt from
the real site: real text, each once) and the generated site's ``N`` articles.
Usage: ``python bench/parquet_size.py [N]`` (default 2000, one row group).
"""

import io
import sys
from typing import Any

from harness import load  # noqa: F401  (puts the checkout on sys.path for tests/)

from mayadeen.loopback import GeneratedSite
from mayadeen.parquet import ParquetItemExporter
from tests.helpers.pipeline import fixture_items, generated_items


def written(items: list[Any], compression: str) -> int:
    """Bytes of ``items`` written by the exporter with ``compression``."""
    out = io.BytesIO()
    exporter = ParquetItemExporter(out, compression=compression)
    exporter.start_exporting()
    for item in items:
        exporter.export_item(item)
    exporter.finish_exporting()
    return len(out.getvalue())


def report(name: str, items: list[Any]) -> None:
    snappy, zstd = written(items, "snappy"), written(items, "zstd")
    print(
        f"{name}: {len(items)} rows, snappy {snappy:,} bytes, zstd {zstd:,} bytes "
        f"({1 - zstd / snappy:.0%} smaller)"
    )


def main(argv: list[str]) -> None:
    n = int(argv[0]) if argv else 2000
    fixtures = list(fixture_items().values())
    report("fixture articles", fixtures)
    report("generated site", generated_items(GeneratedSite(n, seed=11)))


if __name__ == "__main__":
    main(sys.argv[1:])
