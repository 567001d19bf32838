"""End to end, on ONE store crawled from the loopback copy of the site (with its CSV, JSON Lines
and Parquet feeds): every recipe of ``docs/analysis.md``, read from the page itself so the page and
the test cannot drift; Datasette serving the store with search, through its JSON API and its page
in headless Chromium; ``mayadeen export``'s Parquet and filters as a user runs them."""

import json
import os
import shlex
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from mayadeen.addons import CHROMIUM
from mayadeen.datasette_metadata import HIDDEN
from mayadeen.loopback import FixtureSite, LoopbackServer, load_fixtures
from mayadeen.store import Store, store_path
from tests.helpers.recipes import EXPECTED, SEARCHED, Recipe, recipes
from tests.helpers.runs import ROOT, crawl, fetch

DOC_PORT = "8001"
"""The port the page's Datasette recipes use; the test serves on a free one instead."""


BELARUS_TITLES = {
    "Lukashenko: Belarusian troops not partaking in Russian operation",
    "Lukashenko: Recognition of DPR, LPR will be joint decision with Russia",
}
"""The fixture articles whose text names Lukashenko (``mayadeen/loopback/fixtures/``)."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class Workspace:
    """A directory with ``data/`` crawled from the loopback site, where the recipes run."""

    path: Path
    env: dict[str, str]

    @property
    def store(self) -> Path:
        return store_path(self.path / "data")

    def run(self, recipe: Recipe, port: int) -> subprocess.CompletedProcess[str]:
        code = recipe.code.replace(DOC_PORT, str(port))
        command = [sys.executable, "-c", code] if recipe.language == "python" else None
        command = command or ["bash", "-euo", "pipefail", "-c", code]
        return subprocess.run(
            command, cwd=self.path, env=self.env, capture_output=True, text=True, timeout=120
        )


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    """Every fixture page of the loopback site crawled once: 25 articles stored, 2 quarantined,
    feeds in CSV, JSON Lines and Parquet."""
    path = tmp_path_factory.mktemp("analysis")
    paths = [fixture.path for fixture in load_fixtures()]
    with LoopbackServer(FixtureSite()) as server:
        done = crawl(
            server.root,
            path / "data",
            "-a",
            f"urls={','.join(paths)}",
            "-s",
            "MAYADEEN_FEED_FORMAT=csv,jsonl.gz,parquet",
        )
    assert done.returncode == 0, done.stderr[-3000:]
    # A user's clone: the recipes name docs/datasette.json beside data/.
    (path / "docs").mkdir()
    shutil.copy(ROOT / "docs" / "datasette.json", path / "docs" / "datasette.json")
    # As a user runs them: outside the checkout, the virtualenv's bin on the PATH, and nothing
    # of Scrapy's or the project's in the environment (data/ is the default data directory).
    hidden = ("SCRAPY_", "MAYADEEN_")
    env = {name: value for name, value in os.environ.items() if not name.startswith(hidden)}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"
    assert not path.resolve().is_relative_to(ROOT)
    return Workspace(path, env)


@pytest.fixture(scope="module")
def datasette(workspace: Workspace) -> Iterator[str]:
    """Datasette started with the page's own command, on a free port; its root URL."""
    (serve,) = [r for r in recipes() if r.name.startswith("datasette: serve")]
    port = free_port()
    command = [line for line in serve.code.splitlines() if not line.startswith("#")]
    argv = shlex.split(" ".join(command).replace(DOC_PORT, str(port)))
    log = workspace.path / "datasette.log"  # a file: a pipe nobody reads would fill and block it
    with log.open("wb") as output:
        process = subprocess.Popen(
            argv, cwd=workspace.path, env=workspace.env, stdout=output, stderr=subprocess.STDOUT
        )
    root = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if fetch(root, "/-/versions.json", timeout=2).status == 200:
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"datasette did not start: {log.read_text()[-2000:]}")
                time.sleep(0.2)
        yield root
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.mark.parametrize("recipe", recipes(), ids=lambda recipe: recipe.name)
def test_the_recipe_runs_on_a_crawled_store(
    recipe: Recipe, workspace: Workspace, request: pytest.FixtureRequest
) -> None:
    if recipe.name.startswith("datasette: serve"):
        request.getfixturevalue("datasette")  # the server is the recipe: it answers
        return
    port = DOC_PORT
    if recipe.name.startswith("datasette"):
        port = request.getfixturevalue("datasette").rsplit(":", 1)[1]
    done = workspace.run(recipe, int(port))
    assert done.returncode == 0, done.stderr[-3000:]
    # `mayadeen export` reports what it wrote on stderr; the other recipes print their answers.
    output = done.stderr if recipe.name.startswith("mayadeen export") else done.stdout
    assert output.strip(), done.stderr[-3000:]
    assert EXPECTED[recipe.name] in output, output[-3000:]


def json_rows(root: str, path: str) -> Any:
    reply = fetch(root, path)
    assert reply.status == 200, reply.body[:500]
    return json.loads(reply.body)


def test_datasette_searches_the_store_through_its_json_api(
    workspace: Workspace, datasette: str
) -> None:
    rows = json_rows(datasette, f"/articles/articles.json?_search={SEARCHED}&_shape=array")
    with sqlite3.connect(f"file:{workspace.store}?mode=ro", uri=True) as db:
        expected = {
            url
            for (url,) in db.execute(
                "SELECT a.url FROM articles_fts JOIN articles a ON a.rowid = articles_fts.rowid "
                "WHERE articles_fts MATCH ?",
                (SEARCHED,),
            )
        }
    assert {row["url"] for row in rows} == expected
    assert {row["title"] for row in rows} == BELARUS_TITLES
    tables = json_rows(datasette, "/articles.json")["tables"]
    (articles,) = [table for table in tables if table["name"] == "articles"]
    assert articles["fts_table"] == "articles_fts", "Datasette found the index of the table"
    refused = fetch(datasette, "/articles.json?sql=DELETE+FROM+articles")
    assert refused.status == 400, "read-only: a writing statement is refused"
    with Store.open(workspace.store, readonly=True) as store:
        assert len(list(store.articles())) == 25


def test_datasette_opens_ready_to_use_with_the_generated_metadata(datasette: str) -> None:
    tables = json_rows(datasette, "/articles.json")["tables"]
    visible = {table["name"] for table in tables if not table["hidden"]}
    assert visible == {"articles", "article_versions", "article_tags", "aliases"} | {
        "quarantine",
        "runs",
        "near_duplicates",
        "breaking",
    }
    assert {table["name"] for table in tables if table["hidden"]} >= set(HIDDEN)
    # The fixture articles are unrelated: the saved query of the pairs answers, with none.
    assert json_rows(datasette, "/articles/near_duplicates.json?_shape=array") == []
    page = json_rows(datasette, "/articles/articles.json?_shape=objects&_size=max")
    published = [row["published_at"] for row in page["rows"]]
    assert len(published) == 25
    utc = [datetime.fromisoformat(time).astimezone(UTC) for time in published]
    # Datasette sorts the text; the store's times share the site's offsets, so it is UTC order.
    assert published == sorted(published, reverse=True)
    assert utc == sorted(utc, reverse=True)
    facets = page["facet_results"]
    assert {"section", "tags"} <= set(facets)
    assert {value["value"] for value in facets["section"]["results"]} >= {"Politics"}
    described = json_rows(datasette, "/-/metadata.json")["databases"]["articles"]["tables"]
    assert described["articles"]["columns"]["title"].startswith("The headline")
    found = json_rows(datasette, f"/articles/search.json?text={SEARCHED}&_shape=array")
    assert {row["title"] for row in found} == BELARUS_TITLES
    assert all(f"[{SEARCHED}]" in row["context"] for row in found)
    assert [row["score"] for row in found] == sorted(row["score"] for row in found)
    assert json_rows(datasette, "/articles/edited_after_publication.json?_shape=array") == []
    per_day = json_rows(datasette, "/articles/articles_per_day.json?_shape=array")
    assert sum(row["articles"] for row in per_day) == 25


def need_chromium() -> None:
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the browser tests, but {CHROMIUM} is missing (see .ci/run)")
        pytest.skip(f"no Chromium at {CHROMIUM}")


def test_the_saved_search_page_ranks_with_context_in_headless_chromium(
    datasette: str, workspace: Workspace
) -> None:
    """The page an analyst opens first; its screenshot is kept beside the workspace's data."""
    need_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(f"{datasette}/articles")
            page.click("text=Search the articles, best match first")
            page.fill("input[name=text]", SEARCHED)
            page.press("input[name=text]", "Enter")
            page.wait_for_url(f"**text={SEARCHED}**")
            titles = page.locator("table.rows-and-columns tbody td.col-title").all_inner_texts()
            assert set(titles) == BELARUS_TITLES
            contexts = page.locator("table.rows-and-columns tbody td.col-context")
            assert all(f"[{SEARCHED}]" in text for text in contexts.all_inner_texts())
            assert "ranked by bm25" in page.inner_text("body")
            page.screenshot(path=workspace.path / "datasette-search.png", full_page=True)
            page.goto(f"{datasette}/articles/articles")
            body = page.inner_text("body")
            assert "The headline, entities decoded" in body, "column descriptions shown"
            assert "sorted by published_at descending" in body
            page.screenshot(path=workspace.path / "datasette-articles.png")
        finally:
            browser.close()


def test_datasette_search_box_finds_articles_in_headless_chromium(datasette: str) -> None:
    need_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
        try:
            page = browser.new_page()
            page.goto(f"{datasette}/articles/articles")
            page.fill("input[name=_search]", SEARCHED)
            page.press("input[name=_search]", "Enter")
            page.wait_for_url(f"**_search={SEARCHED}**")
            titles = page.locator("table.rows-and-columns tbody td.col-title").all_inner_texts()
            assert set(titles) == BELARUS_TITLES
            assert f'search matches "{SEARCHED}"' in page.inner_text("body")
        finally:
            browser.close()


def test_the_parquet_feed_and_export_hold_the_stored_articles(workspace: Workspace) -> None:
    (feed,) = (workspace.path / "data" / "feeds").glob("articles-*.parquet")
    feed_rows = pq.read_table(feed).to_pylist()
    with Store.open(workspace.store, readonly=True) as store:
        stored = {article["url"]: article for article in store.articles()}
    assert {row["url"] for row in feed_rows} == set(stored)
    for row in feed_rows:
        assert row["tags"] == stored[row["url"]]["tags"]
        assert row["published_at"] == stored[row["url"]]["published_at"]
    export = Recipe(
        "export", "sh", "mayadeen export -o politics.parquet --section politics --tag UKRAINE"
    )
    done = workspace.run(export, 0)
    assert done.returncode == 0, done.stderr
    exported = pq.read_table(workspace.path / "politics.parquet").to_pylist()
    expected = {
        url
        for url, article in stored.items()
        if article["section"] == "Politics" and "ukraine" in {t.lower() for t in article["tags"]}
    }
    assert expected
    assert {row["url"] for row in exported} == expected


def test_the_old_since_option_is_changed_since(workspace: Workspace) -> None:
    outputs = []
    for option in ("--since", "--changed-since"):
        for day in ("2000-01-01", "2999-01-01"):
            run = Recipe("export", "sh", f"mayadeen export {option} {day} --format jsonl")
            done = workspace.run(run, 0)
            assert done.returncode == 0, done.stderr
            outputs.append(len(done.stdout.splitlines()))
    assert outputs == [25, 0, 25, 0]
