"""End to end: ``scrapy report`` on a store crawled three times from the loopback site (new
articles, a full re-crawl finding them unchanged, a blocked run that failed), rendered in headless
Chromium with the network cut off; the numbers its charts and table carry are checked against the
store and the run manifests.

One crawled data directory for the module (three short crawls of a small site), one report.
"""

import json
import os
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from mayadeen.addons import CHROMIUM
from mayadeen.loopback import GeneratedSite, LoopbackServer
from mayadeen.report.page import OTHER, TOP_SECTIONS
from tests.helpers.runs import crawl, run


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("report-data")
    with LoopbackServer(GeneratedSite(60, seed=5)) as server:
        assert crawl(server.root, directory, "-a", "max_articles=25").returncode == 0
        assert crawl(server.root, directory, "-a", "full=1").returncode == 0
        server.add_fault("/news/*=block")
        blocked = crawl(server.root, directory, "-a", "full=1", "-s", "MAYADEEN_BACKOFF_START=0.01")
        assert blocked.returncode == 1, blocked.stderr[-2000:]
    return directory


@pytest.fixture(scope="module")
def report(data_dir: Path) -> Path:
    output = data_dir / "out" / "report.html"
    done = run("scrapy", "report", "-o", str(output), env={"MAYADEEN_DATA_DIR": str(data_dir)})
    assert done.returncode == 0, done.stderr[-2000:]
    assert f"report: {output}" in done.stderr
    return output


@pytest.fixture(scope="module")
def rendered(report: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """What Chromium shows: every chart mark and table cell's numbers, a screenshot, a PDF."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the browser tests, but {CHROMIUM} is missing")
        pytest.skip(f"no Chromium at {CHROMIUM}")
    from playwright.sync_api import Route, sync_playwright

    fetched: list[str] = []

    def refuse(route: Route) -> None:
        fetched.append(route.request.url)
        route.abort()

    shots = tmp_path_factory.mktemp("shots")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM)
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        page.route(lambda url: not url.startswith("file:"), refuse)
        page.goto(report.as_uri())
        page.screenshot(path=shots / "report.png", full_page=True)
        marks = page.eval_on_selector_all(
            "svg[data-chart] rect[data-value]",
            "els => els.map(e => [e.closest('svg').dataset.chart, e.dataset.category,"
            " e.dataset.series, e.dataset.value, e.querySelector('title').textContent])",
        )
        cells = page.eval_on_selector_all(
            "td[data-figure]",
            "els => els.map(e => [e.dataset.run, e.dataset.figure, e.dataset.value])",
        )
        outcomes = page.eval_on_selector_all(
            "svg[data-chart=runs] g[data-outcome]",
            "els => els.map(e => [e.dataset.run, e.dataset.outcome])",
        )
        charts = page.eval_on_selector_all(
            "svg[data-chart]",
            "els => els.map(e => [e.dataset.chart, e.getBoundingClientRect().width])",
        )
        page.emulate_media(media="print")
        pdf = page.pdf(format="A4")
        browser.close()
    by_chart: dict[str, dict[tuple[str, str], str]] = {}
    for chart, category, series, value, title in marks:
        by_chart.setdefault(chart, {})[(category, series)] = value
        assert title.endswith(value if chart != "coverage" else ""), title
    return {
        "charts": by_chart,
        "cells": {(r, figure): value for r, figure, value in cells},
        "widths": dict(charts),
        "outcomes": dict(outcomes),
        "fetched": fetched,
        "png": (shots / "report.png").read_bytes(),
        "pdf": pdf,
    }


def _store(data_dir: Path) -> sqlite3.Connection:
    return sqlite3.connect(data_dir / "articles.sqlite")


def _manifests(data_dir: Path) -> dict[str, dict[str, Any]]:
    return {p.stem: json.loads(p.read_text("utf-8")) for p in (data_dir / "runs").glob("*.json")}


def test_the_report_is_one_file_that_fetches_nothing(
    report: Path, rendered: dict[str, Any]
) -> None:
    text = report.read_text("utf-8")
    assert rendered["fetched"] == []
    assert "<script" not in text
    assert " src=" not in text
    assert " href=" not in text
    assert set(rendered["widths"]) == {
        "runs",
        "per-day",
        "coverage",
        "tags",
        "authors",
        "breaking",
    }
    assert all(width > 100 for width in rendered["widths"].values())
    assert rendered["png"].startswith(b"\x89PNG")
    assert len(rendered["png"]) > 50_000, "a screenshot with charts in it"
    assert rendered["pdf"].startswith(b"%PDF"), "it prints"


def test_the_run_chart_and_table_match_the_store_and_the_manifests(
    data_dir: Path, rendered: dict[str, Any]
) -> None:
    runs = (
        _store(data_dir)
        .execute("SELECT run_id, items_new, items_updated, items_unchanged, quarantined FROM runs")
        .fetchall()
    )
    assert len(runs) == 3
    expected = {
        (run_id, series): str(value)
        for run_id, *values in runs
        for series, value in zip(
            ("new", "updated", "unchanged", "quarantined"), values, strict=True
        )
        if value
    }
    assert rendered["charts"]["runs"] == expected
    assert any(key[1] == "unchanged" for key in expected), (
        "the full re-crawl found articles unchanged"
    )
    cells = rendered["cells"]
    manifests = _manifests(data_dir)
    assert len(manifests) == 3
    for run_id, manifest in manifests.items():
        assert cells[(run_id, "pages")] == str(manifest["pages"]["responses"])
        assert cells[(run_id, "blocks")] == str(manifest["blocks"])
        assert cells[(run_id, "duration")] == str(manifest["duration_seconds"])
        outcome = "failed" if manifest["outcome"]["failed"] else "success"
        assert cells[(run_id, "outcome")] == outcome
    blocked = max(manifests)
    assert manifests[blocked]["blocks"] > 0
    assert cells[(blocked, "outcome")] == "failed"
    assert rendered["outcomes"] == {blocked: "blocked"}, "the chart marks the blocked run"


def test_articles_per_day_by_section_match_the_store(
    data_dir: Path, rendered: dict[str, Any]
) -> None:
    store = _store(data_dir)
    ranked = [
        section
        for (section,) in store.execute(
            "SELECT coalesce(section, '(none)') FROM articles GROUP BY 1 ORDER BY count(*) DESC, 1"
        )
    ]
    assert len(ranked) > TOP_SECTIONS + 1, "more sections than the chart keeps apart"
    top = set(ranked[:TOP_SECTIONS])
    expected: dict[tuple[str, str], int] = {}
    for day, section, count in store.execute(
        "SELECT substr(published_at, 1, 10), coalesce(section, '(none)'), count(*) "
        "FROM articles GROUP BY 1, 2"
    ):
        key = (day, section if section in top else OTHER)
        expected[key] = expected.get(key, 0) + count
    shown = {key: str(count) for key, count in expected.items()}
    assert rendered["charts"]["per-day"] == shown, "a small site: every day is shown"


def test_field_coverage_per_run_matches_the_manifests(
    data_dir: Path, rendered: dict[str, Any]
) -> None:
    expected = {
        (run_id, name): "" if figures["coverage"] is None else str(figures["coverage"])
        for run_id, manifest in _manifests(data_dir).items()
        for name, figures in manifest["fields"].items()
    }
    assert expected, "the runs measured their fields"
    assert rendered["charts"]["coverage"] == expected


def test_top_tags_and_authors_match_the_store(data_dir: Path, rendered: dict[str, Any]) -> None:
    store = _store(data_dir)
    tags = store.execute(
        "SELECT tag, count(*) FROM article_tags GROUP BY tag COLLATE NOCASE ORDER BY 2 DESC, 1 LIMIT 15"
    ).fetchall()
    authors = store.execute(
        "SELECT value, count(*) FROM articles, json_each(authors) GROUP BY value "
        "ORDER BY 2 DESC, 1 LIMIT 15"
    ).fetchall()
    assert rendered["charts"]["tags"] == {(t, "articles"): str(n) for t, n in tags}
    assert rendered["charts"]["authors"] == {(a, "articles"): str(n) for a, n in authors}
    assert len(tags) == 15


def test_the_breaking_lines_per_day_match_the_store(
    data_dir: Path, rendered: dict[str, Any]
) -> None:
    lines = _store(data_dir).execute(
        "SELECT substr(first_seen_at, 1, 10), origin, count(*) FROM breaking GROUP BY 1, 2"
    )
    expected = {(day, origin): str(count) for day, origin, count in lines}
    assert expected, "the crawls read the loopback pages' ticker"
    assert rendered["charts"]["breaking"] == expected


def test_without_a_store_the_report_is_one_line(tmp_path: Path) -> None:
    done = run("scrapy", "report", env={"MAYADEEN_DATA_DIR": str(tmp_path)})
    assert done.returncode == 1
    assert (
        done.stderr.strip()
        == f"report: no store at {tmp_path / 'articles.sqlite'} (run a crawl first)"
    )
    assert not (tmp_path / "report.html").exists()
