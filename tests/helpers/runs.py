"""Running the project's commands as a user would: ``python -m scrapy ...`` in the checkout, a
plain HTTP client that does not follow redirects, and crawls against a loopback site."""

import http.client
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass
from email.message import Message
from pathlib import Path
from urllib.parse import urlsplit

from mayadeen.loopback import GeneratedSite, LoopbackServer
from mayadeen.loopback.generated_article import GeneratedArticle
from mayadeen.loopback.handler import RequestRecord
from tests.helpers.outputs import manifest, stats_of, stored
from tests.helpers.sites import expected

ROOT = Path(__file__).resolve().parents[2]


SHARED = ROOT.parent / "shared"
"""../shared beside the checkout (CI clones it there); tests that compare with it skip without it."""


@dataclass
class Reply:
    status: int
    headers: Message
    body: bytes


def fetch(
    root: str, path: str, method: str = "GET", timeout: float = 10.0, body: bytes | None = None
) -> Reply:
    """One request with http.client: no redirects followed, no decoding, no retries."""
    parts = urlsplit(root)
    connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=timeout)
    try:
        connection.request(method, path, body=body, headers={"User-Agent": "mayadeen-tests"})
        response = connection.getresponse()
        return Reply(response.status, response.headers, response.read())
    finally:
        connection.close()


def run(
    *args: str, env: dict[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """``python -m <args>`` in the checkout, as a user would run it; output captured as text."""
    return subprocess.run(
        [sys.executable, "-m", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
    )


def crawl_arguments(root: str, *arguments: str) -> list[str]:
    """``scrapy crawl articles`` against a loopback ``root`` with politeness off, plus
    ``arguments`` (more command-line options: ``-a``, ``-O``, ``-s``)."""
    politeness_off = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=0"]
    return [
        "scrapy",
        "crawl",
        "articles",
        "-s",
        f"MAYADEEN_BASE_URL={root}",
        *politeness_off,
        *arguments,
    ]


def crawl(
    root: str, data_dir: Path, *arguments: str, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    """The crawl of ``crawl_arguments`` run to its end, with its data in ``data_dir``."""
    return run(
        *crawl_arguments(root, *arguments),
        env={"MAYADEEN_DATA_DIR": str(data_dir)},
        timeout=timeout,
    )


def start_crawl(root: str, data_dir: Path, *arguments: str) -> subprocess.Popen[bytes]:
    """The real command in its own process group, so that SIGKILL takes it all down at once."""
    return subprocess.Popen(
        [sys.executable, "-m", *crawl_arguments(root, "-s", "LOG_LEVEL=WARNING", *arguments)],
        cwd=ROOT,
        env={**os.environ, "MAYADEEN_DATA_DIR": str(data_dir)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def kill_after_rows(data_dir: Path, at_least: int, process: subprocess.Popen[bytes]) -> None:
    """SIGKILL the crawl (its whole process group) once it stored ``at_least`` articles."""
    try:
        wait_for_rows(data_dir, at_least=at_least, process=process)
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=60)


def wait_for_rows(data_dir: Path, at_least: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if len(stored(data_dir)) >= at_least:
                return
        except sqlite3.Error:  # not created yet, or mid-write
            pass
        time.sleep(0.05)
    raise AssertionError(f"the crawl did not store {at_least} articles (exit {process.poll()})")


def reextract(
    root: str, data_dir: Path, *options: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return run(
        "scrapy",
        "reextract",
        "-s",
        f"MAYADEEN_BASE_URL={root}",
        *options,
        env={"MAYADEEN_DATA_DIR": str(data_dir), **(env or {})},
    )


class Run:
    """One crawl of chosen articles: its log, its manifest and the Scrapy stats in it, items by
    URL and the server's request log."""

    def __init__(
        self,
        server: LoopbackServer,
        tmp_path: Path,
        paths: list[str],
        *settings: str,
        expect_rc: int = 0,
    ) -> None:
        out = tmp_path / "items.jsonl"
        done = crawl(
            server.root, tmp_path, "-a", f"urls={','.join(paths)}", "-O", str(out), *settings
        )
        assert done.returncode == expect_rc, done.stderr[-3000:]
        self.log = done.stderr
        lines = out.read_text("utf-8").splitlines() if out.exists() else []
        self.items = {item["url"]: item for item in map(json.loads, lines)}
        self.requests = [r for r in server.requests if r.path != "/robots.txt"]
        self.manifest = manifest(tmp_path)
        self.stats = stats_of(self.manifest)

    def to(self, path: str) -> list[RequestRecord]:
        return [r for r in self.requests if r.path == path]


def assert_item(run: Run, site: GeneratedSite, article: GeneratedArticle, root: str) -> None:
    want = expected(site, article, root)
    got = run.items[want["url"]]
    assert {k: got[k] for k in want} == want, article.entry.path
