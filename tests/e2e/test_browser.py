"""End to end: pages whose content only appears after JavaScript runs (loopback fault ``jsonly``),
rendered by Chromium through scrapy-playwright with ``MAYADEEN_BROWSER=fallback`` or ``always``.

Without Chromium these tests skip on a developer machine but fail under CI (``CI`` set), where
``.ci/run`` installs it: CI must really run them.
"""

import os
import sqlite3
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from mayadeen.addons import CHROMIUM
from mayadeen.loopback import GeneratedSite, LoopbackServer
from mayadeen.warc.writing import RENDERED_HEADER
from tests.helpers.runs import Run, assert_item
from tests.helpers.sites import articles


@pytest.fixture(autouse=True)
def chromium() -> None:
    if Path(CHROMIUM).exists():
        return
    if os.environ.get("CI"):
        pytest.fail(f"CI must run the browser tests, but {CHROMIUM} is missing (see .ci/run)")
    pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)")


def test_fallback_renders_javascript_pages_and_leaves_the_others_alone(
    small_site: GeneratedSite, server: LoopbackServer, tmp_path: Path
) -> None:
    shells = articles(small_site, "/news/", 2)
    plain = articles(small_site, "/articles/", 1)[0]
    for article in shells:
        server.add_fault(f"{article.entry.path}=jsonly")
    paths = [a.entry.path for a in [*shells, plain]]
    run = Run(server, tmp_path, paths, "-s", "MAYADEEN_BROWSER=fallback")
    for article in [*shells, plain]:
        assert_item(run, small_site, article, server.root)
    assert run.stats["mayadeen/browser/requests"] == 2
    assert run.stats["mayadeen/browser/fallback/contentless"] == 2
    assert run.stats["mayadeen/browser/recovered"] == 2
    assert run.stats["mayadeen/pages/contentless"] == 0
    assert len(run.to(plain.entry.path)) == 1, "a plain page is fetched once, over HTTP"
    for article in shells:
        assert len(run.to(article.entry.path)) == 2, "over HTTP, then once in the browser"
    browser_agents = {r.user_agent for r in run.requests}
    assert all(agent.startswith("mayadeen/") for agent in browser_agents), browser_agents


def test_fallback_tries_a_blocked_page_once_in_the_browser(
    small_site: GeneratedSite, server: LoopbackServer, tmp_path: Path
) -> None:
    article = articles(small_site, "/news/", 1)[0]
    server.add_fault(f"{article.entry.path}=block")
    run = Run(
        server,
        tmp_path,
        [article.entry.path],
        "-s",
        "MAYADEEN_BROWSER=fallback",
        "-s",
        "MAYADEEN_BACKOFF_START=0.05",
        expect_rc=1,
    )
    assert len(run.to(article.entry.path)) == 2, "once over HTTP, once in the browser, no more"
    assert run.stats["mayadeen/browser/fallback/http_403"] == 1
    assert run.stats["mayadeen/browser/recovered"] == 0
    assert run.stats["mayadeen/blocks/http_403"] == 1, "still blocked in the browser"
    assert not run.items
    assert "run failed: stored no article and hit 1 blocked response" in run.log


def test_always_renders_pages_in_the_browser_but_not_robots_txt(
    small_site: GeneratedSite, server: LoopbackServer, tmp_path: Path
) -> None:
    article = articles(small_site, "/news/", 1)[0]
    server.add_fault(f"{article.entry.path}=jsonly")
    run = Run(server, tmp_path, [article.entry.path], "-s", "MAYADEEN_BROWSER=always")
    assert_item(run, small_site, article, server.root)
    assert len(run.to(article.entry.path)) == 1, "straight to the browser"
    assert run.stats["mayadeen/browser/requests"] == 0
    assert run.stats["playwright/request_count/resource_type/document"] == 1
    assert run.stats["robotstxt/response_status_count/200"] == 1
    assert "scrapy-playwright" in run.log
    (warc,) = (tmp_path / "archive").glob("*.warc.gz")
    with warc.open("rb") as stream:
        marks = [
            record.rec_headers.get_header(RENDERED_HEADER)
            for record in ArchiveIterator(stream)
            if record.rec_type == "response"
        ]
    assert marks == ["chromium"], "archived as what the browser returned, marked so"
    with sqlite3.connect(tmp_path / "articles.sqlite") as db:
        rendered = db.execute(
            "SELECT c.rendered FROM articles a JOIN captures c ON c.id = a.capture_id"
        ).fetchall()
    assert rendered == [(1,)]
