"""``scrapy export -o DIR --format parquet --partition month``: the articles as a Hive-partitioned
Parquet dataset, a directory per publication month (``DIR/published_month=2022-02/part-0.parquet``),
which DuckDB (``read_parquet('DIR/**/*.parquet', hive_partitioning = true)``), polars
(``pl.read_parquet('DIR/**/*.parquet', hive_partitioning=True)``) and pandas or pyarrow
(``pd.read_parquet('DIR')``) read as one table with a ``published_month`` column.

The month is the page's own (the first seven characters of ``published_at``, in its offset, as
``--published-since`` reads the day), so a reader's filter on ``published_month`` skips the other
months' files. Each file is ``mayadeen.parquet``'s: typed, described, zstd. The directory is
written whole or not at all (``store.outputs.fill_whole``): a temporary directory beside ``DIR``,
renamed to it when complete.
"""

from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any, Final

from mayadeen.parquet import ParquetItemExporter
from mayadeen.store.outputs import fill_whole

PARTITION_COLUMN: Final = "published_month"
NULL_PARTITION: Final = "__HIVE_DEFAULT_PARTITION__"
"""Hive's name for a null partition value, for an article without a publication time (validation
requires one, so only a store filled by other means has it). DuckDB and polars read it as null;
pandas 3 on pyarrow 26, by default, cannot read a dataset holding it ("Cannot yet unify
dictionaries with nulls"); ``pd.read_parquet(DIR, partitioning=pyarrow.dataset.partitioning(
flavor="hive"))`` can, reading the month as text."""


def month_of(article: dict[str, Any]) -> str:
    """
    >>> month_of({"published_at": "2022-02-24T14:05:00+02:00"}), month_of({"published_at": None})
    ('2022-02', '__HIVE_DEFAULT_PARTITION__')
    """
    published = article.get("published_at")
    return published[:7] if isinstance(published, str) and len(published) >= 7 else NULL_PARTITION


class _MonthFiles:
    """One Parquet file open at a time, in the directory of its month. The articles come ordered
    by ``published_at`` text, so each month's come together; a month met again (an unordered
    input) gets a file of its own, ``part-1``, rather than a rewritten one."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.parts: Counter[str] = Counter()
        self.month: str | None = None
        self.stream: IO[bytes] | None = None
        self.exporter: ParquetItemExporter | None = None

    def exporter_for(self, month: str) -> ParquetItemExporter:
        if self.exporter is None or month != self.month:
            self.finish()
            partition = self.directory / f"{PARTITION_COLUMN}={month}"
            partition.mkdir(exist_ok=True)
            self.stream = (partition / f"part-{self.parts[month]}.parquet").open("wb")
            self.parts[month] += 1
            self.exporter = ParquetItemExporter(self.stream)
            self.exporter.start_exporting()
            self.month = month
        return self.exporter

    def finish(self) -> None:
        if self.exporter is not None and self.stream is not None:
            self.exporter.finish_exporting()
            self.stream.close()
        self.exporter = self.stream = None

    def close(self) -> None:
        """After a failure: the open file closed, unfinished (its directory is deleted)."""
        if self.stream is not None:
            self.stream.close()


def write_months(articles: Iterable[dict[str, Any]], directory: Path) -> Counter[str]:
    """Write ``articles`` into ``directory``, partitioned by month; the articles per month."""
    counts: Counter[str] = Counter()
    files = _MonthFiles(directory)
    try:
        for article in articles:
            month = month_of(article)
            files.exporter_for(month).export_item(article)
            counts[month] += 1
        files.finish()
    finally:
        files.close()
    return counts


def export_dataset(articles: Iterable[dict[str, Any]], target: Path) -> Counter[str]:
    """The dataset of ``articles`` at ``target`` (absent or an empty directory), complete or not
    at all; the articles per month."""
    return fill_whole(target, lambda directory: write_months(articles, directory))
