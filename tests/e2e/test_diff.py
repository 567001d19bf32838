"""``scrapy diff`` as a user runs it on a store holding an article edited twice (a late paragraph,
then a new headline): each version, the changes since a day, and one-line errors."""

from pathlib import Path

from tests.helpers.diffs import EDITED, ITEMS, SECOND
from tests.helpers.runs import run


def diff(edited_store: Path, *arguments: str) -> tuple[int, str, str]:
    done = run("scrapy", "diff", *arguments, env={"MAYADEEN_DATA_DIR": str(edited_store)})
    return done.returncode, done.stdout, done.stderr


def test_scrapy_diff_shows_each_version_of_an_article(edited_store: Path) -> None:
    code, out, err = diff(edited_store, EDITED.url or "")
    assert code == 0, err
    assert f"== {EDITED.url}" in out
    assert "3 versions stored" in out
    assert f"-- version 1 → 2, stored {SECOND}" in out
    assert "   changed: body, word_count" in out
    assert "{+A late paragraph.+}" in out
    assert f"   word_count: {EDITED.word_count} → 0" in out
    assert "-- version 2 → 3" in out
    assert "   changed: title, tags" in out
    assert "{+will stay home+}" in out
    assert "Minsk]" in out
    body = next(line for line in out.splitlines() if line.startswith("   body: "))
    assert len(body.split()) < 30, "the unchanged body is cut to its context"


def test_scrapy_diff_since_a_day_shows_the_changes_stored_since(edited_store: Path) -> None:
    code, out, err = diff(edited_store, "--since", "2026-11-24")
    assert code == 0, err
    assert "-- version 2 → 3" in out
    assert "-- version 1 → 2" not in out
    assert out.count("== ") == 1
    code, out, err = diff(edited_store, "--since", "2026-12-01")
    assert (code, out) == (0, "")
    assert "diff: no article changed since 2026-12-01" in err


def test_scrapy_diff_errors_are_one_line(edited_store: Path, tmp_path: Path) -> None:
    unedited = ITEMS[1].url or ""
    code, out, err = diff(edited_store, unedited, "https://nowhere.example/x")
    assert code == 1
    assert "never changed since it was first stored" in out
    assert err.strip() == "diff: no article stored at https://nowhere.example/x"
    for arguments in ((), ("--since", "yesterday"), ("--since", "2026-01-01", unedited)):
        code, out, err = diff(edited_store, *arguments)
        assert code == 2, arguments
        assert len(err.strip().splitlines()) == 1, err
        assert err.startswith("scrapy diff: error:"), err
    code, _, err = diff(tmp_path / "empty", unedited)
    assert code == 1
    assert err.strip().startswith("diff: no store at")
