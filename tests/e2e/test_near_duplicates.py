"""Near-duplicates through the real commands: ``scrapy merge`` pairs the articles of different
stores, ``scrapy export --near-duplicates`` writes the pairs."""

from pathlib import Path

from mayadeen.store import Store, store_path
from tests.helpers.merge import merged, rows
from tests.helpers.near_duplicates import (
    ITEMS,
    NOW,
    a_store_with_a_pair,
    long_item,
    with_words_changed,
)
from tests.helpers.runs import run


def test_a_merge_pairs_the_articles_of_different_stores(tmp_path: Path) -> None:
    """The rule of ``near_duplicates`` in ``scrapy merge``: the merged articles' pairs are
    recomputed against the target's, so a copy crawled by one machine pairs with the original
    crawled by the other, and a pair within a source comes along."""
    from mayadeen.store.ledger import Ledger

    root = "http://127.0.0.1:8999"
    original = long_item()
    copy = with_words_changed(original, 5, original.url + "-copy")
    again = with_words_changed(original, 8, original.url + "-again", seed=1)
    others = [item for item in ITEMS if item is not original][:3]
    stored = {"first": [original], "second": [copy, again, *others]}
    for name, items in stored.items():
        with Store.open(store_path(tmp_path / name)) as store:
            Ledger(store).bind_site(root)
            for item in items:
                store.put(item, NOW)
    target = tmp_path / "target"
    query = "SELECT url, of_url FROM near_duplicates ORDER BY 1, 2"
    for _ in range(2):  # the same merge again changes nothing
        merged(root, target, tmp_path / "first", tmp_path / "second")
        assert rows(target, query) == sorted(
            [(copy.url, original.url), (again.url, original.url), (copy.url, again.url)]
        )
    assert rows(target, "SELECT count(*) FROM article_signatures") == [(6,)]


def test_scrapy_export_near_duplicates(tmp_path: Path) -> None:
    _, copy = a_store_with_a_pair(tmp_path)
    output = tmp_path / "pairs.csv"
    env = {"MAYADEEN_DATA_DIR": str(tmp_path)}
    done = run("scrapy", "export", "--near-duplicates", "-o", str(output), env=env)
    assert done.returncode == 0, done.stderr
    assert done.stderr.strip().splitlines()[-1] == f"export: 1 near-duplicate pairs to {output}"
    assert copy.url in output.read_text(encoding="utf-8")
    done = run("scrapy", "export", "--near-duplicates", "--section", "News", env=env)
    assert done.returncode == 2
    assert done.stderr.strip() == (
        "export: --near-duplicates writes every pair: --section select articles"
    )
    done = run("scrapy", "export", "--near-duplicates", "-o", str(tmp_path / "p.parquet"), env=env)
    assert (done.returncode, done.stderr.strip()) == (
        2,
        "export: --near-duplicates writes csv, jsonl, json, jsonl.gz, not parquet",
    )
