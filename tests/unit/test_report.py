"""The run report's parts without a crawl: choosing the baseline manifest, and the checks."""

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from mayadeen.report import health, manifest
from mayadeen.report.figures import fields
from mayadeen.report.health import Thresholds, run_checks
from mayadeen.report.health import coverage as coverage_check
from mayadeen.report.outcome import HEALTH_FAILURES, failure_reason

STATS: dict[str, Any] = {
    "start_time": datetime(2026, 11, 21, 10, 0, tzinfo=UTC),
    "item_scraped_count": 40,
    "mayadeen/items/new": 40,
    "mayadeen/pages/article": 40,
    "mayadeen/field/title/tawsiyat": 40,
    "mayadeen/field/image_url/meta": 10,
    "mayadeen/field/image_url/missing": 30,
    "mayadeen/discovery/sitemap/new": 40,
    "downloader/response_status_count/200": 45,
}


def write(directory: Path, run_id: str, article_pages: int, **more: Any) -> None:
    record = {"run_id": run_id, "pages": {"by_kind": {"article": article_pages}}, **more}
    manifest.write(directory / f"{run_id}.json", record)


def test_the_baselines_are_the_latest_earlier_runs_with_enough_pages(tmp_path: Path) -> None:
    write(tmp_path, "20261118T060000Z", 40)
    write(tmp_path, "20261119T060000Z", 50)
    write(tmp_path, "20261120T060000Z", 30)
    write(tmp_path, "20261120T120000Z", 3)  # a quiet run says too little
    (tmp_path / "20261120T180000Z.json").write_text("{ half a fi", encoding="utf-8")
    write(tmp_path, "20261121T060000Z", 80)  # this run itself, or a later one

    chosen = manifest.baselines(tmp_path, "20261121T060000Z", min_pages=20, count=2)
    assert [m["run_id"] for m in chosen] == ["20261120T060000Z", "20261119T060000Z"]
    assert manifest.baselines(tmp_path, "20261118T060000Z", min_pages=20) == []
    assert manifest.baselines(tmp_path / "none", "20261121T060000Z", min_pages=20) == []
    assert not list(tmp_path.glob("*.partial")), "writes leave no partial file behind"


def test_a_manifest_carries_the_figures_and_the_verdict(tmp_path: Path) -> None:
    checks = run_checks(STATS, {}, [], Thresholds())
    record = manifest.build(
        STATS,
        run_id="R",
        close_reason="finished",
        now=datetime(2026, 11, 21, 10, 1, 30, tzinfo=UTC),
        checks=checks,
        failure=None,
        outputs={"store": "data/articles.sqlite"},
    )
    path = tmp_path / "R.json"
    manifest.write(path, record)
    read = json.loads(path.read_text("utf-8"))
    assert read["duration_seconds"] == 90.0
    assert read["started_at"] == "2026-11-21T10:00:00+00:00"
    assert read["discovery"] == {"sitemap": {"new": 40}}
    assert read["pages"]["by_status"] == {"200": 45}
    assert read["articles"]["new"] == 40
    assert [c["status"] for c in read["health"]] == ["ok", "skipped", "ok", "ok"]


def test_coverage_compares_only_fields_both_runs_counted() -> None:
    now = fields(STATS)
    before = {"run_id": "B", "fields": {"title": {"sources": {"dom": 30}, "coverage": 1.0}}}
    assert [c.status for c in run_checks(STATS, now, [before], Thresholds())][1] == "ok"
    before["fields"]["image_url"] = {"sources": {"meta": 30}, "coverage": 1.0}
    coverage = run_checks(STATS, now, [before], Thresholds())[1]
    assert coverage.status == "failed"
    assert "image_url from 100% to 25%" in coverage.detail
    lenient = Thresholds(max_coverage_drop=0.8)
    assert run_checks(STATS, now, [before], lenient)[1].status == "ok"


def test_one_earlier_run_of_unfair_pages_is_no_alarm_a_field_below_every_run_is() -> None:
    """A ``max_articles`` run takes the first articles discovery finds: its field shares are no
    fair sample, and a healthy full run after it must not fail for differing from it alone."""

    def run(run_id: str, found: int, pages: int) -> dict[str, object]:
        share = {"sources": {"dom": found, "missing": pages - found}, "coverage": found / pages}
        return {"run_id": run_id, "fields": {"source": share}}

    now = run("now", 195, 300)["fields"]  # 65%
    unfair, fair = run("R3", 106, 120), run("R2", 190, 300)  # 88% on 120 pages, 63%
    assert isinstance(now, dict)
    assert coverage_check(now, [unfair], Thresholds()).status == "failed", "one run: as before"
    assert coverage_check(now, [unfair, fair, run("R1", 200, 300)], Thresholds()).status == "ok"
    drifted = run("later", 0, 300)["fields"]
    assert isinstance(drifted, dict)
    check = coverage_check(drifted, [unfair, fair, run("R1", 200, 300)], Thresholds())
    assert check.status == "failed", "a field the markup stopped giving falls below every run"


def test_the_exit_verdict_follows_the_recorded_checks() -> None:
    finished = {"finish_reason": "finished", "item_scraped_count": 5}
    assert failure_reason(finished | {HEALTH_FAILURES: []}) is None
    assert failure_reason(finished | {HEALTH_FAILURES: ["x fell"]}) == "x fell"
    # A stop for blocks is the reason, whatever the checks said.
    blocked = {"finish_reason": "blocked", "mayadeen/blocks/total": 5, HEALTH_FAILURES: ["x"]}
    assert failure_reason(blocked) == (
        "stopped because the site blocked the crawl (5 blocked responses); 0 articles stored"
    )


def test_no_minimum_of_pages_judges_a_run_of_no_item_without_dividing_by_zero() -> None:
    thresholds = Thresholds(min_pages=0)
    assert health.quarantine_share({}, thresholds).status == "skipped"
    empty = {"title": {"sources": {}, "coverage": 0.0}}
    before = {"run_id": "R1", "fields": {"title": {"sources": {}, "coverage": 1.0}}}
    assert health.coverage(empty, [before], thresholds).status == "ok"
