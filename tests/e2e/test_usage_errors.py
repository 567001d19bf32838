"""End to end: every user mistake is one true line, through the real commands: a misspelled
``MAYADEEN_*`` setting names the nearest valid one, commands that read a data directory take the
site from its store, and a run's log ends on its summary."""

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from mayadeen.loopback import GeneratedSite, LoopbackServer
from tests.helpers.runs import crawl, run

LIVE = "https://english.almayadeen.net"


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str, str]]:
    """A data directory of a loopback crawl of 12 articles: (directory, root, the crawl's log)."""
    data = tmp_path_factory.mktemp("crawled")
    with LoopbackServer(GeneratedSite(12, seed=3)) as server:
        done = crawl(server.root, data)
        assert done.returncode == 0, done.stderr[-3000:]
        yield data, server.root, done.stderr


def one_line(done: object) -> str:
    stderr = getattr(done, "stderr", "")
    errors = [line for line in stderr.splitlines() if "error" in line.lower()]
    assert len(errors) == 1, stderr[-3000:]
    assert "Traceback" not in stderr
    return errors[0]


@pytest.mark.parametrize(
    "command",
    [["crawl", "articles"], ["export"], ["report"], ["reextract", "--dry-run"], ["canary"]],
    ids=lambda c: c[0],
)
def test_a_misspelled_setting_stops_the_command_naming_the_nearest_one(
    command: list[str], tmp_path: Path
) -> None:
    done = run(
        "scrapy", *command, "-s", "MAYADEEN_RECHEK_HOURS=12",
        env={"MAYADEEN_DATA_DIR": str(tmp_path)},
    )  # fmt: skip
    assert done.returncode == 2, done.stderr[-3000:]
    assert one_line(done) == (
        f"scrapy {command[0]}: error: MAYADEEN_RECHEK_HOURS is not a setting: did you mean "
        "MAYADEEN_RECHECK_HOURS? (the README's settings table lists them all)"
    )
    assert list(tmp_path.iterdir()) == [], "nothing done"


def test_reading_commands_take_the_site_from_the_store(crawled: tuple[Path, str, str]) -> None:
    data, root, _log = crawled
    env = {"MAYADEEN_DATA_DIR": str(data)}
    dry = run("scrapy", "reextract", "--dry-run", env=env)
    assert dry.returncode == 0, dry.stderr[-3000:]
    assert dry.stdout.splitlines()[0].startswith("reextract: 12 archived pages read; 0 articles")
    assert "skipped" not in dry.stdout
    exported = run("scrapy", "export", "-o", "-", "--format", "jsonl", env=env)
    assert exported.returncode == 0, exported.stderr[-3000:]
    urls = [json.loads(line)["url"] for line in exported.stdout.splitlines()]
    assert len(urls) == 12
    assert all(url.startswith(root + "/") for url in urls)
    for command in (["reextract"], ["reextract", "--dry-run"], ["export"], ["report"]):
        refused = run("scrapy", *command, "-s", f"MAYADEEN_BASE_URL={LIVE}", env=env)
        assert refused.returncode == 2, refused.stderr[-3000:]
        line = one_line(refused)
        assert line.startswith(f"scrapy {command[0]}: error: MAYADEEN_BASE_URL={LIVE} but ")
        assert f"holds {root}" in line
        assert "REBIND" not in refused.stderr
    same = run("scrapy", "report", "-s", f"MAYADEEN_BASE_URL={root}", env=env)
    assert same.returncode == 0, same.stderr[-3000:]


def test_a_runs_log_ends_on_its_summary(crawled: tuple[Path, str, str]) -> None:
    data, _root, log = crawled
    lines = log.splitlines()
    (manifest,) = (data / "runs").glob("*.json")
    assert lines[-1].endswith(f"INFO: outcome: success; manifest {manifest}")
    summary = [i for i, line in enumerate(lines) if "[mayadeen.run.report]" in line]
    assert summary == list(range(len(lines) - len(summary), len(lines))), "the last lines"
    assert len(summary) == 5
    assert lines[-5].split("INFO: ")[1].startswith("run ")
    assert any("Dumping Scrapy stats" in line for line in lines[: summary[0]])
    assert any("Spider closed (finished)" in line for line in lines[: summary[0]])


def test_the_log_names_the_feed_files_that_are_left(crawled: tuple[Path, str, str]) -> None:
    data, _root, log = crawled
    stored = [line.split(" in: ", 1)[1] for line in log.splitlines() if "INFO: Stored " in line]
    feeds = sorted(str(path) for path in (data / "feeds").iterdir())
    assert sorted(stored) == feeds
    assert all(not name.endswith(".partial") for name in feeds)
    assert "Stored csv feed (12 items) in: " in log


@pytest.mark.parametrize("articles", ["5", "100001", "many"])
def test_scrapy_loopback_refuses_a_site_size_the_readme_does_not_offer(articles: str) -> None:
    done = run("scrapy", "loopback", "--articles", articles, "--port", "0", timeout=30)
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        "scrapy loopback: error: argument --articles: "
        + (
            f"{articles} articles"
            if articles.isdigit()
            else f"{articles!r} is not a number of articles"
        )
        + ": give 10 to 100000"
    ]
    assert done.stdout == "", "no site served"
