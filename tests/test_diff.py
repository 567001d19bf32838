"""How stored articles changed: the versions read back from the store, the fields and words that
changed between them (``mayadeen.report.changes``), and ``scrapy diff`` as a user runs it on a
store holding an article edited twice (a late paragraph, then a new headline)."""

from pathlib import Path

import pytest

from mayadeen.report.changes import changes, word_diff, words_changed
from mayadeen.store import Store, store_path
from mayadeen.store.versions import edited_urls, resolve, versions
from tests.helpers.pipeline import CRAWLED_AT, changed, fixture_items
from tests.helpers.runs import run

ITEMS = list(fixture_items().values())
EDITED = ITEMS[0]
SECOND = "2026-11-23T10:00:00+00:00"
THIRD = "2026-11-25T08:30:00+00:00"
NEW_TITLE = "Lukashenko: Belarus troops will stay home"


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    with Store.open(store_path(data)) as store:
        store.db.execute("INSERT INTO site (key, value) VALUES ('root', ?)", (_root(),))
        for item in ITEMS:
            store.put(item, CRAWLED_AT)
        late = changed(EDITED, body=EDITED.body + "\n\nA late paragraph.", word_count=0)
        store.put(late, SECOND)
        store.put(changed(late, title=NEW_TITLE, tags=[*EDITED.tags, "Minsk"]), THIRD)
    return data


def _root() -> str:
    assert EDITED.url is not None
    scheme, _, rest = EDITED.url.partition("://")
    return f"{scheme}://{rest.split('/', 1)[0]}"


def test_words_and_fields_of_each_change(data_dir: Path) -> None:
    with Store.open(store_path(data_dir), readonly=True) as store:
        history = versions(store.db, EDITED.url or "")
        assert [v.number for v in history] == [1, 2, 3]
        assert [v.stored_at for v in history] == [CRAWLED_AT, SECOND, THIRD]
        first, second = changes(history)
        assert first.fields == ("body", "word_count")
        assert first.words_changed == 3
        assert first.headline is None
        assert second.fields == ("title", "tags")
        assert second.headline == (EDITED.title, NEW_TITLE)
        assert first.hours_after_publication is not None
        assert first.hours_after_publication > 24 * 365
        assert edited_urls(store.db) == [EDITED.url]
        assert edited_urls(store.db, "2026-11-24") == [EDITED.url]
        assert edited_urls(store.db, "2026-11-26") == []


def test_a_path_or_an_alias_names_the_stored_article(data_dir: Path) -> None:
    url = EDITED.url or ""
    path = "/" + url.split("/", 3)[3]
    with Store.open(store_path(data_dir)) as store:
        store.add_alias(url + "-copy", url, EDITED.content_hash, CRAWLED_AT)
        store.commit()
        assert resolve(store.db, url) == url
        assert resolve(store.db, path) == url
        assert resolve(store.db, url + "-copy") == url
        assert resolve(store.db, url + "-other") is None


def test_a_word_diff_marks_removed_and_added_words_and_cuts_long_context() -> None:
    old = " ".join(f"w{n}" for n in range(40))
    new = old.replace("w20", "twenty") + " end"
    expected = "… w17 w18 w19 [-w20-] {+twenty+} w21 w22 w23 … w37 w38 w39 {+end+}"
    assert word_diff(old, new, context=3) == expected
    assert word_diff("same words", "same words") == "same words"
    assert words_changed(old, new) == 3


def diff(data_dir: Path, *arguments: str) -> tuple[int, str, str]:
    done = run("scrapy", "diff", *arguments, env={"MAYADEEN_DATA_DIR": str(data_dir)})
    return done.returncode, done.stdout, done.stderr


@pytest.mark.e2e
def test_scrapy_diff_shows_each_version_of_an_article(data_dir: Path) -> None:
    code, out, err = diff(data_dir, EDITED.url or "")
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


@pytest.mark.e2e
def test_scrapy_diff_since_a_day_shows_the_changes_stored_since(data_dir: Path) -> None:
    code, out, err = diff(data_dir, "--since", "2026-11-24")
    assert code == 0, err
    assert "-- version 2 → 3" in out
    assert "-- version 1 → 2" not in out
    assert out.count("== ") == 1
    code, out, err = diff(data_dir, "--since", "2026-12-01")
    assert (code, out) == (0, "")
    assert "diff: no article changed since 2026-12-01" in err


@pytest.mark.e2e
def test_scrapy_diff_errors_are_one_line(data_dir: Path, tmp_path: Path) -> None:
    unedited = ITEMS[1].url or ""
    code, out, err = diff(data_dir, unedited, "https://nowhere.example/x")
    assert code == 1
    assert "never changed since it was first stored" in out
    assert err.strip() == "diff: no article stored at https://nowhere.example/x"
    for arguments in ((), ("--since", "yesterday"), ("--since", "2026-01-01", unedited)):
        code, out, err = diff(data_dir, *arguments)
        assert code == 2, arguments
        assert len(err.strip().splitlines()) == 1, err
        assert err.startswith("scrapy diff: error:"), err
    code, _, err = diff(tmp_path / "empty", unedited)
    assert code == 1
    assert err.strip().startswith("diff: no store at")
