"""End to end: the README's first command without the network. A site whose name does not resolve,
or whose port refuses the connection, fails the run within seconds with one line naming the host,
the cause and what to check, and leaves nothing that changes a later run: no site bound to the
data directory, no empty feed."""

import json
import socket
import sqlite3
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from mayadeen.loopback import LoopbackServer
from tests.helpers.runs import crawl


def closed_port() -> int:
    """A loopback port nothing listens on (bound once, then let go)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


@pytest.mark.parametrize(
    ("root", "cause"),
    [
        ("https://site.invalid", "its name does not resolve (DNS lookup failed)"),
        (None, "connection refused"),
    ],
    ids=["dns", "refused"],
)
def test_a_site_that_cannot_be_reached_fails_at_once_in_one_line_and_binds_nothing(
    root: str | None, cause: str, server: LoopbackServer, tmp_path: Path
) -> None:
    root = root or f"http://127.0.0.1:{closed_port()}"
    done = crawl(root, tmp_path, timeout=120)  # retries on, as the README's command runs

    assert done.returncode == 1
    lines = done.stderr.rstrip().splitlines()
    assert lines[-1].endswith(
        f"ERROR: run failed: cannot reach {urlsplit(root).netloc}: {cause}; check this "
        "machine's network connection and DNS, or set https_proxy if it reaches the web "
        "through a proxy (or MAYADEEN_BASE_URL, if it is wrong)"
    ), lines[-1]
    assert [line for line in lines if " ERROR: " in line] == [lines[-1]], done.stderr[-3000:]
    assert "Traceback" not in done.stderr
    assert "Gave up retrying" not in done.stderr  # before: each of 31 requests retried 3 times

    (path,) = (tmp_path / "runs").glob("*.json")
    manifest = json.loads(path.read_text("utf-8"))
    assert manifest["close_reason"] == "unreachable"
    assert manifest["outcome"]["exit_status"] == 1
    assert manifest["outputs"]["feeds"] == []
    assert not list(tmp_path.glob("feeds/*")), "no empty feed that reads as a quiet day"
    with sqlite3.connect(tmp_path / "articles.sqlite") as db:
        assert db.execute("SELECT * FROM site").fetchall() == [], "no site bound"

    # A later try-out of another site on the same data directory is not refused.
    later = crawl(server.root, tmp_path, "-a", "max_articles=3")
    assert later.returncode == 0, later.stderr[-3000:]
    with sqlite3.connect(tmp_path / "articles.sqlite") as db:
        assert db.execute("SELECT value FROM site").fetchall() == [(server.root,)]
