"""``scrapy export -o DIR --format parquet --partition month``: a Hive-partitioned dataset that
DuckDB, polars and pandas each read as one table of the stored articles, written whole or not at
all, into a new or empty directory only; a usage error is one line and exit 2."""

import argparse
import os
from collections import Counter
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import polars as pl
import pyarrow.dataset
import pyarrow.parquet as pq
import pytest
from scrapy.settings import Settings

from mayadeen import parquet_dataset
from mayadeen.commands import export as export_command
from mayadeen.items import plain_field_docs
from mayadeen.itemschema import SCHEMA_ID
from mayadeen.parquet import arrow_schema
from mayadeen.parquet_dataset import export_dataset, month_of
from mayadeen.store import Store, store_path
from tests.helpers.pipeline import fixture_items

ITEMS = list(fixture_items().values())
COLUMNS = [*arrow_schema().names, "published_month"]
"""The files' columns, then the partition's, as each reader gives them."""


def stored(data_dir: Path) -> list[dict[str, Any]]:
    with Store.open(store_path(data_dir), readonly=True) as opened:
        return list(opened.articles())


def exported(data_dir: Path, target: Path) -> Counter[str]:
    with Store.open(store_path(data_dir), readonly=True) as opened:
        return export_dataset(opened.articles(), target)


def rows_by_url(records: list[dict[str, Any]]) -> dict[str, tuple[str, str, list[str]]]:
    """Each row's month, publication time and tags, by URL: what every reader must agree on."""
    return {r["url"]: (r["published_month"], r["published_at"], list(r["tags"])) for r in records}


def test_duckdb_polars_and_pandas_read_it_as_one_table(fixture_store: Path, tmp_path: Path) -> None:
    target = tmp_path / "dataset"
    articles = stored(fixture_store)
    months = exported(fixture_store, target)
    assert months == Counter(month_of(article) for article in articles)
    assert len(months) > 10, "the fixtures span many months"
    expected = {a["url"]: (a["published_at"][:7], a["published_at"], a["tags"]) for a in articles}
    files = str(target / "**" / "*.parquet")

    everything = "SELECT * FROM read_parquet($files, hive_partitioning = true)"
    relation = duckdb.sql(everything, params={"files": files})
    assert relation.columns == COLUMNS
    assert dict(zip(relation.columns, relation.types, strict=True))["published_month"] == "VARCHAR"
    assert rows_by_url(relation.df().to_dict("records")) == expected
    frame = pl.read_parquet(files, hive_partitioning=True)
    assert frame.columns == COLUMNS
    assert frame.schema["published_month"] == pl.String
    assert rows_by_url(frame.to_dicts()) == expected
    table = pd.read_parquet(target)
    assert list(table.columns) == COLUMNS
    assert rows_by_url(table.astype({"published_month": str}).to_dict("records")) == expected
    assert str(table["published_at_utc"].dtype) == "datetime64[us, UTC]"


def test_a_month_is_read_from_its_own_files_only(fixture_store: Path, tmp_path: Path) -> None:
    target = tmp_path / "dataset"
    exported(fixture_store, target)
    february = sorted(i.url for i in ITEMS if i.published_at and i.published_at[:7] == "2022-02")
    assert len(february) > 1
    query = (
        "SELECT url, filename FROM read_parquet($files, hive_partitioning = true) "
        "WHERE published_month = '2022-02'"
    )
    found = duckdb.sql(query, params={"files": str(target / "**" / "*.parquet")}).fetchall()
    assert sorted(url for url, _ in found) == february
    assert {Path(name).parent.name for _, name in found} == {"published_month=2022-02"}
    lazy = pl.scan_parquet(target, hive_partitioning=True)
    assert sorted(lazy.filter(pl.col("published_month") == "2022-02").collect()["url"]) == february


def test_every_file_is_described_zstd_and_names_the_schema(
    fixture_store: Path, tmp_path: Path
) -> None:
    target = tmp_path / "dataset"
    exported(fixture_store, target)
    files = sorted(target.glob("published_month=*/*.parquet"))
    assert files
    assert {path.name for path in files} == {"part-0.parquet"}
    for path in files:
        schema = pq.read_schema(path)
        assert schema.metadata[b"mayadeen.schema_id"] == SCHEMA_ID.encode()
        assert schema.field("body").metadata[b"description"].decode() == plain_field_docs()["body"]
        assert pq.ParquetFile(path).metadata.row_group(0).column(0).compression == "ZSTD"
        assert "published_month" not in schema.names, "the month is in the path, as Hive's is"


def test_a_month_met_again_gets_a_file_of_its_own(tmp_path: Path) -> None:
    """Articles out of order (not as the store gives them): nothing is overwritten."""
    items = [item for item in ITEMS if item.published_at and item.published_at[:4] == "2022"][:3]
    first, second, third = (dict(vars(item)) for item in items)
    months = export_dataset([first, second, third, first], tmp_path / "dataset")
    assert sum(months.values()) == 4
    parts = sorted(str(p.relative_to(tmp_path / "dataset")) for p in tmp_path.glob("dataset/*/*"))
    month = month_of(first)
    assert f"published_month={month}/part-1.parquet" in parts
    frame = pl.read_parquet(tmp_path / "dataset" / "**" / "*.parquet", hive_partitioning=True)
    assert sorted(frame["url"]) == sorted(item["url"] for item in [first, second, third, first])


def test_nothing_to_export_is_an_empty_directory(fixture_store: Path, tmp_path: Path) -> None:
    with Store.open(store_path(fixture_store), readonly=True) as opened:
        months = export_dataset(opened.articles(changed_since="2999-01-01"), tmp_path / "dataset")
    assert months == Counter()
    assert list((tmp_path / "dataset").iterdir()) == []


@pytest.mark.parametrize("existing", [False, True], ids=["absent", "empty"])
def test_a_failed_export_leaves_no_directory_and_no_partial_one(
    fixture_store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, existing: bool
) -> None:
    target = tmp_path / "out" / "dataset"
    target.parent.mkdir()
    if existing:
        target.mkdir()
    written = 0

    def full_disk_after_ten(self: Any, item: Any) -> None:
        nonlocal written
        written += 1
        if written > 10:
            raise OSError(28, "No space left on device")
        real(self, item)

    real = parquet_dataset.ParquetItemExporter.export_item
    monkeypatch.setattr(parquet_dataset.ParquetItemExporter, "export_item", full_disk_after_ten)
    with pytest.raises(OSError, match="No space left"):
        exported(fixture_store, target)
    assert [p.name for p in target.parent.iterdir()] == (["dataset"] if existing else [])
    assert not existing or list(target.iterdir()) == []


def test_the_directory_gets_an_ordinary_mode(fixture_store: Path, tmp_path: Path) -> None:
    exported(fixture_store, tmp_path / "dataset")
    mask = _umask()
    assert (tmp_path / "dataset").stat().st_mode & 0o777 == 0o777 & ~mask
    assert [p.name for p in tmp_path.iterdir() if "partial" in p.name] == []


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def command(data_dir: Path, *arguments: str) -> int:
    """``scrapy export ARGUMENTS`` run in this process, as scrapy.cmdline runs it once the options
    are parsed: its exit status."""
    cmd = export_command.Command()
    cmd.settings = Settings({"MAYADEEN_DATA_DIR": str(data_dir)})
    parser = argparse.ArgumentParser()
    cmd.add_options(parser)
    cmd.run([], parser.parse_args(list(arguments)))
    return cmd.exitcode


@pytest.mark.parametrize(
    ("arguments", "line"),
    [
        (["--partition", "month"], "--partition month writes a directory: name it with -o DIR"),
        (
            ["-o", "-", "--partition", "month"],
            "--partition month writes a directory: name it with -o DIR",
        ),
        (
            ["-o", "{tmp}/x", "--format", "csv", "--partition", "month"],
            "--partition month writes Parquet, not csv: use --format parquet",
        ),
        (
            ["-o", "{tmp}/occupied", "--partition", "month"],
            "{tmp}/occupied is not empty: name a new or empty directory (or remove it first)",
        ),
        (
            ["-o", "{tmp}/a.csv", "--format", "parquet", "--partition", "month"],
            "{tmp}/a.csv exists and is not a directory: name a new or empty directory "
            "(or remove it first)",
        ),
        (
            ["-o", "{data}/feeds/dataset", "--partition", "month"],
            "{data}/feeds/dataset is a file of the feeds ({data}/feeds); "
            "write the export to another directory",
        ),
        (
            ["-o", "{data}", "--partition", "month"],
            "{data} is the data directory ({data}); write the export to another directory",
        ),
    ],
    ids=["no-output", "stdout", "csv", "not-empty", "a-file", "feeds", "data-dir"],
)
def test_a_usage_error_is_one_line_naming_the_fix_and_writes_nothing(
    fixture_store: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    arguments: list[str],
    line: str,
) -> None:
    (tmp_path / "occupied").mkdir()
    (tmp_path / "occupied" / "notes.txt").write_text("mine")
    (tmp_path / "a.csv").write_text("mine")
    before = sorted(tmp_path.rglob("*"))
    places = {"tmp": str(tmp_path), "data": str(fixture_store)}
    status = command(fixture_store, *(argument.format(**places) for argument in arguments))
    assert status == 2
    assert capsys.readouterr().err.splitlines() == [f"export: {line.format(**places)}"]
    assert sorted(tmp_path.rglob("*")) == before


def test_the_command_writes_the_dataset_into_an_empty_directory(
    fixture_store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "dataset"
    target.mkdir()
    status = command(
        fixture_store, "-o", str(target), "--partition", "month", "--section", "Politics"
    )
    assert status == 0
    politics = [a for a in stored(fixture_store) if a["section"] == "Politics"]
    months = {a["published_at"][:7] for a in politics}
    line = f"export: {len(politics)} articles in {len(months)} months to {target}"
    assert capsys.readouterr().err.splitlines() == [line]
    frame = pl.read_parquet(target / "**" / "*.parquet", hive_partitioning=True)
    assert sorted(frame["url"]) == sorted(a["url"] for a in politics)
    assert frame.columns == COLUMNS


def test_an_article_without_a_publication_time_is_in_hive_null_partition(tmp_path: Path) -> None:
    """Unreachable from a crawl (validation requires ``published_at``), read as null all the
    same: by DuckDB and polars as they are, by pandas with the option the module names."""
    dated, undated = (dict(vars(item)) for item in ITEMS[:2])
    undated["published_at"] = None
    target = tmp_path / "dataset"
    assert export_dataset([dated, undated], target)[parquet_dataset.NULL_PARTITION] == 1
    month = dated["published_at"][:7]
    files = str(target / "**" / "*.parquet")
    months = "SELECT published_month FROM read_parquet($files, hive_partitioning = true)"
    assert sorted(duckdb.sql(months, params={"files": files}).fetchall(), key=str) == [
        (month,),
        (None,),
    ]
    assert pl.read_parquet(files, hive_partitioning=True)["published_month"].to_list() == [
        month,
        None,
    ]
    hive = pyarrow.dataset.partitioning(flavor="hive")
    read = pd.read_parquet(target, partitioning=hive)["published_month"]
    assert read.iloc[0] == month
    assert read.isna().tolist() == [False, True]
