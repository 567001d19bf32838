"""``scrapy export --breaking`` as a user runs it: a file or stdout, one line for each refusal."""

import json
from pathlib import Path

from mayadeen.store import Store, store_path
from mayadeen.store.breaking import Sighting, record_sighting
from tests.helpers.runs import run

HOME = "http://127.0.0.1:8123/"


def a_store_with_lines(data_dir: Path) -> None:
    with Store.open(store_path(data_dir)) as store:
        seen = Sighting(HOME, "2026-01-01T10:00:00+00:00", "site")
        record_sighting(store.db, [("Israeli media: Sirens sound", "Israeli media")], seen, "R1")
        store.db.commit()


def test_scrapy_export_breaking(tmp_path: Path) -> None:
    a_store_with_lines(tmp_path)
    env = {"MAYADEEN_DATA_DIR": str(tmp_path)}
    output = tmp_path / "lines.jsonl"
    done = run("scrapy", "export", "--breaking", "-o", str(output), env=env)
    assert done.returncode == 0, done.stderr
    assert done.stderr.strip().splitlines()[-1] == f"export: 1 ticker lines to {output}"
    (line,) = [json.loads(text) for text in output.read_text("utf-8").splitlines()]
    assert (line["text"], line["attribution"]) == ("Israeli media: Sirens sound", "Israeli media")
    done = run("scrapy", "export", "--breaking", "--changed-since", "2026-01-02", env=env)
    assert (done.returncode, done.stdout.splitlines()[0]) == (0, ",".join(line))
    assert len(done.stdout.splitlines()) == 1, "a header and no line"


def test_what_selects_articles_is_refused_in_one_line(tmp_path: Path) -> None:
    a_store_with_lines(tmp_path)
    env = {"MAYADEEN_DATA_DIR": str(tmp_path)}
    done = run("scrapy", "export", "--breaking", "--tag", "Lebanon", env=env)
    assert (done.returncode, done.stderr.strip()) == (
        2,
        "export: --breaking writes the ticker's lines (--changed-since: last seen since): "
        "--tag select articles",
    )
    done = run("scrapy", "export", "--breaking", "-o", str(tmp_path / "l.parquet"), env=env)
    assert (done.returncode, done.stderr.strip()) == (
        2,
        "export: --breaking writes csv, jsonl, json, jsonl.gz, not parquet",
    )
    done = run("scrapy", "export", "--breaking", "--near-duplicates", env=env)
    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert "not allowed with argument" in done.stderr
