"""The near-duplicate signature (``mayadeen.store.near_duplicates.signature``) is datasketch's
MinHash of the body's shingles bit for bit, so the signatures stored before it was computed
without datasketch compare with new ones; and the pairs read from the in-memory index are the
table's."""

import dataclasses
import random
import zlib
from pathlib import Path

import numpy as np
import pytest
from datasketch import MinHash

from mayadeen.items import ArticleItem
from mayadeen.loopback import GeneratedSite
from mayadeen.store import Store, store_path
from mayadeen.store import near_duplicates as nd
from mayadeen.store import shingles as sh
from tests.helpers.near_duplicates import ITEMS, LATER, NOW, long_item, with_words_changed

EDGES = [
    None,
    "",
    " ",
    "...!?",
    "— « » ’",
    "word",
    "Two words",
    "one two three four",
    "one two three four five",
    "one two three four five six",
    "  leading and trailing punctuation, five or six words!  ",
    "snake_case words_with under_scores stay one_word each",
    "Zeinab Ḥ said: «Ṣanʿāʾ’s» ceasefire — “holds” — in Gaza, 2024/11/05.",
    "ĲSSEL Straße İstanbul ΣΊΣΥΦΟΣ ß ﬁne ǅ casefolded",
    "بيروت ١٢ غزة القدس صنعاء دمشق طهران بغداد",
    "emoji 🙂 between 🙂🙂 words and\ttabs\nnew lines\r\nhere",
    "a " * 400,
]


def datasketch_values(body: str | None) -> np.ndarray | None:
    """The signature as it was computed before: a MinHash object updated with the shingles."""
    pieces = sh.shingles(body)
    if not pieces:
        return None
    minhash = MinHash(num_perm=nd.NUM_PERM, seed=nd.SEED, hashfunc=zlib.crc32, scheme=nd.SCHEME)
    minhash.update_batch(pieces)
    return minhash.hashvalues


def random_bodies(count: int) -> list[str]:
    """Words of ASCII, accented, Arabic and CJK letters, digits and punctuation, 0 to 60 of them."""
    rng = random.Random(3)
    letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZéüçḤṢʿبيتح中文0123456789_"
    separators = [" ", "  ", ", ", ". ", " — ", "’", "\n", " (", ") ", "-"]
    return [
        "".join(
            "".join(rng.choices(letters, k=rng.randint(1, 9))) + rng.choice(separators)
            for _ in range(rng.randint(0, 60))
        )
        for _ in range(count)
    ]


def bodies() -> list[str | None]:
    site = GeneratedSite(200, seed=7)
    generated = [site.expected_item(article)["body"] for article in site.articles_by_index]
    fixtures = [item.body for item in ITEMS]
    return [*EDGES, *fixtures, *generated, *random_bodies(300)]


def test_the_signature_is_datasketchs_minhash_bit_for_bit() -> None:
    checked = 0
    for body in bodies():
        expected, got = datasketch_values(body), nd.signature(body)
        if expected is None:
            assert got is None, body
            assert nd.signed(body) is None
            continue
        assert got is not None, body
        assert got.dtype == np.uint32
        assert got.shape == (nd.NUM_PERM,)
        assert np.array_equal(got, expected), body
        assert nd.signed(body) == expected.tobytes()
        checked += 1
    assert checked > 500


@pytest.mark.parametrize("body", EDGES)
def test_the_shingles_are_hashed_as_their_bytes(body: str | None) -> None:
    assert sh.shingle_hashes(body) == [zlib.crc32(piece) for piece in sh.shingles(body)]


def test_the_words_are_joined_as_the_word_pattern_finds_them() -> None:
    """The translated table (``joined_words``) against ``\\w+`` itself: every character below
    U+3000 and every seventh beyond, alone and between words, and the edge bodies."""
    assert len(sh._SPACED) <= sh._Spaced.LIMIT
    bodies = [body or "" for body in EDGES]
    bodies += [
        f"a{chr(code)}b {chr(code)}" for code in range(0x110000) if code % 7 == 0 or code < 0x3000
    ]
    bodies += ["ß ǅ ﬁ İ Σσς ٣٤ ⅷ ½ x\u0301 ‌ zwnj\u200dj _under_score_ tab\tnew\nline\x1c\x85end"]
    for body in bodies:
        assert sh.joined_words(body) == " ".join(sh._WORDS.findall(body.casefold())), repr(body)


def test_the_table_keeps_exactly_the_word_characters_and_none_is_whitespace() -> None:
    """Why ``joined_words`` equals the words ``\\w+`` finds in every body: over every code point,
    the table keeps a character exactly when ``\\w`` matches it, and ``str.split`` splits on no
    character it keeps (the casefolding before both is the same)."""
    for code in range(0x110000):
        char = chr(code)
        word = sh._WORDS.match(char) is not None
        assert sh._SPACED[code] == (code if word else sh._SPACE), hex(code)
        assert not (word and char.isspace()), hex(code)


def test_a_signature_another_writer_dropped_pairs_no_more(tmp_path: Path) -> None:
    """The index keeps the values it was given; the table says which still stand: another
    writer that gives the original a body without words drops its signature."""
    path = store_path(tmp_path)
    original = long_item()
    with Store.open(path) as first, Store.open(path) as second:
        other = next(item for item in ITEMS if item.url != original.url)
        first.put(original, NOW)
        first.commit()
        second.put(other, NOW)  # builds its index, the original's signature in it
        second.commit()
        first.put(dataclasses.replace(original, body="…"), LATER)
        first.commit()
        second.put(with_words_changed(original, 4, original.url + "-copy"), LATER)
        pairs = second.db.execute("SELECT url, of_url FROM near_duplicates").fetchall()
    assert pairs == []


def test_generated_copies_pair_as_the_table_says(tmp_path: Path) -> None:
    """Scores from the index's values equal those of the stored blobs."""
    site = GeneratedSite(60, seed=5)
    items = [
        ArticleItem(**site.expected_item(article), crawled_at=NOW)
        for article in site.articles_by_index
    ]
    copies = [
        with_words_changed(item, 6, item.url + "-copy", seed=n) for n, item in enumerate(items[:8])
    ]
    with Store.open(store_path(tmp_path)) as store:
        for item in [*items, *copies]:
            store.put(item, NOW)
        blobs = dict(store.db.execute("SELECT url, signature FROM article_signatures"))
        pairs = store.db.execute("SELECT url, of_url, similarity FROM near_duplicates").fetchall()
    assert {url for url, _, _ in pairs} == {copy.url for copy in copies}
    for url, of_url, score in pairs:
        equal = np.frombuffer(blobs[url], np.uint32) == np.frombuffer(blobs[of_url], np.uint32)
        assert score == round(float(np.count_nonzero(equal)) / nd.NUM_PERM, 4)
        assert score >= nd.THRESHOLD


def test_the_permutations_are_datasketchs() -> None:
    a, b = MinHash(num_perm=nd.NUM_PERM, seed=nd.SEED, scheme=nd.SCHEME).permutations
    ours_a, ours_b = nd._permutations()
    assert ours_a.dtype == a.dtype
    assert ours_b.dtype == b.dtype
    assert np.array_equal(ours_a.ravel(), a)
    assert np.array_equal(ours_b.ravel(), b)
