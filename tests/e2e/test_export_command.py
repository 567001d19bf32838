"""``scrapy export`` run as a user runs it: the format comes from the file name, and a name that
gives none is a one-line error; ``-`` is stdout; the store is never an output; bad arguments are
one line and exit 2."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from mayadeen.store import store_path
from tests.helpers.exports import ITEMS, read_back, stored
from tests.helpers.runs import ROOT, run


@pytest.mark.parametrize("name", ["x.xml", "x.txt", "x", "x.gz"])
def test_an_unknown_extension_is_a_one_line_error_and_no_file(
    export_store: Path, name: str
) -> None:
    output = export_store / name
    done = run("scrapy", "export", "-o", str(output), env={"MAYADEEN_DATA_DIR": str(export_store)})
    assert done.returncode == 2
    (line,) = done.stderr.splitlines()
    assert str(output) in line
    assert all(word in line for word in (".csv", ".jsonl", ".json", ".jsonl.gz", "--format"))
    assert not output.exists()
    assert done.stdout == "", "never CSV under another name"


def test_an_upper_case_extension_picks_the_format(export_store: Path) -> None:
    output = export_store / "OUT.CSV"
    done = run("scrapy", "export", "-o", str(output), env={"MAYADEEN_DATA_DIR": str(export_store)})
    assert done.returncode == 0, done.stderr
    assert done.stderr.splitlines()[-1] == f"export: {len(ITEMS)} articles to {output}"
    rows = read_back(output.read_bytes(), "csv")
    assert [row["url"] for row in rows] == [article["url"] for article in stored(export_store)]


def store_files(data_dir: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(data_dir.glob("articles.sqlite*"))}


@pytest.mark.parametrize("spelling", ["absolute", "relative", "symlink", "wal", "shm", "no-format"])
def test_an_output_that_is_the_store_is_refused_and_the_store_kept(
    export_store: Path, spelling: str
) -> None:
    target = store_path(export_store)
    before = store_files(export_store)
    output = {
        "absolute": str(target),
        "relative": os.path.relpath(target, ROOT),  # the command runs in the checkout
        "symlink": str(export_store / "link.csv"),
        "wal": f"{target}-wal",
        "shm": f"{target}-shm",
        "no-format": str(target),  # refused for what it is, not for its extension
    }[spelling]
    if spelling == "symlink":
        (export_store / "link.csv").symlink_to(target)
    options = () if spelling == "no-format" else ("--format", "csv")
    done = run(
        "scrapy", "export", "-o", output, *options, env={"MAYADEEN_DATA_DIR": str(export_store)}
    )
    assert done.returncode == 2, done.stderr
    (line,) = done.stderr.splitlines()
    assert line == (
        f"export: {output} is the store ({target}) or one of its files; "
        "write the export to another file"
    )
    assert store_files(export_store) == before
    assert len(stored(export_store)) == len(ITEMS)
    assert not list(export_store.glob("*.partial"))
    assert not list(export_store.glob(".*.partial"))


@pytest.mark.parametrize(
    ("options", "file_format"), [((), "csv"), (("--format", "jsonl"), "jsonl")]
)
def test_dash_is_stdout(export_store: Path, options: tuple[str, ...], file_format: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "scrapy", "export", "-o", "-", *options],
        cwd=ROOT,
        capture_output=True,
        env={**os.environ, "MAYADEEN_DATA_DIR": str(export_store)},
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    records = read_back(done.stdout, file_format)
    assert [r["url"] for r in records] == [a["url"] for a in stored(export_store)]
    assert not (ROOT / "-").exists()
    assert not (export_store / "-").exists()


@pytest.mark.parametrize(
    ("arguments", "cause"),
    [
        (["--since", "notadate"], "'notadate' is not a date (YYYY-MM-DD)"),
        (["--format", "xml"], "invalid choice: 'xml'"),
    ],
)
def test_a_bad_argument_is_one_line_and_exit_2(
    export_store: Path, arguments: list[str], cause: str
) -> None:
    done = run("scrapy", "export", *arguments, env={"MAYADEEN_DATA_DIR": str(export_store)})
    assert done.returncode == 2
    (line,) = done.stderr.splitlines()
    assert line.startswith("scrapy export: error: ")
    assert cause in line
