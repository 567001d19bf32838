"""One guard for every command that writes a file: an output that is a file the data directory
manages (the store and its SQLite files, the archive, feeds, manifests, quarantine, the lock) is
refused with one line, exit 2, and the file is left as it was; the real commands are run."""

import os
from pathlib import Path

import pytest

from mayadeen.store import Store, store_path
from mayadeen.store.outputs import managed_feed, managed_output
from tests.helpers.pipeline import CRAWLED_AT, fixture_items
from tests.helpers.runs import ROOT, run

MANAGED = {
    "store": "articles.sqlite",
    "wal": "articles.sqlite-wal",
    "shm": "articles.sqlite-shm",
    "archive": "archive/20261121T101500Z-00000.warc.gz",
    "feed": "feeds/articles-20261121T101500Z.csv",
    "partial feed": "feeds/articles-20261121T101500Z.jsonl.gz.partial",
    "manifest": "runs/20261121T101500Z.json",
    "quarantine": "quarantine/20261121T101500Z.jsonl",
    "lock": "crawl.lock",
}


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A data directory with a store of a few articles and one file of each managed kind."""
    directory = tmp_path / "data"
    with Store.open(store_path(directory)) as opened:
        for item in list(fixture_items().values())[:3]:
            opened.put(item, CRAWLED_AT)
    for name in MANAGED.values():
        path = directory / name
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(f"kept: {name}\n".encode())
    return directory


def snapshot(directory: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(directory)): path.read_bytes()
        for path in sorted(directory.rglob("*"))
        if path.is_file()
    }


@pytest.mark.parametrize("kind", list(MANAGED))
def test_every_managed_file_is_recognised_however_spelled(data_dir: Path, kind: str) -> None:
    target = data_dir / MANAGED[kind]
    spellings = [target, data_dir / ".." / data_dir.name / MANAGED[kind]]
    link = data_dir.parent / "link.out"
    link.symlink_to(target)
    spellings.append(link)
    through_link = data_dir.parent / "data-link"
    through_link.symlink_to(data_dir)
    spellings.append(through_link / MANAGED[kind])
    for spelling in spellings:
        assert managed_output(spelling, data_dir), spelling
        assert managed_output(spelling, through_link), spelling


def test_a_hard_link_to_a_managed_file_is_refused_and_other_files_are_not(data_dir: Path) -> None:
    hard = data_dir.parent / "hard.csv"
    os.link(data_dir / MANAGED["archive"], hard)
    assert "hard link" in (managed_output(hard, data_dir) or "")
    assert managed_output(data_dir / "report.html", data_dir) is None
    assert managed_output(data_dir / "mine" / "out.csv", data_dir) is None
    assert managed_output(data_dir.parent / "out.csv", data_dir) is None


def test_feeds_of_other_storages_are_not_files_here(data_dir: Path) -> None:
    assert managed_feed(["stdout:", "s3://bucket/articles.sqlite"], data_dir) is None
    assert managed_feed([f"file://{data_dir}/articles.sqlite"], data_dir)
    assert managed_feed([f"{data_dir}/feeds/mine-%(time)s.csv"], data_dir)


@pytest.mark.e2e
@pytest.mark.parametrize(
    ("command", "kind"),
    [
        (("report", "-o"), "store"),
        (("report", "-o"), "manifest"),
        (("export", "--format", "csv", "-o"), "archive"),
        (("export", "-o"), "feed"),
        (("crawl", "articles", "-O"), "store"),
        (("crawl", "articles", "-o"), "quarantine"),
    ],
)
def test_a_command_writing_onto_a_managed_file_is_refused(
    data_dir: Path, command: tuple[str, ...], kind: str
) -> None:
    before = snapshot(data_dir)
    output = os.path.relpath(data_dir / MANAGED[kind], ROOT)  # as a user in the checkout types it
    if command[0] == "crawl" and not output.endswith((".csv", ".jsonl", ".json")):
        output += ":csv"  # Scrapy needs a format; the guard looks at the file
    done = run("scrapy", *command, output, env={"MAYADEEN_DATA_DIR": str(data_dir)})
    assert done.returncode == 2, done.stderr
    # Scrapy's start-up INFO lines come before a crawl's checks; the refusal is one line after
    *startup, line = done.stderr.splitlines()
    assert not [earlier for earlier in startup if "ERROR" in earlier or "Traceback" in earlier]
    assert f"{output.removesuffix(':csv')}" in line
    assert "another file" in line
    assert snapshot(data_dir) == before  # no file changed, none added (no temporary left)


@pytest.mark.e2e
def test_the_report_is_written_whole_beside_the_data(data_dir: Path) -> None:
    output = data_dir / "report.html"
    done = run("scrapy", "report", "-o", str(output), env={"MAYADEEN_DATA_DIR": str(data_dir)})
    assert done.returncode == 0, done.stderr
    assert output.read_text(encoding="utf-8").lstrip().lower().startswith("<!doctype html")
    assert not [p for p in data_dir.iterdir() if p.name.startswith(".report.html.")]
