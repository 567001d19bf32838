"""CSV cells for spreadsheets, Scrapy's CSV exporter for ``-O`` and ``scrapy export``, and the
data dictionary."""

import csv
import io
import json

from scrapy.exporters import JsonLinesItemExporter

from mayadeen import datadict
from mayadeen.exporters import CsvItemExporter
from mayadeen.exporters import JsonLinesItemExporter as OurJsonLinesItemExporter
from mayadeen.items import FIELD_NAMES
from mayadeen.store.rows import as_dict
from tests.helpers.pipeline import changed, fixture_items
from tests.helpers.runs import ROOT

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


def test_csv_and_json_lines_exporters_agree_but_csv_neutralises_formulas() -> None:
    text, lines = io.BytesIO(), io.BytesIO()
    for exporter in (
        CsvItemExporter(text, fields_to_export=FIELD_NAMES, encoding="utf-8"),
        JsonLinesItemExporter(lines, fields_to_export=FIELD_NAMES, encoding="utf-8"),
    ):
        exporter.start_exporting()
        exporter.export_item(HOSTILE)
        exporter.finish_exporting()
    (row,) = csv.DictReader(io.StringIO(text.getvalue().decode("utf-8")))
    (record,) = [json.loads(line) for line in lines.getvalue().decode("utf-8").splitlines()]
    assert record["title"] == HOSTILE.title, "JSON keeps the text as is"
    assert row["title"] == "'" + record["title"]
    assert json.loads(row["authors"]) == record["authors"]
    assert row["coverage"] == ""
    assert record["coverage"] is None


def test_csv_header_comes_first_when_the_columns_are_known() -> None:
    header = ",".join(FIELD_NAMES) + "\r\n"
    empty, one = io.BytesIO(), io.BytesIO()
    for out, items in ((empty, []), (one, [HOSTILE])):
        exporter = CsvItemExporter(out, fields_to_export=FIELD_NAMES)
        exporter.start_exporting()
        for item in items:
            exporter.export_item(item)
        exporter.finish_exporting()
    assert empty.getvalue().decode("utf-8") == header, "an empty export is the header alone"
    text = one.getvalue().decode("utf-8")
    assert text.startswith(header)
    assert text.count(header) == 1, "not written again with the first item"
    assert len(list(csv.reader(io.StringIO(text)))) == 2


def test_csv_header_waits_for_the_first_item_when_the_columns_are_not_known() -> None:
    out = io.BytesIO()
    exporter = CsvItemExporter(out)
    exporter.start_exporting()
    assert out.getvalue() == b"", "as Scrapy's: the columns come from the first item"
    exporter.finish_exporting()


def test_the_data_dictionary_is_current() -> None:
    committed = (ROOT / "docs" / "data-dictionary.md").read_text("utf-8")
    assert committed == datadict.render(), "run: python -m mayadeen.datadict"


def test_the_article_fast_path_writes_the_bytes_scrapys_own_path_writes() -> None:
    """An ``ArticleItem`` is read straight from its attributes; the same values as a dict go
    through Scrapy's ``get_serialized_fields``: the lines and rows are the same bytes."""
    items = [*fixture_items().values(), HOSTILE, changed(ITEM, word_count=None, tags=[])]
    for exporter_class in (CsvItemExporter, OurJsonLinesItemExporter):
        fast, scrapys = io.BytesIO(), io.BytesIO()
        for out, rows in ((fast, items), (scrapys, [as_dict(item) for item in items])):
            exporter = exporter_class(out, fields_to_export=list(FIELD_NAMES), encoding="utf-8")
            exporter.start_exporting()
            for row in rows:
                exporter.export_item(row)
            exporter.finish_exporting()
        assert fast.getvalue() == scrapys.getvalue(), exporter_class.__name__
    plain = io.BytesIO()
    exporter = JsonLinesItemExporter(plain, fields_to_export=FIELD_NAMES, encoding="utf-8")
    for item in items:
        exporter.export_item(item)
    assert plain.getvalue() == fast.getvalue(), "as Scrapy's own JSON Lines exporter writes them"
