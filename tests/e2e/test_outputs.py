"""One guard for every command that writes a file: the real commands refuse an output that is a
file the data directory manages with one line, exit 2, and leave the file as it was."""

import os
from pathlib import Path

import pytest

from tests.helpers.managed import MANAGED
from tests.helpers.runs import ROOT, run


def snapshot(directory: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(directory)): path.read_bytes()
        for path in sorted(directory.rglob("*"))
        if path.is_file()
    }


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
    managed_dir: Path, command: tuple[str, ...], kind: str
) -> None:
    before = snapshot(managed_dir)
    output = os.path.relpath(
        managed_dir / MANAGED[kind], ROOT
    )  # as a user in the checkout types it
    if command[0] == "crawl" and not output.endswith((".csv", ".jsonl", ".json")):
        output += ":csv"  # Scrapy needs a format; the guard looks at the file
    done = run("scrapy", *command, output, env={"MAYADEEN_DATA_DIR": str(managed_dir)})
    assert done.returncode == 2, done.stderr
    # Scrapy's start-up INFO lines come before a crawl's checks; the refusal is one line after
    *startup, line = done.stderr.splitlines()
    assert not [earlier for earlier in startup if "ERROR" in earlier or "Traceback" in earlier]
    assert f"{output.removesuffix(':csv')}" in line
    assert "another file" in line
    assert snapshot(managed_dir) == before  # no file changed, none added (no temporary left)


def test_the_report_is_written_whole_beside_the_data(managed_dir: Path) -> None:
    output = managed_dir / "report.html"
    done = run("scrapy", "report", "-o", str(output), env={"MAYADEEN_DATA_DIR": str(managed_dir)})
    assert done.returncode == 0, done.stderr
    assert output.read_text(encoding="utf-8").lstrip().lower().startswith("<!doctype html")
    assert not [p for p in managed_dir.iterdir() if p.name.startswith(".report.html.")]
