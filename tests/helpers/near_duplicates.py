"""Stores and articles for the near-duplicate tests: copies with words changed."""

import dataclasses
import random
from pathlib import Path

from mayadeen.items import ArticleItem
from mayadeen.store import Store, store_path
from tests.helpers.pipeline import fixture_items

ITEMS = list(fixture_items().values())
NOW, LATER = "2026-11-21T10:00:00+00:00", "2026-11-22T10:00:00+00:00"


def with_words_changed(item: ArticleItem, count: int, url: str, seed: int = 0) -> ArticleItem:
    """``item`` under ``url`` with ``count`` of its body's words replaced by words of no
    article."""
    words = (item.body or "").split(" ")
    for n, position in enumerate(random.Random(seed).sample(range(len(words)), count)):
        words[position] = f"zq{n}x"
    return dataclasses.replace(item, url=url, body=" ".join(words))


def long_item() -> ArticleItem:
    return max(ITEMS, key=lambda item: len(item.body or ""))


def a_store_with_a_pair(data_dir: Path) -> tuple[ArticleItem, ArticleItem]:
    original = long_item()
    copy = dataclasses.replace(
        with_words_changed(original, 4, original.url + "-copy"), title="Zeinab Ḥ copies"
    )
    with Store.open(store_path(data_dir)) as store:
        for item in [*ITEMS, copy]:
            store.put(item, NOW)
    return original, copy
