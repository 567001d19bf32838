"""End to end: what a run tells its user (progress line, summary, run manifest) and the health
checks that make a finished run fail, through the real ``scrapy crawl articles``."""

import csv
import json
import sqlite3
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from mayadeen.loopback import GeneratedSite, LoopbackServer, load_fixtures
from mayadeen.loopback.catalog import Page
from tests.helpers.runs import crawl


def manifests(data_dir: Path) -> list[dict[str, Any]]:
    """Every run manifest of ``data_dir``, oldest first."""
    paths = sorted((data_dir / "runs").glob("*.json"))
    return [json.loads(path.read_text("utf-8")) for path in paths]


class RedesignableSite:
    """The generated site, which can be redesigned: the read-time element is renamed, so one
    field's selectors no longer match anything."""

    def __init__(self, inner: GeneratedSite) -> None:
        self.inner = inner
        self.redesigned = False

    def get(self, raw_path: str, query: str = "") -> Page | None:
        page = self.inner.get(raw_path, query)
        if not self.redesigned or page is None or b'class="read-time"' not in page.body:
            return page
        body = page.body.replace(b'class="read-time"', b'class="reading-duration"')
        return replace(page, body=body)


def test_a_run_reports_progress_a_summary_and_its_manifest(
    server: LoopbackServer, small_site: GeneratedSite, tmp_path: Path
) -> None:
    done = crawl(server.root, tmp_path, "-s", "LOGSTATS_INTERVAL=0.2")
    assert done.returncode == 0, done.stderr[-3000:]

    [manifest] = manifests(tmp_path)
    with sqlite3.connect(tmp_path / "articles.sqlite") as db:
        (rows,) = db.execute("SELECT count(*) FROM articles").fetchone()
    assert rows == len(small_site.articles) == manifest["articles"]["new"]
    assert manifest["articles"] | {"new": 0} == dict.fromkeys(manifest["articles"], 0)
    assert manifest["close_reason"] == "finished"
    assert manifest["outcome"] == {"failed": False, "reason": None, "exit_status": 0}
    assert {c["check"]: c["status"] for c in manifest["health"]} == {
        "articles": "ok",
        "coverage": "skipped",  # nothing earlier to compare with
        "quarantine": "ok",
        "losses": "ok",
    }
    assert manifest["owed"] == {
        "failed": 0,
        "not_found": 0,
        "gone": 0,
        "forbidden": 0,
        "settled": 0,
        "outstanding": 0,
        "reasons": {},
    }
    assert manifest["pages"]["by_kind"] == {"article": rows}
    assert manifest["pages"]["responses"] == manifest["pages"]["requests"] > rows
    assert set(manifest["discovery"]) == {"home", "section", "sitemap", "rss", "related"}
    new_by_source = sum(decisions.get("new", 0) for decisions in manifest["discovery"].values())
    assert new_by_source == rows, "each article was new to exactly one source"
    title = manifest["fields"]["title"]
    assert title["coverage"] == 1.0
    assert sum(title["sources"].values()) == rows
    assert manifest["duration_seconds"] > 0
    feed = Path(manifest["outputs"]["feed"])
    with feed.open(encoding="utf-8", newline="") as lines:
        assert len(list(csv.DictReader(lines))) == rows

    log = done.stderr
    assert "progress: 0 pages (0/min); articles 0 new" in log  # logged as the spider opens
    run_id = manifest["run_id"]
    assert f"run {run_id} finished in " in log
    assert f"articles {rows} new, 0 updated, 0 unchanged, 0 duplicates" in log
    assert "health: articles ok; coverage skipped; quarantine ok" in log
    assert f"outcome: success; manifest {tmp_path / 'runs' / run_id}.json" in log
    assert "Crawled 0 pages" not in log, "Scrapy's own stats line is replaced"


def test_a_field_whose_coverage_collapses_fails_the_run(
    small_site: GeneratedSite, tmp_path: Path
) -> None:
    site = RedesignableSite(small_site)
    with LoopbackServer(site) as server:
        first = crawl(server.root, tmp_path)
        assert first.returncode == 0, first.stderr[-3000:]
        site.redesigned = True
        second = crawl(server.root, tmp_path, "-a", "full=1")
        # The threshold is a setting: a user who accepts the drop gets a successful run.
        accepted = "MAYADEEN_HEALTH_MAX_COVERAGE_DROP=1"
        third = crawl(server.root, tmp_path, "-a", "full=1", "-s", accepted)

    assert second.returncode == 1
    before, after, _ = manifests(tmp_path)
    was = before["fields"]["read_time_minutes"]["coverage"]
    assert was > 0.9
    assert after["fields"]["read_time_minutes"]["coverage"] == 0
    coverage = next(check for check in after["health"] if check["check"] == "coverage")
    assert coverage["status"] == "failed"
    assert coverage["detail"] == (
        f"field coverage fell: read_time_minutes from {was:.0%} to 0% "
        f"(run {before['run_id']} as the baseline)"
    )
    assert after["outcome"] == {"failed": True, "reason": coverage["detail"], "exit_status": 1}
    assert f"ERROR: health check failed: coverage: {coverage['detail']}" in second.stderr
    assert f"run failed: {coverage['detail']}" in second.stderr
    # Stored all the same: the articles that had a read time changed, the others did not.
    had_read_time = before["fields"]["read_time_minutes"]["sources"]["dom"]
    assert after["articles"]["updated"] == had_read_time
    assert after["articles"]["unchanged"] == len(small_site.articles) - had_read_time
    assert third.returncode == 0, third.stderr[-3000:]


def test_a_run_of_other_sections_is_judged_on_its_sections_not_failed(
    server: LoopbackServer, tmp_path: Path
) -> None:
    """Only news pages state a source: a run of opinion and analysis pieces after a full crawl
    has none, which is no drift of the markup (``mayadeen.report.strata``)."""
    first = crawl(server.root, tmp_path)
    assert first.returncode == 0, first.stderr[-3000:]
    sections = "articles/opinion,articles/analysis"
    second = crawl(server.root, tmp_path, "-a", f"sections={sections}", "-a", "full=1")
    assert second.returncode == 0, second.stderr[-3000:]
    before, after = manifests(tmp_path)
    assert before["fields"]["source"]["coverage"] > 0.4
    assert after["fields"]["source"]["coverage"] == 0
    assert set(after["sections"]) == {"Opinion", "Analysis"}
    assert sum(s["pages"] for s in after["sections"].values()) >= 20, "enough pages to judge"
    coverage = next(check for check in after["health"] if check["check"] == "coverage")
    assert coverage["status"] == "ok"


@pytest.mark.parametrize(("limit", "exit_status"), [("0.05", 1), ("0.5", 0)])
def test_a_quarantine_share_above_the_limit_fails_the_run(
    fixture_server: LoopbackServer, tmp_path: Path, limit: str, exit_status: int
) -> None:
    fixtures = [f for f in load_fixtures() if f.kind in ("article", "invalid")]
    invalid = sum(f.kind == "invalid" for f in fixtures)
    urls = ",".join(f.path for f in fixtures)
    done = crawl(
        fixture_server.root,
        tmp_path,
        *("-a", f"urls={urls}", "-s", "MAYADEEN_HEALTH_MIN_PAGES=5"),
        *("-s", f"MAYADEEN_HEALTH_MAX_QUARANTINE_SHARE={limit}"),
    )

    assert done.returncode == exit_status, done.stderr[-3000:]
    [manifest] = manifests(tmp_path)
    share = invalid / len(fixtures)
    assert 0.05 < share < 0.5
    quarantine = next(check for check in manifest["health"] if check["check"] == "quarantine")
    limit_text = f"{float(limit):.0%} limit"
    word = "above" if exit_status else "within"
    assert quarantine["detail"] == (
        f"{invalid} of {len(fixtures)} items quarantined ({share:.0%}, {word} the {limit_text})"
    )
    assert sum(manifest["quarantine_reasons"].values()) >= invalid
    assert manifest["articles"]["quarantined"] == invalid
    if exit_status:
        assert f"run failed: {quarantine['detail']}" in done.stderr


def test_a_small_run_is_not_judged_on_coverage(small_site: GeneratedSite, tmp_path: Path) -> None:
    site = RedesignableSite(small_site)
    some = ",".join(article.path for article in small_site.articles[:5])
    with LoopbackServer(site) as server:
        assert crawl(server.root, tmp_path).returncode == 0
        site.redesigned = True
        done = crawl(server.root, tmp_path, "-a", f"urls={some}")
    assert done.returncode == 0, done.stderr[-3000:]
    coverage = next(c for c in manifests(tmp_path)[-1]["health"] if c["check"] == "coverage")
    assert coverage == {
        "check": "coverage",
        "status": "skipped",
        "detail": "fewer than 20 article pages",
    }
