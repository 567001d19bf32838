"""How stored articles changed: the versions read back from the store and the fields and words
that changed between them (``mayadeen.report.changes``), on a store holding an article edited
twice (a late paragraph, then a new headline)."""

from pathlib import Path

from mayadeen.report.changes import changes, word_diff, words_changed
from mayadeen.store import Store, store_path
from mayadeen.store.versions import edited_urls, resolve, versions
from tests.helpers.diffs import EDITED, NEW_TITLE, SECOND, THIRD
from tests.helpers.pipeline import CRAWLED_AT


def test_words_and_fields_of_each_change(edited_store: Path) -> None:
    with Store.open(store_path(edited_store), readonly=True) as store:
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


def test_a_path_or_an_alias_names_the_stored_article(edited_store: Path) -> None:
    url = EDITED.url or ""
    path = "/" + url.split("/", 3)[3]
    with Store.open(store_path(edited_store)) as store:
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
