"""CSV cells for spreadsheets, Scrapy's CSV exporter for ``-O``, and the data dictionary."""

import csv
import io
import json

from mayadeen import datadict
from mayadeen.exporters import CsvItemExporter, FeedWriter
from mayadeen.items import FIELD_NAMES
from tests.conftest import ROOT
from tests.pipeline_helpers import changed, fixture_items

ITEM = fixture_items()["news-technology-tweets"]
HOSTILE = changed(ITEM, title='=HYPERLINK("http://x")', summary="+1", source="@home", tags=["-x"])


def test_scrapy_csv_exporter_writes_lists_as_json_and_neutralises_formulas() -> None:
    out = io.BytesIO()
    exporter = CsvItemExporter(out)
    exporter.start_exporting()
    exporter.export_item(HOSTILE)
    exporter.finish_exporting()
    (row,) = csv.DictReader(io.StringIO(out.getvalue().decode("utf-8")))
    assert list(row) == list(FIELD_NAMES)
    assert row["title"] == '\'=HYPERLINK("http://x")'
    assert (row["summary"], row["source"]) == ("'+1", "'@home")
    assert json.loads(row["tags"]) == ["-x"], "a JSON cell starts with [, needs no quote"
    assert json.loads(row["related_urls"]) == ITEM.related_urls
    assert row["word_count"] == str(ITEM.word_count)
    assert row["body"] == ITEM.body


def test_feed_writer_csv_and_jsonl_agree() -> None:
    text, lines = io.StringIO(), io.StringIO()
    FeedWriter(text, "csv").write(HOSTILE)
    FeedWriter(lines, "jsonl").write(HOSTILE)
    (row,) = csv.DictReader(io.StringIO(text.getvalue()))
    (record,) = [json.loads(line) for line in lines.getvalue().splitlines()]
    assert record["title"] == HOSTILE.title, "JSON keeps the text as is"
    assert row["title"] == "'" + record["title"]
    assert json.loads(row["authors"]) == record["authors"]
    assert row["coverage"] == ""
    assert record["coverage"] is None


def test_the_data_dictionary_is_current() -> None:
    committed = (ROOT / "docs" / "data-dictionary.md").read_text("utf-8")
    assert committed == datadict.render(), "run: python -m mayadeen.datadict"
