"""End to end under Scrapyd 1.6: ``scrapyd-deploy`` builds the project's egg from the repository,
a real ``scrapyd`` on 127.0.0.1 runs ``articles`` from that egg against the loopback site, and the
store, the per-run feed and the job's log are what a plain ``scrapy crawl articles`` leaves.

Scrapyd runs in a virtualenv of its own that sees this environment's dependencies but not the
``mayadeen`` package (as on a Scrapyd host, where eggs carry no dependencies), so everything the
job imports of the project comes from the zipped egg."""

import csv
import json
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import sysconfig
import time
import urllib.parse
import urllib.request
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from hashlib import sha256
from pathlib import Path
from typing import Any

import pytest

from mayadeen.items import FIELD_NAMES
from mayadeen.loopback import GeneratedSite, LoopbackServer, load_fixtures
from tests.helpers.outputs import manifest, stats_of
from tests.helpers.runs import ROOT

PROJECT = "mayadeen"
TARGET = "scrapyd-test"
CACHES = shutil.ignore_patterns("*.egg-info", "__pycache__", ".*_cache", ".hypothesis")
NOT_IN_THE_REPOSITORY = {".git", ".venv", "data", "build", "dist"}
POLITENESS_OFF = ("DOWNLOAD_DELAY=0", "AUTOTHROTTLE_ENABLED=0")
FINISHED_JOB_FIELDS = {"id", "project", "spider", "start_time", "end_time", "log_url", "items_url"}


@dataclass
class Scrapyd:
    home: Path
    """Its working directory: scrapyd.conf, its log, eggs/ (the first one's), logs/, dbs/."""
    root: str
    python: Path
    """The host virtualenv's interpreter (no ``mayadeen`` importable but from an egg)."""
    egg: Path

    @property
    def log(self) -> str:
        return (self.home / "scrapyd.log").read_text("utf-8")

    def job_log(self, job: str) -> str:
        return (self.home / "logs" / PROJECT / "articles" / f"{job}.log").read_text("utf-8")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def call(root: str, endpoint: str, form: list[tuple[str, str]] | None = None) -> dict[str, Any]:
    """GET (or POST ``form`` to) one of Scrapyd's JSON endpoints; its answer must be ``ok``."""
    data = urllib.parse.urlencode(form).encode() if form is not None else None
    with urllib.request.urlopen(f"{root}/{endpoint}", data=data, timeout=30) as response:
        answer: dict[str, Any] = json.load(response)
    assert answer["status"] == "ok", answer
    return answer


def host_virtualenv(home: Path) -> Path:
    """A virtualenv whose only packages are this environment's site-packages, read through a
    ``.pth`` line (which, unlike the site-packages directory itself, processes no ``.pth`` files,
    so the editable install of ``mayadeen`` stays out)."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", home / "venv"], check=True)
    python = home / "venv" / "bin" / "python"
    host_site = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    ours = {sysconfig.get_paths()[key] for key in ("purelib", "platlib")}
    (Path(host_site) / "test-dependencies.pth").write_text("\n".join(sorted(ours)) + "\n")
    return python


def write_conf(home: Path, port: int, eggs_dir: Path, items_dir: Path | None) -> None:
    (home / "scrapyd.conf").write_text(
        "[scrapyd]\n"
        "bind_address = 127.0.0.1\n"
        f"http_port = {port}\n"
        f"eggs_dir = {eggs_dir}\n"
        f"logs_dir = {home / 'logs'}\n"
        f"dbs_dir = {home / 'dbs'}\n"
        f"items_dir = {items_dir or ''}\n"
        "poll_interval = 0.2\n",
        encoding="utf-8",
    )


def host_environment(home: Path) -> dict[str, str]:
    """This environment without anything that would lead to the checkout or its settings."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("MAYADEEN_", "SCRAPY_")) and k != "PYTHONPATH"
    }
    return {**env, "HOME": str(home)}  # no ~/.scrapyd.conf or ~/.scrapy.cfg of the developer's


def wait_until_up(process: subprocess.Popen[bytes], root: str, home: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, (home / "scrapyd.log").read_text("utf-8")
        try:
            call(root, "daemonstatus.json")
            return
        except OSError:
            time.sleep(0.2)
    pytest.fail("scrapyd did not answer within a minute:\n" + (home / "scrapyd.log").read_text())


def not_copied(directory: str, names: list[str]) -> set[str]:
    top_level = NOT_IN_THE_REPOSITORY if Path(directory) == ROOT else set()
    return top_level | set(CACHES(directory, names))


def deploy(root: str, home: Path) -> None:
    """``scrapyd-deploy`` from a copy of the repository with one more target in its scrapy.cfg,
    as an operator adds theirs."""
    project = home / "project"
    shutil.copytree(ROOT, project, ignore=not_copied)
    with (project / "scrapy.cfg").open("a", encoding="utf-8") as cfg:
        cfg.write(f"\n[deploy:{TARGET}]\nurl = {root}/\n")
    deploy_command = Path(sys.executable).with_name("scrapyd-deploy")
    done = subprocess.run(
        [deploy_command, TARGET],
        cwd=project,
        env=host_environment(home),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    # It exits 0 also when Scrapyd could not load the egg: the answer says which it was.
    answer = json.loads(done.stdout)
    assert (answer["status"], answer["project"], answer["spiders"]) == ("ok", PROJECT, 1)


@contextmanager
def running_scrapyd(
    home: Path, python: Path, eggs_dir: Path, items_dir: Path | None = None
) -> Iterator[str]:
    """A ``scrapyd`` working in ``home`` on a free port; yields its root URL."""
    port = free_port()
    write_conf(home, port, eggs_dir, items_dir)
    root = f"http://127.0.0.1:{port}"
    with (home / "scrapyd.log").open("wb") as log:
        process = subprocess.Popen(
            [python, "-m", "scrapyd", "--pidfile="],
            cwd=home,
            env=host_environment(home),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_until_up(process, root, home)
        yield root
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.fixture(scope="module")
def scrapyd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scrapyd]:
    """Scrapyd with the project deployed by ``scrapyd-deploy``."""
    home = tmp_path_factory.mktemp("scrapyd")
    python = host_virtualenv(home)
    with running_scrapyd(home, python, home / "eggs") as root:
        deploy(root, home)
        (egg,) = (home / "eggs" / PROJECT).glob("*.egg")
        yield Scrapyd(home, root, python, egg)


def run_job(scrapyd: Scrapyd, settings: dict[str, str]) -> str:
    """Schedule ``articles`` with ``settings`` (``setting=KEY=VALUE``) and wait until Scrapyd
    lists the job as finished (Scrapyd polls its queue every ``poll_interval``)."""
    form = [("project", PROJECT), ("spider", "articles")]
    form += [("setting", f"{key}={value}") for key, value in settings.items()]
    form += [("setting", setting) for setting in POLITENESS_OFF]
    job = str(call(scrapyd.root, "schedule.json", form)["jobid"])
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        jobs = call(scrapyd.root, f"listjobs.json?project={PROJECT}")
        if any(finished["id"] == job for finished in jobs["finished"]):
            return job
        time.sleep(0.3)
    pytest.fail(f"job {job} did not finish within four minutes:\n{scrapyd.log[-3000:]}")


def test_a_scheduled_job_crawls_from_the_egg_into_the_store_and_the_feed(
    scrapyd: Scrapyd, server: LoopbackServer, small_site: GeneratedSite, tmp_path: Path
) -> None:
    no_project = subprocess.run(
        [scrapyd.python, "-c", "import mayadeen"], cwd=scrapyd.home, capture_output=True
    )
    assert no_project.returncode != 0, "the host must import mayadeen from the egg only"
    data_dir = tmp_path / "data"

    job = run_job(scrapyd, {"MAYADEEN_BASE_URL": server.root, "MAYADEEN_DATA_DIR": str(data_dir)})

    assert f"Process finished: project='{PROJECT}' spider='articles' job='{job}'" in scrapyd.log
    log = scrapyd.job_log(job)
    assert "ERROR" not in log
    assert "Traceback" not in log
    reported = manifest(data_dir)
    assert reported["close_reason"] == "finished"
    expected = {f"{server.root}{article.path}" for article in small_site.articles}
    assert stats_of(reported)["mayadeen/items/new"] == len(expected)
    with sqlite3.connect(data_dir / "articles.sqlite") as db:
        urls = [url for (url,) in db.execute("SELECT url FROM articles")]
    assert len(urls) == len(expected)
    assert set(urls) == expected
    (feed,) = (data_dir / "feeds").glob("articles-*.csv")
    with feed.open(encoding="utf-8", newline="") as rows:
        reader = csv.DictReader(rows)
        assert reader.fieldnames == list(FIELD_NAMES)
        assert {row["url"] for row in reader} == expected
    assert not (scrapyd.home / "data").exists(), "nothing lands in Scrapyd's working directory"


def test_the_egg_is_zipped_and_reads_its_fixtures_as_package_data(scrapyd: Scrapyd) -> None:
    with zipfile.ZipFile(scrapyd.egg) as egg:
        assert "mayadeen/loopback/fixtures/index.json" in egg.namelist()
    # What Scrapyd's runner does before `scrapy crawl`: put the egg file on sys.path.
    read_in_host = (
        "import hashlib, json, sys\n"
        "from scrapyd.runner import activate_egg\n"
        "activate_egg(sys.argv[1])\n"
        "import mayadeen\n"
        "from mayadeen.loopback import load_fixtures\n"
        "fixtures = {f.name: hashlib.sha256(f.html()).hexdigest() for f in load_fixtures()}\n"
        "print(json.dumps({'module': mayadeen.__file__, 'fixtures': fixtures}))\n"
    )
    done = subprocess.run(
        [scrapyd.python, "-c", read_in_host, str(scrapyd.egg)],
        capture_output=True,
        text=True,
        cwd=scrapyd.home,
    )
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert answer["module"] == str(scrapyd.egg / "mayadeen" / "__init__.py"), "imported zipped"
    assert answer["fixtures"] == {f.name: sha256(f.html()).hexdigest() for f in load_fixtures()}


def test_a_failed_run_is_finished_for_listjobs_and_died_for_scrapyd(
    scrapyd: Scrapyd, tmp_path: Path
) -> None:
    nobody = f"http://127.0.0.1:{free_port()}"
    job = run_job(
        scrapyd,
        {"MAYADEEN_BASE_URL": nobody, "MAYADEEN_DATA_DIR": str(tmp_path), "RETRY_ENABLED": "0"},
    )
    (listed,) = [j for j in call(scrapyd.root, "listjobs.json")["finished"] if j["id"] == job]
    assert set(listed) == FINISHED_JOB_FIELDS, "no exit status: a failed job looks like any other"
    log = scrapyd.log
    assert f"Process died: exitstatus=1 project='{PROJECT}' spider='articles' job='{job}'" in log
    host = nobody.removeprefix("http://")
    assert f"mayadeen: run failed: cannot reach {host}" in log, "the job's stderr"
    assert f"run failed: cannot reach {host}" in scrapyd.job_log(job)


def test_items_dir_replaces_the_feeds_setting_and_the_per_run_feed_stays(
    scrapyd: Scrapyd, server: LoopbackServer, small_site: GeneratedSite, tmp_path: Path
) -> None:
    """docs/deploy.md: with ``items_dir`` Scrapyd gives every job its own ``FEEDS``, which drops
    any other; the project's feed pipeline writes the per-run CSV all the same."""
    home, items_dir, data_dir = tmp_path / "scrapyd", tmp_path / "items", tmp_path / "data"
    home.mkdir()
    own_feed = tmp_path / "own.jsonl"
    settings = {
        "MAYADEEN_BASE_URL": server.root,
        "MAYADEEN_DATA_DIR": str(data_dir),
        "FEEDS": json.dumps({str(own_feed): {"format": "jsonlines"}}),
    }
    # Another Scrapyd, with items_dir set, running the egg the first one stored.
    with running_scrapyd(home, scrapyd.python, scrapyd.home / "eggs", items_dir) as root:
        other = Scrapyd(home, root, scrapyd.python, scrapyd.egg)
        job = run_job(other, settings)
        listed = call(root, f"listjobs.json?project={PROJECT}")["finished"]

    expected = {f"{server.root}{article.path}" for article in small_site.articles}
    items = items_dir / PROJECT / "articles" / f"{job}.jl"
    assert [j["items_url"] for j in listed] == [f"/items/{PROJECT}/articles/{job}.jl"]
    assert {json.loads(line)["url"] for line in items.read_text("utf-8").splitlines()} == expected
    assert not own_feed.exists(), "the FEEDS given to schedule.json is dropped"
    (feed,) = (data_dir / "feeds").glob("articles-*.csv")
    with feed.open(encoding="utf-8", newline="") as rows:
        assert {row["url"] for row in csv.DictReader(rows)} == expected


def test_a_job_stopped_by_a_usage_error_says_why_in_its_own_log(
    scrapyd: Scrapyd, tmp_path: Path
) -> None:
    job = run_job(scrapyd, {"MAYADEEN_DATA_DIR": str(tmp_path), "MAYADEEN_RECHEK_HOURS": "12"})
    line = (
        "scrapy crawl: error: MAYADEEN_RECHEK_HOURS is not a setting: did you mean "
        "MAYADEEN_RECHECK_HOURS? (the README's settings table lists them all)"
    )
    assert f"Process died: exitstatus=2 project='{PROJECT}' spider='articles' job='{job}'" in (
        scrapyd.log
    )
    assert scrapyd.job_log(job).rstrip().splitlines()[-1].endswith(f"ERROR: {line}")
    assert list(tmp_path.iterdir()) == [], "nothing done"
