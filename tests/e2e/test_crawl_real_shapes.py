"""End to end through ``scrapy crawl articles``: the shapes real pages showed are stored, a
non-article under an unknown URL family is counted and not fetched again, and every bad argument
or setting stops the command with one line and exit 2 before anything is fetched."""

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from mayadeen.loopback import LoopbackServer, load_fixtures
from mayadeen.loopback.anatomy import LIVE_ROOT
from tests.helpers.runs import ROOT, crawl, run

FIXTURES = {f.name: f for f in load_fixtures()}
REAL_SHAPES = (
    "news-post-id-2021",
    "news-economy-capitalised",
    "articles-unknown-shape",
    "news-brief-two-sentences",
    "news-brief-one-sentence",
)
UNKNOWN_VIDEO = FIXTURES["programs-unknown-video"]


def manifest(data_dir: Path) -> dict:  # type: ignore[type-arg]
    (path,) = sorted((data_dir / "runs").glob("*.json"))[-1:]
    return json.loads(path.read_text("utf-8"))  # type: ignore[no-any-return]


DEAD_RELATED_LINKS_ALLOWED = ("-s", "MAYADEEN_HEALTH_MAX_FAILED_SHARE=1")


def test_real_shapes_are_stored_and_an_unknown_non_article_is_not_fetched_again(
    fixture_server: LoopbackServer, tmp_path: Path
) -> None:
    root = fixture_server.root
    # The fixture pages' related links lead to articles the fixture site does not serve: a third
    # of the article fetches are 404s, which fails a run by default (MAYADEEN_HEALTH_MAX_FAILED_SHARE).
    first = crawl(root, tmp_path, *DEAD_RELATED_LINKS_ALLOWED)
    assert first.returncode == 0, first.stderr[-3000:]

    db = sqlite3.connect(tmp_path / "articles.sqlite")
    stored = dict(db.execute("SELECT url, section FROM articles"))
    for name in REAL_SHAPES:
        fixture = FIXTURES[name]
        expected = fixture.expected()
        assert expected is not None
        url = fixture.url.replace(LIVE_ROOT, root)
        assert stored.get(url, "absent") == expected["section"], name
    quarantined = [json.loads(r[0]) for r in db.execute("SELECT reasons FROM quarantine")]
    assert all("body:too_short" not in reasons for reasons in quarantined)
    video_url = UNKNOWN_VIDEO.url.replace(LIVE_ROOT, root)
    assert list(db.execute("SELECT url, kind FROM non_articles")) == [(video_url, "video")]
    db.close()

    unknown = manifest(tmp_path)["unknown_shapes"]
    assert unknown == {"found": {"articles": 1, "programs": 1}, "pages": {"article": 1, "video": 1}}
    asked = [r.path for r in fixture_server.requests]
    assert asked.count(UNKNOWN_VIDEO.path) == 1
    assert asked.count("/robots.txt") == 1, "robots.txt once, by the middleware"

    fixture_server.clear_requests()
    second = crawl(root, tmp_path, *DEAD_RELATED_LINKS_ALLOWED)
    assert second.returncode == 0, second.stderr[-3000:]
    assert UNKNOWN_VIDEO.path not in [r.path for r in fixture_server.requests]
    again = manifest(tmp_path)["discovery"]
    assert sum(again[source].get("known_not_article", 0) for source in ("home", "sitemap")) >= 1


BAD = [
    (["-a", "section=news/politics"], "unknown spider argument 'section' (did you mean sections?)"),
    (["-a", "urls=garbage"], "urls: 'garbage' is not a page of"),
    (["-a", "urls=https://example.com/news/politics/x"], "urls: 'https://example.com/news/"),
    (["-a", "sections=news/nonexistent"], "sections: 'news/nonexistent' is not a section path"),
    (["-a", "since=yesterday"], "since: expected a date as YYYY-MM-DD"),
    (["-a", "max_articles=ten"], "max_articles: expected a positive whole number"),
    (["-a", "full=maybe"], "full: expected 1 or 0"),
    (["-s", "MAYADEEN_FEED_FORMAT=xml"], "MAYADEEN_FEED_FORMAT='xml': expected one or more of"),
    (["-s", "MAYADEEN_BROWSER=maybe"], "MAYADEEN_BROWSER='maybe': expected one of off, fallback"),
    (["-s", "MAYADEEN_RECHECK_HOURS=abc"], "MAYADEEN_RECHECK_HOURS='abc': expected a number"),
    (["-s", "MAYADEEN_BASE_URL=not-a-url"], "MAYADEEN_BASE_URL='not-a-url': expected an http(s)"),
    (
        ["-s", "MAYADEEN_REDIS_URL=redis//host:abc"],
        "MAYADEEN_REDIS_URL='redis//host:abc': expected",
    ),
    (["-s", "MAYADEEN_REDIS_URL=redis://host:port/0"], "MAYADEEN_REDIS_URL='redis://host:port/0'"),
    (["-s", "MAYADEEN_STORE_BATCH_SIZE=0"], "MAYADEEN_STORE_BATCH_SIZE='0': expected a whole"),
    (["-s", "MAYADEEN_HEALTH_MAX_QUARANTINE_SHARE=2"], "expected a number from 0 to 1"),
    (["-s", "MAYADEEN_MAX_CONSECUTIVE_BLOCKS=1.5"], "MAYADEEN_MAX_CONSECUTIVE_BLOCKS='1.5'"),
]


@pytest.mark.parametrize(("options", "message"), BAD, ids=lambda v: str(v))
def test_a_bad_argument_or_setting_is_one_line_and_exit_2(
    fixture_server: LoopbackServer, tmp_path: Path, options: list[str], message: str
) -> None:
    done = crawl(fixture_server.root, tmp_path, *options, timeout=60)
    assert done.returncode == 2, done.stderr[-2000:]
    assert "Traceback" not in done.stderr
    errors = [line for line in done.stderr.splitlines() if "error" in line.lower()]
    assert len(errors) == 1, errors
    assert errors[0].startswith("scrapy crawl: error: ")
    assert message in errors[0]
    assert fixture_server.requests == [], "nothing fetched"
    assert list(tmp_path.iterdir()) == [], "no store, no run recorded"


def test_a_per_machine_setting_from_the_environment_is_checked_too(tmp_path: Path) -> None:
    done = run(
        "scrapy",
        "crawl",
        "articles",
        env={"MAYADEEN_BROWSER": "maybe", "MAYADEEN_DATA_DIR": str(tmp_path)},
        timeout=60,
    )
    assert done.returncode == 2
    assert done.stderr.splitlines()[-1] == (
        "scrapy crawl: error: MAYADEEN_BROWSER='maybe': expected one of off, fallback, always"
    )


def test_a_browser_mode_without_scrapy_playwright_says_what_to_install(tmp_path: Path) -> None:
    """scrapy-playwright is the ``browser`` extra: a crawl asking for the browser without it
    stops before anything is fetched, in one line naming the install."""
    without_it = (
        "import sys; sys.modules['scrapy_playwright'] = None; "
        "from scrapy.cmdline import execute; execute(['scrapy', *sys.argv[1:]])"
    )
    done = subprocess.run(
        [sys.executable, "-c", without_it, "crawl", "articles", "-s", "MAYADEEN_BROWSER=fallback"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "MAYADEEN_DATA_DIR": str(tmp_path)},
    )
    assert done.returncode == 2, done.stderr[-2000:]
    assert "Traceback" not in done.stderr
    assert done.stderr.splitlines()[-1] == (
        "scrapy crawl: error: MAYADEEN_BROWSER='fallback': expected fallback with "
        "scrapy-playwright installed: pip install 'mayadeen[browser]'"
    )
    assert list(tmp_path.iterdir()) == [], "nothing done"


@pytest.mark.parametrize(
    "name", ["MAYADEEN_CONTACT", "MAYADEEN_BROWSER", "MAYADEEN_REDIS_URL", "MAYADEEN_REDIS_JOB"]
)
def test_per_machine_settings_come_from_the_environment(name: str) -> None:
    value = {"MAYADEEN_REDIS_URL": "redis://cache:6379/1"}.get(name, "fallback")
    got = run("scrapy", "settings", "--get", name, env={name: value}, timeout=60)
    assert got.stdout.strip() == value


def test_help_lists_the_spider_arguments() -> None:
    shown = run("scrapy", "crawl", "articles", "-h", timeout=60).stdout
    for name in ("urls", "sections", "since", "max_articles", "full"):
        assert f"\n  {name} " in shown, name
