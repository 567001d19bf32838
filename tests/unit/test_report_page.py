"""``scrapy report``'s figures and page on a store written through the store's own API (the
fixtures' expected articles, a quarantined item, a run still going, a manifest with quarantine
reasons and one that cannot be read): what the e2e crawl cannot easily provoke."""

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from parsel import Selector

from mayadeen.items import content_hash
from mayadeen.report import history, page
from mayadeen.store import Store
from tests.helpers.runs import ROOT

FIXTURES = ROOT / "mayadeen" / "loopback" / "fixtures"


def _articles() -> list[dict[str, object]]:
    items = []
    for path in sorted(FIXTURES.glob("*.expected.json")):
        if path.name.startswith("invalid-"):
            continue
        item = json.loads(path.read_text("utf-8"))
        item["crawled_at"] = "2026-11-28T10:00:00+00:00"
        item["content_hash"] = content_hash(item["title"], item["body"])
        items.append(item)
    return items


def _data_dir(tmp_path: Path) -> Path:
    items = _articles()
    with Store.open(tmp_path / "articles.sqlite") as store:
        store.claim_run("20261128T100000Z", "2026-11-28T10:00:00+00:00")
        for item in items:
            store.put(item, "2026-11-28T10:00:01+00:00")
        store.quarantine({"url": "u", "title": None}, ["missing:title"], "20261128T100000Z", "t")
        counts = {"items_new": len(items), "quarantined": 1}
        store.finish_run("20261128T100000Z", "2026-11-28T10:01:00+00:00", "finished", counts)
        store.claim_run("20261128T110000Z", "2026-11-28T11:00:00+00:00")  # still running
        store.claim_run("20261128T090000Z", "2026-11-28T09:00:00+00:00")
        store.finish_run("20261128T090000Z", "2026-11-28T09:00:09+00:00", "finished", {})
    runs = tmp_path / "runs"
    runs.mkdir()
    manifest = {
        "run_id": "20261128T100000Z",
        "duration_seconds": 60.0,
        "outcome": {"failed": True, "reason": "quarantine: 1 of 9 items quarantined"},
        "pages": {"responses": 12},
        "quarantine_reasons": {"missing:title": 1},
        "blocks": 0,
        "fields": {"title": {"coverage": 1.0}, "image_caption": {"coverage": 0.4}},
    }
    (runs / "20261128T100000Z.json").write_text(json.dumps(manifest), "utf-8")
    (runs / "20261128T090000Z.json").write_text("{not json", "utf-8")
    return tmp_path


def test_the_page_shows_the_store_and_manifest_figures(tmp_path: Path) -> None:
    data_dir = _data_dir(tmp_path)
    with Store.open(data_dir / "articles.sqlite", readonly=True) as store:
        figures = history.read(store.db, data_dir / "runs", last_runs=30, days=10_000, top=5)
    assert [run.outcome for run in figures.runs] == ["unknown", "failed", "running"]
    html = page.render(figures, data_dir=str(data_dir), generated_at=datetime.now(UTC))
    doc = Selector(text=html)
    cell = doc.css('td[data-run="20261128T100000Z"][data-figure="quarantined"]')
    assert cell.attrib["data-value"] == "1"
    assert cell.css("::text").get() == "1 (missing:title 1)"
    assert (
        doc.css('td[data-run="20261128T100000Z"][data-figure="pages"]').attrib["data-value"] == "12"
    )
    outcome = doc.css('td[data-run="20261128T100000Z"][data-figure="outcome"]')
    assert "quarantine: 1 of 9 items quarantined" in "".join(outcome.css("::text").getall())
    marks = {
        (m.attrib["data-category"], m.attrib["data-series"]): m.attrib["data-value"]
        for m in doc.css('svg[data-chart="runs"] rect')
    }
    assert marks == {
        ("20261128T100000Z", "new"): str(len(_articles())),
        ("20261128T100000Z", "quarantined"): "1",
    }
    coverage = {
        (m.attrib["data-category"], m.attrib["data-series"]): m.attrib["data-value"]
        for m in doc.css('svg[data-chart="coverage"] rect')
    }
    assert coverage == {
        ("20261128T100000Z", "title"): "1.0",
        ("20261128T100000Z", "image_caption"): "0.4",
    }
    assert len(doc.css('svg[data-chart="tags"] rect')) == 5
    assert doc.css('span[data-figure="articles"]::text').get() == str(len(_articles()))


def test_an_empty_store_gives_a_page_that_says_so(tmp_path: Path) -> None:
    with Store.open(tmp_path / "articles.sqlite") as store:
        figures = history.read(store.db, tmp_path / "runs", last_runs=30, days=30, top=15)
    html = page.render(figures, data_dir=str(tmp_path), generated_at=datetime.now(UTC))
    assert "No runs yet." in html
    assert "No articles stored." in html
    assert "<svg" not in html


def test_the_edits_section_counts_edits_their_delay_and_headline_changes(tmp_path: Path) -> None:
    data_dir = _data_dir(tmp_path)
    first, second = _articles()[:2]
    published = datetime.fromisoformat(str(first["published_at"]))
    soon = published.astimezone(UTC).replace(microsecond=0) + timedelta(minutes=30)
    with Store.open(data_dir / "articles.sqlite") as store:
        store.put({**first, "title": "A new headline"}, soon.isoformat())
        longer = {**second, "body": f"{second['body']}\n\nOne more paragraph of five words."}
        store.put(longer, "2026-11-29T10:00:00+00:00")
    with Store.open(data_dir / "articles.sqlite", readonly=True) as store:
        figures = history.read(store.db, data_dir / "runs", last_runs=30, days=10_000, top=5)
    doc = Selector(text=page.render(figures, data_dir="data", generated_at=datetime.now(UTC)))
    section = doc.css("section#edits")
    assert section.css('span[data-figure="edited"]::text').get() == "2"
    assert section.css('span[data-figure="edits"]::text').get() == "2"
    delays = {m.attrib["data-label"]: m.attrib["data-value"] for m in section.css("td[data-label]")}
    assert delays == {"within an hour": "1", "1 to 24 hours": "0", "1 to 7 days": "0", "later": "1"}
    largest = section.css("section#largest tr[data-url]")
    words = {
        row.attrib["data-url"]: row.css('td[data-figure="words"]::text').get() for row in largest
    }
    headline_words = len(str(first["title"]).split()) + 3  # "A new headline"
    assert words == {second["url"]: "6", first["url"]: str(headline_words)}
    assert list(words) == sorted(words, key=lambda url: -int(words[url] or 0)), "largest first"
    (headline,) = section.css("section#headlines tr[data-url]")
    assert headline.css('td[data-figure="old"]::text').get() == first["title"]
    assert headline.css('td[data-figure="new"]::text').get() == "A new headline"


def test_a_store_without_edits_says_so(tmp_path: Path) -> None:
    data_dir = _data_dir(tmp_path)
    with Store.open(data_dir / "articles.sqlite", readonly=True) as store:
        figures = history.read(store.db, data_dir / "runs", last_runs=30, days=10_000, top=5)
    html = page.render(figures, data_dir="data", generated_at=datetime.now(UTC))
    assert "No stored article has changed since it was stored." in html
