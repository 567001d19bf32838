"""Shared test helpers: a plain HTTP client that does not follow redirects, running the project's
commands, and loopback servers."""

import http.client
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import Message
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from mayadeen.loopback import FixtureSite, GeneratedSite, LoopbackServer

ROOT = Path(__file__).resolve().parents[1]
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


def stat(log: str, name: str) -> int:
    """A counter from the stats Scrapy dumps into its log at the end of a crawl (0 if absent)."""
    match = re.search(rf"'{re.escape(name)}': (\d+)", log)
    return int(match.group(1)) if match else 0


@pytest.fixture(scope="session")
def small_site() -> GeneratedSite:
    return GeneratedSite(300, seed=7)


@pytest.fixture(scope="session")
def fixture_site() -> FixtureSite:
    return FixtureSite()


@pytest.fixture
def server(small_site: GeneratedSite) -> Iterator[LoopbackServer]:
    with LoopbackServer(small_site) as running:
        yield running


@pytest.fixture
def fixture_server(fixture_site: FixtureSite) -> Iterator[LoopbackServer]:
    with LoopbackServer(fixture_site) as running:
        yield running
