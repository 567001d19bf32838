"""``scrapy record``: a fetched page becomes a fixture (page, expected item, index entry) that the
existing fixture tests accept as it is, and optionally a canary page; nothing is overwritten
without ``--force``; broken and unsuitable pages are refused."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from scrapy.http import HtmlResponse

from mayadeen.drift.expectations import load_pages
from mayadeen.drift.recording import FixtureDirectory, RecordError, Recording
from mayadeen.loopback import FixtureSite, GeneratedSite, LoopbackServer, load_fixtures
from mayadeen.loopback.catalog import rewrite
from mayadeen.loopback.fixtures import fixtures_dir
from mayadeen.site.urls import LIVE_ROOT
from tests.conftest import ROOT, run
from tests.test_canary import NEW_TITLE, TROOPS, AlteredSite, drifted, path_of

FIXTURES = {f.name: f for f in load_fixtures()}
COPY_ROOT = "http://127.0.0.1:8123"
NAME = "news-recorded-from-the-site"


def recording(name: str, fixture_name: str, root: str = LIVE_ROOT) -> Recording:
    """A fixture page recorded as if fetched from ``root`` (the loopback server's rewriting)."""
    fixture = FIXTURES[fixture_name]
    body = rewrite(fixture.html(), root) if root != LIVE_ROOT else fixture.html()
    url = fixture.url.replace(LIVE_ROOT, root)
    return Recording.of(name, HtmlResponse(url, body=body, encoding="utf-8"), root)


# -- recordings ----------------------------------------------------------------------------------


def test_a_page_fetched_from_a_copy_is_recorded_as_the_live_site_serves_it() -> None:
    fixture = FIXTURES["news-economics-new-slug"]
    recorded = recording("x", fixture.name, COPY_ROOT)
    assert recorded.html == fixture.html()
    assert recorded.url == fixture.url
    assert recorded.expected == fixture.expected()


def test_a_non_article_page_is_recorded_without_an_item() -> None:
    recorded = recording("x", "infograph")
    assert recorded.expected is None
    row = recorded.index_row(None)
    assert (row["kind"], row["expected"], row["covers"]) == (
        "infograph",
        None,
        ["recorded", "nonarticle:infograph"],
    )
    with pytest.raises(RecordError, match="cannot be a canary page"):
        recorded.canary_page()


@pytest.mark.parametrize("fixture_name", ["invalid-empty-body", "invalid-no-title"])
def test_a_page_whose_extraction_fails_validation_is_refused(fixture_name: str) -> None:
    with pytest.raises(RecordError, match=r"fails validation \(missing:"):
        recording("x", fixture_name)


def test_bad_names_are_refused() -> None:
    with pytest.raises(RecordError, match="lower-case letters"):
        recording("../escape", "news-economics-new-slug")


def test_an_existing_fixture_is_kept_unless_forced_and_a_served_path_is_not_taken_twice() -> None:
    fixtures = FixtureDirectory(Path(str(fixtures_dir())))
    same_name = recording("news-economics-new-slug", "news-economics-new-slug")
    with pytest.raises(RecordError, match=r"exists .*--force replaces it"):
        fixtures.check(same_name, force=False)
    fixtures.check(same_name, force=True)
    with pytest.raises(RecordError, match="fixture news-economics-new-slug is already served at"):
        fixtures.check(recording("another-name", "news-economics-new-slug"), force=True)


# -- the command against the loopback site -----------------------------------------------------


def copy_of_the_project(into: Path) -> Path:
    """The package, the tests and the project file, to record into without touching the repo."""
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for part in ("mayadeen", "tests"):
        shutil.copytree(ROOT / part, into / part, ignore=ignore)
    shutil.copy2(ROOT / "pyproject.toml", into / "pyproject.toml")
    return into


def record(root: str, *arguments: str) -> subprocess.CompletedProcess[str]:
    return run(
        "scrapy", "record", "-s", f"MAYADEEN_BASE_URL={root}", "-s", "DOWNLOAD_DELAY=0", *arguments
    )


@pytest.mark.e2e
def test_a_recorded_page_is_a_fixture_the_fixture_tests_accept(
    small_site: GeneratedSite, tmp_path: Path
) -> None:
    project = copy_of_the_project(tmp_path / "project")
    fixtures = project / "mayadeen" / "loopback" / "fixtures"
    canary_file = project / "mayadeen" / "site" / "canary.json"
    article = next(a for a in small_site.articles_by_index if a.related and ":" in a.entry.path)
    live_url = LIVE_ROOT + article.entry.path
    options = [
        "--name",
        NAME,
        "--into",
        str(fixtures),
        "--canary",
        "--canary-file",
        str(canary_file),
    ]
    with LoopbackServer(small_site) as server:
        done = record(server.root, live_url, *options)
        index_before_again = (fixtures / "index.json").read_bytes()
        again = record(server.root, live_url, *options)
        checked = run(
            "scrapy",
            "canary",
            "-s",
            f"MAYADEEN_BASE_URL={server.root}",
            "-s",
            "DOWNLOAD_DELAY=0",
            "--canary-file",
            str(canary_file),
            NAME,
        )
    assert done.returncode == 0, done.stdout + done.stderr[-3000:]
    assert f"wrote {fixtures / (NAME + '.html')}" in done.stdout

    html = (fixtures / f"{NAME}.html").read_bytes()
    assert html.startswith(b"<!DOCTYPE html>")
    assert server.root.encode() not in html, "stored as the live site serves it"
    expected = json.loads((fixtures / f"{NAME}.expected.json").read_text("utf-8"))
    assert expected == small_site.expected_item(article), "what the contract asks of the page"
    [row] = [
        r for r in json.loads((fixtures / "index.json").read_text("utf-8")) if r["name"] == NAME
    ]
    assert row == {
        "name": NAME,
        "file": f"{NAME}.html",
        "expected": f"{NAME}.expected.json",
        "path": article.entry.path,
        "kind": "article",
        "title": expected["title"],
        "published": expected["published_at"],
        "covers": ["recorded", f"section:{article.entry.path.split('/')[2]}"],
        "why": row["why"],
    }
    assert [(p.name, p.url, p.item) for p in load_pages(canary_file)][-1] == (
        NAME,
        live_url,
        expected,
    )

    assert again.returncode == 1
    assert f"a fixture named {NAME} exists" in again.stderr
    assert (fixtures / "index.json").read_bytes() == index_before_again, "nothing overwritten"
    assert checked.returncode == 0, checked.stdout + checked.stderr[-3000:]
    assert checked.stdout.splitlines()[1:] == [f"{NAME}: matches", "canary: the page matches"]

    replayed = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rA",
         "tests/test_fixtures.py", "tests/test_extraction.py", "-k", f"test_fixtures or {NAME}"],
        cwd=project, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert replayed.returncode == 0, replayed.stdout[-5000:]
    passed = [line for line in replayed.stdout.splitlines() if line.startswith("PASSED")]
    assert sum(NAME in line for line in passed) > 20, "each field of the new fixture was replayed"
    assert any("test_index_lists_every_page" in line for line in passed)
    assert not (ROOT / "mayadeen" / "loopback" / "fixtures" / f"{NAME}.html").exists()


@pytest.mark.e2e
def test_a_canary_page_is_refreshed_to_the_sites_new_normal_without_touching_fixtures(
    fixture_site: FixtureSite, tmp_path: Path
) -> None:
    canary_file = tmp_path / "canary.json"
    shutil.copy2(ROOT / "mayadeen" / "site" / "canary.json", canary_file)
    fixtures_before = {
        p.name: p.read_bytes() for p in Path(str(fixtures_dir())).iterdir() if p.is_file()
    }
    options = ["--name", TROOPS.name, "--canary-only", "--canary-file", str(canary_file)]
    with LoopbackServer(AlteredSite(fixture_site, {path_of(TROOPS): drifted})) as server:
        refused = record(server.root, TROOPS.url, *options)
        refreshed = record(server.root, TROOPS.url, *options, "--force")
        checked = run("scrapy", "canary", "-s", f"MAYADEEN_BASE_URL={server.root}",
                      "-s", "DOWNLOAD_DELAY=0", "--canary-file", str(canary_file))  # fmt: skip
    assert refused.returncode == 1
    assert f"canary page {TROOPS.name} exists" in refused.stderr
    assert refreshed.returncode == 0, refreshed.stderr[-3000:]
    assert refreshed.stdout.splitlines()[-1] == f"  wrote {canary_file}"
    assert checked.returncode == 0, checked.stdout + checked.stderr[-3000:]
    [page] = [p for p in load_pages(canary_file) if p.name == TROOPS.name]
    assert page.item["title"] == NEW_TITLE
    assert page.sources["title"] == "jsonld"
    assert {p.name: p.read_bytes() for p in Path(str(fixtures_dir())).iterdir() if p.is_file()} == (
        fixtures_before
    )
