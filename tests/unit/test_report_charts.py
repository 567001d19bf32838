"""What ``scrapy report``'s charts say, on a data directory written through the store's API and
run manifests as a crawl writes them: a blocked and a failed run are marked in the run chart, the
coverage grid follows a field's change and not its level, the axis is tight, and the per-day chart
keeps the top sections apart with the rest as "other". Asserted on the HTML and SVG produced."""

import json
from pathlib import Path

from parsel import Selector

from mayadeen.commands.report import write
from mayadeen.items import content_hash
from mayadeen.report import coverage, svg
from mayadeen.report.page import OTHER, TOP_SECTIONS
from mayadeen.store import Store
from tests.helpers.runs import ROOT

FIXTURE = ROOT / "mayadeen" / "loopback" / "fixtures"
SECTIONS = [f"Section {letter}" for letter in "ABCDEFGHIJ"]
"""Ten sections, Section A with most articles and Section J with fewest."""


def _items() -> list[dict[str, object]]:
    """Articles in ten sections: section i has 10 - i articles, published on two days."""
    base = json.loads(next(iter(sorted(FIXTURE.glob("[!i]*.expected.json")))).read_text("utf-8"))
    items = []
    for s, section in enumerate(SECTIONS):
        for n in range(len(SECTIONS) - s):
            day = 20 + n % 2
            item = {
                **base,
                "url": f"{base['url']}-{s}-{n}",
                "section": section,
                "title": f"Article {s} {n}",
                "published_at": f"2026-11-{day}T08:00:00+03:00",
                "crawled_at": "2026-11-28T10:00:00+00:00",
            }
            item["content_hash"] = content_hash(item["title"], item["body"])
            items.append(item)
    return items


def _fields(pages: int, **coverage: float) -> dict[str, dict[str, object]]:
    """A manifest's field figures: each field found on its share of ``pages``."""
    figures: dict[str, dict[str, object]] = {}
    for name, share in coverage.items():
        found = round(share * pages)
        figures[name] = {"sources": {"dom": found, "missing": pages - found}, "coverage": share}
    return figures


RUNS = [
    # run id, close reason, stored new, unchanged, failure, article pages, field coverage
    ("20261128T080000Z", "finished", 120, 0, None, 120, {"title": 1.0, "image": 0.98}),
    ("20261128T090000Z", "finished", 0, 300, None, 300, {"title": 1.0, "image": 0.97}),
    ("20261128T100000Z", "finished", 0, 250, "coverage: image fell", 250, {"image": 0.60}),
    ("20261128T110000Z", "finished", 0, 260, None, 260, {"image": 0.88}),
    ("20261128T120000Z", "blocked", 0, 0, "stopped because the site blocked the crawl", 2, {}),
    ("20261128T130000Z", "finished", 0, 12, None, 12, {"image": 0.5}),
]


def _data_dir(tmp_path: Path) -> Path:
    runs = tmp_path / "runs"
    runs.mkdir()
    with Store.open(tmp_path / "articles.sqlite") as store:
        for item in _items():
            store.put(item, "2026-11-28T08:00:01+00:00")
        store.commit()
        for run_id, reason, new, unchanged, failure, pages, shares in RUNS:
            store.claim_run(run_id, f"{run_id[:4]}-{run_id[4:6]}-{run_id[6:8]}T{run_id[9:11]}:00")
            counts = {"items_new": new, "items_unchanged": unchanged}
            store.finish_run(run_id, "2026-11-28T23:00:00+00:00", reason, counts)
            # "coverage" is steady and low in every run: a healthy field few articles have
            fields = _fields(pages, coverage=0.15, **shares) if shares else {}
            manifest = {
                "run_id": run_id,
                "close_reason": reason,
                "outcome": {"failed": failure is not None, "reason": failure},
                "pages": {"responses": pages, "by_kind": {"article": pages}},
                "blocks": 8 if reason == "blocked" else 0,
                "fields": fields,
            }
            (runs / f"{run_id}.json").write_text(json.dumps(manifest), "utf-8")
    return tmp_path


def _report(tmp_path: Path) -> Selector:
    data_dir = _data_dir(tmp_path)
    output = tmp_path / "report.html"
    write(data_dir, output, runs=30, days=30, top=15)
    return Selector(text=output.read_text("utf-8"))


def test_a_blocked_and_a_failed_run_are_marked_in_the_run_chart(tmp_path: Path) -> None:
    doc = _report(tmp_path)
    chart = doc.css('svg[data-chart="runs"]')
    marked = {g.attrib["data-run"]: g.attrib["data-outcome"] for g in chart.css("g[data-outcome]")}
    assert marked == {"20261128T100000Z": "failed", "20261128T120000Z": "blocked"}
    blocked = chart.css('g[data-run="20261128T120000Z"] path')
    assert blocked.attrib["fill"] == "url(#failed-hatch)", "hatched, not only coloured"
    assert chart.css("pattern#failed-hatch"), "the hatch is defined in the chart itself"
    words = chart.css("text[font-weight]::text").getall()
    assert words == ["failed", "blocked"], "each marked column carries its word"
    assert not chart.css('rect[data-category="20261128T120000Z"]'), "it stored nothing"
    assert "a failed run, hatched and labelled" in "".join(doc.css("#runs .legend ::text").getall())


def test_coverage_is_coloured_by_its_change_not_its_level(tmp_path: Path) -> None:
    doc = _report(tmp_path)
    cells = {
        (m.attrib["data-series"], m.attrib["data-category"]): m
        for m in doc.css('svg[data-chart="coverage"] rect')
    }
    trends = {key: cell.attrib.get("data-trend") for key, cell in cells.items()}
    # A field steady at 15% is not alarming, in any run after the first.
    assert trends[("coverage", "20261128T080000Z")] == "first"
    assert {trends[("coverage", run[0])] for run in RUNS[1:4]} == {"steady"}
    steady = coverage.STYLES["steady"].fill
    assert cells[("coverage", "20261128T110000Z")].attrib["fill"] == steady
    # The same level as a fall is alarming: image 98%, 97%, then 60% (the failed run).
    fell = cells[("image", "20261128T100000Z")]
    assert fell.attrib["data-trend"] == "fell"
    assert fell.attrib["fill"] == coverage.STYLES["fell"].fill
    assert "-37.5 points" in fell.css("title::text").get(""), "against the median, 97.5%"
    # The failed run is no baseline: 88% is judged against 98% and 97%, a fall of ~10 points.
    assert trends[("image", "20261128T110000Z")] == "falling"
    # A run of 12 article pages is too small to judge, however low its share.
    assert trends[("image", "20261128T130000Z")] == "few"
    texts = doc.css('svg[data-chart="coverage"] text::text').getall()
    assert "▼60" in texts, "the trend reads without colour too"
    assert "▽88" in texts
    assert "11-28 10:00:00 (failed)" in texts, "a failed run is named at its column"
    legend = "".join(doc.css("#coverage .legend ::text").getall())
    assert "fell more than 20 points" in legend
    assert "steady" in legend
    assert "coloured by its change" in "".join(doc.css("#coverage p ::text").getall())


def test_the_axis_ceiling_is_a_round_number_just_above_the_tallest_bar(tmp_path: Path) -> None:
    doc = _report(tmp_path)
    ticks = doc.css('svg[data-chart="runs"] text.tick::text').getall()
    assert ticks == ["0", "150", "300"], "300 unchanged: the axis ends at 300, not 500"
    tallest = doc.css('svg[data-chart="runs"] rect[data-value="300"]')
    assert float(tallest.attrib["height"]) == 166.0, "the tallest bar fills the plot"
    assert [svg.nice_ceiling(n) for n in (300, 301, 230, 48)] == [300, 350, 250, 50]


def test_the_top_sections_are_apart_and_the_rest_is_other(tmp_path: Path) -> None:
    doc = _report(tmp_path)
    marks = doc.css('svg[data-chart="per-day"] rect')
    series = {m.attrib["data-series"] for m in marks}
    assert series == {*SECTIONS[:TOP_SECTIONS], OTHER}
    others = sum(int(m.attrib["data-value"]) for m in marks if m.attrib["data-series"] == OTHER)
    assert others == sum(len(SECTIONS) - s for s in range(TOP_SECTIONS, len(SECTIONS)))
    fills = {m.attrib["data-series"]: m.attrib["fill"] for m in marks}
    assert len(set(fills.values())) == len(fills), "a colour per series"
    assert fills[OTHER] == svg.GREY
    assert set(fills.values()) - {svg.GREY} <= set(svg.PALETTE), "Okabe–Ito colours"
    legend = doc.css("#per-day .legend .key ::text").getall()
    assert legend == [*SECTIONS[:TOP_SECTIONS], OTHER], "most articles first, other last"
    text = "".join(doc.css("#per-day > p ::text").getall())
    assert "Section H, Section I, Section J" in text, "what other holds is said"
