"""Benchmark of ``scrapy reextract`` as a batch job: CPU per page against the floor, and pages per
wall second with ``--jobs 2``.

The archive is made by crawling the generated loopback site once (ARTICLES articles, our WARC
archive on). Then, in ROUNDS interleaved rounds, each a fresh empty data directory:

- the floor: a process that only reads each response record of the archive with warcio and
  parses its page with lxml (nothing extracted, validated or stored);
- ``scrapy reextract --from <archive> --jobs 1`` into an empty data dir: CPU of the whole
  process (start-up included) per page, as a multiple of the floor's measured in the same round
  (target <= 3.5x);
- the same with ``--jobs 2``: pages per wall second (target >= 1,000), CPU of the process and
  its workers.

``--profile`` adds one ``--jobs 1`` run sampled by py-spy (the bench extra) and a table of where
its time per page goes, against the floor. Usage: ``python bench/reextract.py [ARTICLES] [ROUNDS] [--profile]``
(default 10000 3). Asserts nothing; the machine's load is printed beside the figures.
"""

import contextlib
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from harness import ROOT, articles_crawl, load, serving
from lxml import etree
from warcio.archiveiterator import ArchiveIterator

PROFILED = (
    ("start-up: imports", "<frozen importlib._bootstrap>", "_find_and_load"),
    ("`--from`: scanning the files for their records", "mayadeen/warc/scanning.py", "scan"),
    ("the WARC record read by its offset", "mayadeen/warc/reading.py", "read"),
    ("archived page as a Scrapy response", "mayadeen/warc/responses.py", "as_response"),
    ("the page's one parse (lxml)", "mayadeen/pages/extract.py", "page_tree"),
    ("extract(), the parse apart", "mayadeen/pages/extract.py", "extract"),
    ("the ticker's lines", "mayadeen/pages/ticker.py", "read_ticker"),
    ("validity (once a page)", "mayadeen/site/validity.py", "problems"),
    ("the writer per read (_take: steps, feeds, indexing)", "mayadeen/warc/replay.py", "_take"),
    ("- validate", "mayadeen/pipelines/validate.py", "process_item"),
    ("- dedupe", "mayadeen/pipelines/dedupe.py", "process_item"),
    ("- store (rows, versions, near-duplicates)", "mayadeen/pipelines/store.py", "process_item"),
    ("-- near-duplicates (signature, pairs)", "mayadeen/store/near_duplicates.py", "update"),
    ("- commits (the full-text fill included)", "mayadeen/store/db.py", "commit"),
    ("- per-run feeds (CSV, JSON lines gzip)", "mayadeen/run/feeds.py", "_export"),
    ("- indexing a `--from` record", "mayadeen/warc/replay.py", "_index"),
    ("the run's close (ledger, feeds, report)", "mayadeen/run/extension.py", "close"),
)
"""Rows of the profile table: (what, file, function), cumulative time per page."""


def floor(archive: Path) -> int:
    """The floor's own work (run as ``--floor DIR`` in its own process): every response record
    read and its page parsed by lxml. Returns the pages."""
    parser = etree.HTMLParser(recover=True, encoding="utf-8")
    pages = 0
    for path in sorted(archive.glob("*.warc.gz")):
        with path.open("rb") as stream:
            for record in ArchiveIterator(stream):
                if record.rec_type == "response":
                    etree.fromstring(record.content_stream().read(), parser)
                    pages += 1
    return pages


def floor_process(archive: Path) -> tuple[int, float]:
    """The floor as a whole process, as the re-extraction is measured: pages, CPU seconds."""
    process = subprocess.Popen(
        [sys.executable, __file__, "--floor", str(archive)], stdout=subprocess.PIPE, text=True
    )
    assert process.stdout is not None
    pages = int(process.stdout.read().strip())
    _, _, usage = os.wait4(process.pid, 0)
    return pages, usage.ru_utime + usage.ru_stime


def own_cpu(pid: int) -> float:
    """CPU seconds the process has used itself, not its children (``/proc/PID/stat``)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run_watched(
    command: list[str], data: Path, bare: bool = False
) -> tuple[str, float, float, float]:
    """``command`` run to its end: its log, wall seconds, CPU with its workers, and the CPU of
    the main process alone (sampled until it exits): the writer's share, which bounds the
    pages per wall second more processes could reach."""
    env = {**os.environ, "MAYADEEN_DATA_DIR": str(data)}
    with tempfile.TemporaryFile("w+") as log:
        started = time.perf_counter()
        process = subprocess.Popen(
            command if bare else [sys.executable, "-m", "scrapy", *command],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=log,
        )
        own = 0.0
        while True:
            with contextlib.suppress(OSError, IndexError, ValueError):
                own = own_cpu(process.pid)
            pid, _, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            time.sleep(0.05)
        wall = time.perf_counter() - started
        log.seek(0)
        return log.read(), wall, usage.ru_utime + usage.ru_stime, own


def stat_of(log: str, name: str) -> int:
    match = re.search(rf"'{re.escape(name)}': ([0-9]+)", log)
    return int(match.group(1)) if match else 0


def reextract_command(root: str, archive: Path, jobs: int) -> list[str]:
    warcs = sorted(str(path) for path in archive.glob("*.warc.gz"))
    return [
        "reextract",
        "-s",
        f"MAYADEEN_BASE_URL={root}",
        "-s",
        "LOG_LEVEL=INFO",
        "--jobs",
        str(jobs),
        "--from",
        *warcs,
    ]


def sampled(raw: Path) -> tuple[int, list[list[tuple[str, str]]], list[int]]:
    """py-spy's raw samples: the total, each distinct stack as (function, file) frames, and how
    many samples each had."""
    stacks, counts = [], []
    for line in raw.read_text().splitlines():
        stack, _, number = line.rpartition(" ")
        frames = []
        for frame in stack.split(";"):
            name, _, where = frame.rpartition(" (")
            frames.append((name.rpartition(".")[2], where.rpartition(":")[0]))
        stacks.append(frames)
        counts.append(int(number))
    return sum(counts), stacks, counts


def profile(root: str, archive: Path, scratch: Path, floor_ms: float, cpu_ms: float) -> None:
    """One ``--jobs 1`` run sampled by py-spy (out of the process, 250 times a second: the
    shares are the process's own, not a deterministic profiler's, which inflates Python calls
    against C ones), each row's share of the samples applied to ``cpu_ms``, the CPU per page of
    the unsampled runs (a row includes the rows under it, marked ``-``)."""
    raw = scratch / "reextract.raw"
    command = [
        str(Path(sys.executable).with_name("py-spy")),
        "record",
        "-r",
        "250",
        "-f",
        "raw",
        "-o",
        str(raw),
        "--",
    ]
    command += [sys.executable, "-m", "scrapy", *reextract_command(root, archive, 1)]
    log, _, _, _ = run_watched(command, scratch / "profiled", bare=True)
    pages = stat_of(log, "mayadeen/reextract/pages")
    if not pages or not raw.exists():
        sys.exit(f"sampled reextract failed (is py-spy installed? the bench extra):\n{log[-3000:]}")
    total, stacks, counts = sampled(raw)
    per_page = cpu_ms
    print(f"\nwhere the time goes (py-spy, --jobs 1, {pages} pages, {per_page:.3f} ms a page):")
    print("| where | share | ms a page | x floor |")
    print("|---|---:|---:|---:|")
    for what, file, function in PROFILED:
        hits = sum(
            count
            for frames, count in zip(stacks, counts, strict=True)
            if any(name == function and where.endswith(file) for name, where in frames)
        )
        ms = per_page * hits / total
        print(f"| {what} | {hits / total:.0%} | {ms:.3f} | {ms / floor_ms:.2f} |")
    print(f"| the whole process | 100% | {per_page:.3f} | {per_page / floor_ms:.2f} |")


def main() -> None:
    if sys.argv[1:2] == ["--floor"]:
        print(floor(Path(sys.argv[2])))
        return
    arguments = [a for a in sys.argv[1:] if not a.startswith("--")]
    articles = int(arguments[0]) if arguments else 10_000
    rounds = int(arguments[1]) if len(arguments) > 1 else 3
    print(f"reextract benchmark: {articles} articles, {rounds} rounds ({load()})")
    with tempfile.TemporaryDirectory() as name, serving(articles) as server:
        scratch = Path(name)
        crawl = articles_crawl(server, scratch / "crawled")
        print(f"  the archive's crawl: {crawl.summary()}")
        archive = scratch / "crawled" / "archive"
        ratios, rates, floors, ceilings, costs = [], [], [], [], []
        for number in range(rounds):
            pages, floor_cpu = floor_process(archive)
            floors.append(1000 * floor_cpu / pages)
            line = [f"  round {number + 1}: floor {pages} pages, CPU {floor_cpu:.2f} s"]
            for jobs in (1, 2):
                data = scratch / f"round-{number}-jobs-{jobs}"
                log, wall, cpu, own = run_watched(
                    reextract_command(server.root, archive, jobs), data
                )
                read = stat_of(log, "mayadeen/reextract/pages")
                if not read:
                    sys.exit(f"scrapy reextract failed:\n{log[-3000:]}")
                if jobs == 1:
                    ratios.append((cpu / read) / (floor_cpu / pages))
                    costs.append(1000 * cpu / read)
                    line.append(f"--jobs 1 CPU {cpu:.2f} s = {ratios[-1]:.2f}x the floor")
                else:
                    rates.append(read / wall)
                    ceilings.append(read / own)
                    line.append(
                        f"--jobs 2 wall {wall:.2f} s = {rates[-1]:,.0f} pages/s (CPU {cpu:.2f} s"
                        f" with its workers, {own:.2f} s the writing process alone: at most "
                        f"{ceilings[-1]:,.0f} pages per wall s on idle cores)"
                    )
            print("; ".join(line))
        print(
            f"median: --jobs 1 CPU {statistics.median(ratios):.2f}x the floor (target <= 3.5x; "
            f"range {min(ratios):.2f}-{max(ratios):.2f}); --jobs 2 "
            f"{statistics.median(rates):,.0f} pages per wall s (target >= 1,000; range "
            f"{min(rates):,.0f}-{max(rates):,.0f}); the writing process alone "
            f"{statistics.median(ceilings):,.0f} pages per CPU s; floor "
            f"{statistics.median(floors):.3f} ms a page"
        )
        print(f"({load()})")
        if "--profile" in sys.argv:
            median = statistics.median
            profile(server.root, archive, scratch, median(floors), median(costs))


if __name__ == "__main__":
    main()
