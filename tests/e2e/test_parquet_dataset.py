"""``scrapy export -o DIR --format parquet --partition month`` as a user runs it."""

from pathlib import Path

from tests.helpers.pipeline import fixture_items
from tests.helpers.runs import run

ITEMS = list(fixture_items().values())


def test_as_a_user_runs_it(fixture_store: Path, tmp_path: Path) -> None:
    """The real command line: the dataset, then the same DIR again is one line and exit 2."""
    target = tmp_path / "dataset"
    arguments = ("scrapy", "export", "-o", str(target), "--format", "parquet", "--partition")
    done = run(*arguments, "month", env={"MAYADEEN_DATA_DIR": str(fixture_store)})
    assert done.returncode == 0, done.stderr
    assert done.stderr.splitlines()[-1].startswith(f"export: {len(ITEMS)} articles in ")
    again = run(*arguments, "month", env={"MAYADEEN_DATA_DIR": str(fixture_store)})
    assert again.returncode == 2
    assert again.stderr.splitlines() == [
        f"export: {target} is not empty: name a new or empty directory (or remove it first)"
    ]
    bad = run(*arguments, "day", env={"MAYADEEN_DATA_DIR": str(fixture_store)})
    assert bad.returncode == 2
    (line,) = bad.stderr.splitlines()
    assert line.startswith("scrapy export: error: argument --partition: invalid choice: 'day'")
