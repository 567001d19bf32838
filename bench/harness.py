"""What the crawl benchmarks share: a loopback site served from its own process, crawls run as
subprocesses with their peak RSS and CPU time, and the figures Scrapy dumps at the end of a crawl.

The server runs in a separate process so its work never sits in the measured crawler's process;
its CPU time is read around each crawl, so a benchmark can say whether the server kept up.
"""

import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from mayadeen import settings as project_settings

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # the scripts run as `python bench/NAME.py`; tests/ has helpers
    sys.path.insert(1, str(ROOT))
SCRAPY = [sys.executable, "-m", "scrapy"]
LOOPBACK = [sys.executable, "-m", "mayadeen.loopback"]
BARE_SPIDER = Path(__file__).resolve().parent / "bare_spider.py"
LIST_SPIDER = Path(__file__).resolve().parent / "list_spider.py"

ENGINE = {
    "DOWNLOAD_DELAY": "0",
    "AUTOTHROTTLE_ENABLED": "0",
    "CONCURRENT_REQUESTS": "32",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "32",
    "ROBOTSTXT_OBEY": "1",
    "LOG_LEVEL": "INFO",
}
"""Politeness off, high concurrency, robots.txt obeyed: the same for every crawl measured."""

TUNING = ("CONCURRENT_ITEMS",)
"""Scrapy settings the project tunes for speed (mayadeen/settings.py), not for politeness."""


def load() -> str:
    """The machine's load averages and cores, to print beside each figure."""
    one, five, fifteen = os.getloadavg()
    return f"load {one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} cores"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class Server:
    """``python -m mayadeen.loopback --articles N`` in its own process."""

    def __init__(self, articles: int, port: int) -> None:
        self.process = subprocess.Popen(
            [*LOOPBACK, "--articles", str(articles), "--port", str(port)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        assert self.process.stdout is not None
        self.root = self.process.stdout.readline().strip()
        if not self.root.startswith("http://"):
            self.process.kill()
            raise RuntimeError(f"the loopback server did not start (port {port})")

    def cpu_seconds(self) -> float:
        """User + system CPU seconds of the server process so far (Linux: ``/proc``)."""
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rpartition(")")[2].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def requests(self) -> list[dict[str, object]]:
        """The server's request log so far (every request answered, in order)."""
        with urllib.request.urlopen(f"{self.root}/__loopback__/requests", timeout=60) as reply:
            log: list[dict[str, object]] = json.load(reply)
        return log

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


@contextmanager
def serving(articles: int, port: int | None = None) -> Iterator[Server]:
    server = Server(articles, port or free_port())
    try:
        yield server
    finally:
        server.stop()


@dataclass
class Crawl:
    """One finished crawl process and what it cost."""

    returncode: int
    log: str
    wall: float
    """Seconds from starting the process to its exit (interpreter and Scrapy start-up included)."""
    cpu: float
    """User + system CPU seconds of the crawl process."""
    peak_rss: int
    """Peak resident set size of the crawl process, bytes (``ru_maxrss``)."""
    server_cpu: float
    """CPU seconds the server spent while the crawl ran."""
    requests: list[dict[str, object]]
    """What the server answered during the crawl."""

    def stat(self, name: str) -> float:
        """A figure from the stats Scrapy dumps at the end (0 if absent)."""
        match = re.search(rf"'{re.escape(name)}': ([0-9.]+)", self.log)
        return float(match.group(1)) if match else 0.0

    @property
    def pages(self) -> int:
        return int(self.stat("response_received_count"))

    @property
    def seconds(self) -> float:
        """Scrapy's ``elapsed_time_seconds``: from the engine's start to the spider's close."""
        return self.stat("elapsed_time_seconds")

    @property
    def pages_per_second(self) -> float:
        return self.pages / self.seconds if self.seconds else 0.0

    @property
    def pages_per_cpu_second(self) -> float:
        """Pages per CPU second of the crawl process: steadier than pages/s on a busy machine
        (a crawl is CPU-bound, so other work slows the clock, not the CPU time per page)."""
        return self.pages / self.cpu if self.cpu else 0.0

    @property
    def server_share(self) -> float:
        """The server's CPU time as a share of one core over the crawl."""
        return self.server_cpu / self.seconds if self.seconds else 0.0

    def paths(self) -> set[str]:
        """Every path (with its query) the server answered during the crawl."""
        return {
            f"{r['path']}?{r['query']}" if r["query"] else str(r["path"]) for r in self.requests
        }

    def summary(self) -> str:
        return (
            f"{self.pages:>7} pages in {self.seconds:6.1f} s = {self.pages_per_second:6.0f} pages/s;"
            f" crawler CPU {self.cpu:5.1f} s ({self.pages_per_cpu_second:4.0f} pages/CPU s),"
            f" peak RSS {self.peak_rss / 2**20:5.0f} MiB;"
            f" server CPU {self.server_share:4.0%} of a core"
        )


def run_crawl(
    server: Server, command: Sequence[str], data_dir: Path | None = None, cwd: Path = ROOT
) -> Crawl:
    """Run ``command`` (a ``scrapy`` command line after ``python -m scrapy``) to its end."""
    before_requests = len(server.requests())
    before_cpu = server.cpu_seconds()
    env = {**os.environ, "MAYADEEN_DATA_DIR": str(data_dir or cwd / "data")}
    env.pop("SCRAPY_SETTINGS_MODULE", None)
    with tempfile.TemporaryFile("w+") as output:
        started = time.perf_counter()
        process = subprocess.Popen(
            [*SCRAPY, *command], cwd=cwd, stdout=output, stderr=subprocess.STDOUT, env=env
        )
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        output.seek(0)
        log = output.read()
    server_cpu = server.cpu_seconds() - before_cpu
    return Crawl(
        returncode=process.returncode,
        log=log,
        wall=wall,
        cpu=usage.ru_utime + usage.ru_stime,
        peak_rss=usage.ru_maxrss * 1024,
        server_cpu=server_cpu,
        requests=server.requests()[before_requests:],
    )


def settings_arguments(settings: dict[str, str]) -> list[str]:
    return [argument for name, value in settings.items() for argument in ("-s", f"{name}={value}")]


def articles_crawl(server: Server, data_dir: Path, *extra: str) -> Crawl:
    """The real ``scrapy crawl articles`` (extraction, pipelines, store, feed), politeness off."""
    command = ["crawl", "articles", "-s", f"MAYADEEN_BASE_URL={server.root}"]
    crawl = run_crawl(server, [*command, *settings_arguments(ENGINE), *extra], data_dir)
    if crawl.returncode != 0:
        sys.exit(f"scrapy crawl articles failed ({crawl.returncode}):\n{crawl.log[-3000:]}")
    return crawl


def bare_crawl(server: Server, *extra: str, tuned: bool = False) -> Crawl:
    """The bare spider of ``bench/bare_spider.py``: Scrapy's defaults, no project settings (run
    where there is no ``scrapy.cfg``), the same engine settings as ``articles_crawl``; ``tuned``
    also gives it the project's engine tuning (``TUNING``), so a ratio shows only what the
    project's own work costs."""
    tuning = {name: str(getattr(project_settings, name)) for name in TUNING} if tuned else {}
    with tempfile.TemporaryDirectory() as directory:
        command = ["runspider", str(BARE_SPIDER), "-a", f"root={server.root}"]
        command += settings_arguments(tuning)
        crawl = run_crawl(
            server,
            [*command, *settings_arguments(ENGINE), *extra],
            cwd=Path(directory),
        )
    if crawl.returncode != 0:
        sys.exit(f"the bare spider failed ({crawl.returncode}):\n{crawl.log[-3000:]}")
    return crawl


def list_crawl(server: Server, urls: Sequence[str], *extra: str) -> Crawl:
    """Scrapy's defaults fetching ``urls`` and nothing else (``bench/list_spider.py``), with the
    same engine settings as ``articles_crawl``: the floor of any crawl of those pages."""
    with tempfile.TemporaryDirectory() as directory:
        listed = Path(directory) / "urls.txt"
        listed.write_text("\n".join(urls), encoding="utf-8")
        command = ["runspider", str(LIST_SPIDER), "-a", f"urls_file={listed}"]
        crawl = run_crawl(
            server, [*command, *settings_arguments(ENGINE), *extra], cwd=Path(directory)
        )
    if crawl.returncode != 0:
        sys.exit(f"the list spider failed ({crawl.returncode}):\n{crawl.log[-3000:]}")
    return crawl
