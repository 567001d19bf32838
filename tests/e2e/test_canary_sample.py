"""The project's own ``scrapy loopback --archives`` passes ``scrapy canary --via wayback --sample
N``, the command run as a user runs it."""

import os
import subprocess
import sys
from pathlib import Path

from tests.helpers.runs import ROOT


def test_the_projects_own_loopback_archives_pass_the_canary_over_wayback(tmp_path: Path) -> None:
    """``scrapy loopback --archives`` and ``scrapy canary --via wayback --sample 5``, as a user
    runs them: the generated site has none of the canary pages (not captured, not checked), and
    its sampled pages match."""
    server = subprocess.Popen(
        [sys.executable, "-m", "scrapy", "loopback", "--port", "0", "--articles", "30",
         "--archives"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert server.stdout is not None
        assert server.stderr is not None
        root = server.stdout.readline().strip()
        archive = next(
            line.split()[2] for line in server.stderr if line.startswith("web archives: ")
        )
        done = subprocess.run(
            [sys.executable, "-m", "scrapy", "canary", "--via", "wayback", "--sample", "5",
             "-s", f"MAYADEEN_BASE_URL={root}", "-s", f"MAYADEEN_WAYBACK_URL={archive}",
             "-s", "MAYADEEN_ARCHIVE_DELAY=0", "-s", "DOWNLOAD_DELAY=0"],
            cwd=ROOT, capture_output=True, text=True, timeout=120,
            env={**os.environ, "MAYADEEN_DATA_DIR": str(tmp_path)},
        )  # fmt: skip
    finally:
        server.terminate()
        server.wait(timeout=10)
    assert done.returncode == 0, done.stdout + done.stderr[-3000:]
    lines = done.stdout.splitlines()
    assert sum(line.startswith("sample ") and line.endswith(": matches") for line in lines) == 5
    assert "across 5 sampled pages: matches" in lines
    assert lines[-1] == "canary: all 5 pages match (2 without a Wayback capture, not checked)"
