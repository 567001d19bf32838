"""End to end: SIGTERM or Ctrl-C stops a real ``scrapy crawl articles`` within seconds even while
it waits for a long ``Retry-After`` or behind a backed-off download slot; the requests it stops
waiting for are counted as given up, and the store is left whole."""

import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from mayadeen.loopback import GeneratedSite, LoopbackServer
from tests.helpers.outputs import run_stats, stored
from tests.helpers.runs import ROOT, crawl_arguments, wait_for_rows
from tests.helpers.sites import articles


def wait_for(ready: Callable[[], bool], process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        if ready():
            return
        time.sleep(0.05)
    raise AssertionError(f"the crawl never got there:\n{log.read_text('utf-8')[-3000:]}")


SCENARIOS = {
    # A 429 or 503 with a long Retry-After: the retry waits 600 s (and the host is slowed down).
    "429": (("ratelimit:600",), ()),
    "503": (("unavailable:600",), ()),
    # Every request queued behind the download slot's delay (DOWNLOAD_DELAY, AutoThrottle or the
    # back-off after blocks all set it).
    "delay": ((), ("-s", "DOWNLOAD_DELAY=600")),
}


@pytest.mark.parametrize(
    ("scenario", "stop"),
    [("429", signal.SIGTERM), ("503", signal.SIGINT), ("delay", signal.SIGTERM)],
    ids=["429-SIGTERM", "503-SIGINT", "delay-SIGTERM"],
)
def test_a_graceful_stop_does_not_wait_out_retry_after_or_delays(
    small_site: GeneratedSite,
    server: LoopbackServer,
    tmp_path: Path,
    scenario: str,
    stop: signal.Signals,
) -> None:
    faults, more_settings = SCENARIOS[scenario]
    fine, *limited = articles(small_site, "/news/", 6)
    for article in limited:
        for fault in faults:
            server.add_fault(f"{article.entry.path}={fault}")
    paths = [fine.entry.path, *(a.entry.path for a in limited)]
    log = tmp_path / "crawl.log"
    settings = [
        "-a",
        f"urls={','.join(paths)}",
        "-s",
        "MAYADEEN_RETRY_AFTER_MAX=900",
        *more_settings,
    ]
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", *crawl_arguments(server.root, *settings)],
            cwd=ROOT,
            env={**os.environ, "MAYADEEN_DATA_DIR": str(tmp_path)},
            stdout=output,
            stderr=output,
        )
        try:
            if faults:  # every limited article answered and waiting for its retry
                wanted = len(limited)
                text = "retrying in 600.0 s as Retry-After asks"
                wait_for(lambda: log.read_text("utf-8").count(text) == wanted, process, log)
            else:  # robots.txt fetched: the articles queue behind the slot's delay
                wait_for(lambda: bool(server.requests), process, log)
                time.sleep(0.5)
            process.send_signal(stop)
            # Waited out, the 600 s would outlast this; cut short, the crawl ends well within it.
            process.wait(timeout=60)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
    text = log.read_text("utf-8")
    assert process.returncode == 1, text[-3000:]
    assert "Closing spider (shutdown)" in text
    assert "run failed: the crawl did not finish (close reason: shutdown)" in text
    assert "Traceback" not in text
    stats = run_stats(tmp_path)
    given_up = stats["mayadeen/given_up/shutdown"]
    waiting = len(limited) if faults else len(paths)
    assert given_up == waiting, "every request that was waiting, given up"
    assert stats["mayadeen/urls/failed"] == 0, "given up, not reported again as failed"
    assert f"Shutdown: {waiting} requests that were waiting were not sent" in text
    with sqlite3.connect(tmp_path / "articles.sqlite") as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        urls = [row[0] for row in db.execute("SELECT url FROM articles")]
        (reason,) = db.execute("SELECT close_reason FROM runs").fetchone()
    assert urls == ([f"{server.root}{fine.entry.path}"] if faults else [])
    assert reason == "shutdown"
    (manifest,) = (tmp_path / "runs").glob("*.json")
    assert json.loads(manifest.read_text("utf-8"))["given_up"] == {"shutdown": given_up}


def test_a_forced_stop_counts_in_its_failure_line_only_what_the_store_committed(
    tmp_path: Path,
) -> None:
    """Ctrl-C twice (Scrapy's forced stop): the batch not yet committed is lost with the process,
    and the failure line says how many articles the store holds, not how many were scraped."""
    generated = GeneratedSite(300, seed=5)
    with LoopbackServer(generated) as server:
        server.add_fault("/news/*/*=slow:0.02")
        log = tmp_path / "crawl.log"
        command = crawl_arguments(server.root, "-s", "MAYADEEN_STORE_BATCH_SIZE=25")
        with log.open("wb") as output:
            process = subprocess.Popen(
                [sys.executable, "-m", *command],
                cwd=ROOT,
                env={**os.environ, "MAYADEEN_DATA_DIR": str(tmp_path)},
                stdout=output,
                stderr=output,
            )
            try:
                wait_for_rows(tmp_path, at_least=30, process=process)
                process.send_signal(signal.SIGINT)
                time.sleep(0.3)
                process.send_signal(signal.SIGINT)
                process.wait(timeout=60)
            finally:
                if process.poll() is None:
                    process.kill()
                    process.wait()
    text = log.read_text("utf-8")
    # 1, or killed by the second SIGINT when it lands after the run's own close: failed either way.
    assert process.returncode in (1, -signal.SIGINT), text[-3000:]
    said = re.search(r"run failed: .*?(\d+) articles? stored", text)
    assert said is not None, text[-3000:]
    assert int(said.group(1)) == len(stored(tmp_path)), text[-2000:]
