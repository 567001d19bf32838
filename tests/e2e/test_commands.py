"""End to end: the project's real command lines as a user runs them (subprocesses, loopback only)."""

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from mayadeen.loopback import GeneratedSite, LoopbackServer
from tests.helpers.outputs import manifest
from tests.helpers.runs import ROOT, crawl, fetch, run


@pytest.fixture
def loopback_command() -> Iterator[str]:
    """``scrapy loopback`` started as a user would; yields the root it prints."""
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "scrapy",
            "loopback",
            "--port",
            "0",
            "--articles",
            "40",
            "--fault",
            "/rss=block",
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        yield process.stdout.readline().strip()
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_scrapy_loopback_serves_the_generated_site(loopback_command: str) -> None:
    assert loopback_command.startswith("http://127.0.0.1:")
    home = fetch(loopback_command, "/")
    assert home.status == 200
    assert f'href="{loopback_command}/news/politics"'.encode() in home.body
    assert fetch(loopback_command, "/rss").status == 403


def test_a_crawl_reads_robots_txt_first_and_identifies_itself(tmp_path: Path) -> None:
    with LoopbackServer(GeneratedSite(30)) as server:
        done = crawl(server.root, tmp_path)
        asked = [(r.path, r.user_agent) for r in server.requests]
    assert done.returncode == 0, done.stderr[-3000:]
    assert manifest(tmp_path)["close_reason"] == "finished"
    assert asked[0][0] == "/robots.txt", "before any page"
    assert len(asked) > 30, "the home page, listings, sitemaps and the 30 articles"
    assert all(agent.startswith("mayadeen/") for _, agent in asked)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("TELNETCONSOLE_ENABLED", "False"),
        ("REMOTE_CONTROL_ENABLED", "False"),
        ("ROBOTSTXT_OBEY", "True"),
        ("MAYADEEN_BASE_URL", "https://english.almayadeen.net"),
    ],
)
def test_production_settings(name: str, value: str) -> None:
    assert run("scrapy", "settings", "--get", name).stdout.strip() == value


def test_data_dir_comes_from_the_environment(tmp_path: Path) -> None:
    got = run(
        "scrapy", "settings", "--get", "MAYADEEN_DATA_DIR", env={"MAYADEEN_DATA_DIR": str(tmp_path)}
    )
    assert got.stdout.strip() == str(tmp_path)


def test_project_lists_the_articles_spider() -> None:
    assert run("scrapy", "list").stdout.split() == ["articles"]


def test_a_bad_fault_is_a_clear_error_not_a_traceback() -> None:
    done = run("mayadeen.loopback", "--port", "0", "--fault", "/rss=explode", timeout=30)
    assert done.returncode == 2
    assert "unknown kind 'explode'" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_busy_port_is_a_clear_error(loopback_command: str) -> None:
    port = loopback_command.rsplit(":", 1)[1]
    done = run("scrapy", "loopback", "--port", port, timeout=30)
    assert done.returncode == 2
    assert f"cannot listen on 127.0.0.1:{port}" in done.stderr
    assert "Traceback" not in done.stderr
