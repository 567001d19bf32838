"""Near-duplicates: the same story stored under two URLs with small edits (the site republishes
agency copy), which the exact ``content_hash`` misses. Flagged in ``near_duplicates`` as each
article is stored, never merged: schema version 8.

Each article's body gets a MinHash signature of its word shingles (``datasketch``'s, computed
in numpy: the tests hold it to datasketch's own), kept in the hidden ``article_signatures``; an
in-memory banded index of the most recent signatures (``store/bands.py``) finds the candidates,
and a candidate whose estimated Jaccard similarity reaches ``THRESHOLD`` is a pair. The index
is rebuilt from the table the first time a store opened for writing stores an article, so a
reopened store, ``scrapy reextract`` and ``scrapy merge`` find pairs with earlier articles.
Figures (precision, recall, µs per article, memory): ``bench/near_duplicates.py``.
"""

import sqlite3
from collections.abc import Iterable
from functools import cache
from typing import Final

import numpy as np

from mayadeen.store.bands import BandIndex, Signature
from mayadeen.store.shingles import shingle_hashes

THRESHOLD: Final = 0.5
"""The estimated Jaccard similarity of the bodies' shingles from which two articles are
near-duplicates: a copy with a twentieth of its words changed (about 0.6), or one that added a
paragraph or two to the same text, yet twice the highest similarity of unrelated articles."""

NUM_PERM: Final = 128
"""Hash functions per signature: the similarity is estimated within about ±0.044 (one standard
deviation at 0.5); the signature is 512 bytes."""

BANDS: Final = (16, 4)
"""The LSH index's bands and rows per band, over the signature's first 64 values: a pair at 0.5
is a candidate with probability 0.64, at 0.6 0.89, at 0.7 0.99. Fewer bands than datasketch's
optimum for 0.5 (25 of 5): the index's memory is per band, and candidates are checked anyway."""

INDEXED_ARTICLES: Final = 5_000
"""How many of the most recently stored signatures the index holds: its memory is bounded by
this, about 5.5 KB an article (27 MB; ``bench/near_duplicates.py``). A copy is found while the
article it copies is among them: wire copies appear within days of each other, and 5,000
articles are weeks of the site. Older articles stay in the tables, only no longer compared."""

SEED: Final = 1
SCHEME: Final = "affine32"
"""datasketch's permutation scheme, named so that another default of a later version does not
make the stored signatures incomparable with new ones."""

TABLES: Final = (
    """CREATE TABLE near_duplicates (
  url TEXT NOT NULL,
  of_url TEXT NOT NULL,
  similarity REAL NOT NULL,
  found_at TEXT NOT NULL,
  PRIMARY KEY (url, of_url)
) WITHOUT ROWID""",
    "CREATE INDEX near_duplicates_of_url ON near_duplicates(of_url)",
    # AUTOINCREMENT: ids only grow, so ``id > last seen`` finds every signature written since,
    # a rewritten one included (another writer's, when workers share the store).
    """CREATE TABLE article_signatures (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  url TEXT NOT NULL UNIQUE,
  signature BLOB NOT NULL
)""",
)
"""``near_duplicates``: one row a pair, ``url`` the copy and ``of_url`` the article published
first; ``article_signatures``: each article body's MinHash (hidden in Datasette)."""

NEAR_DUPLICATE_COLUMNS: Final = (
    *("url", "title", "published_at", "of_url", "of_title", "of_published_at"),
    *("similarity", "found_at"),
)
"""A pair as ``Store.near_duplicates`` reads it and ``scrapy export --near-duplicates`` writes it."""

NEAR_DUPLICATE_PAIRS: Final = (
    "SELECT n.url, a.title, a.published_at, n.of_url, o.title, o.published_at, n.similarity, "
    "n.found_at FROM near_duplicates n JOIN articles a ON a.url = n.url "
    "JOIN articles o ON o.url = n.of_url ORDER BY n.found_at, n.url, n.of_url"
)


@cache
def _permutations() -> tuple[Signature, Signature]:
    """datasketch's ``affine32`` permutations for ``SEED`` (``a``, ``b``: its
    ``MinHash._init_permutations``, an odd ``a`` and a ``b`` per hash function from numpy's
    ``RandomState``, whose stream numpy keeps fixed; the same, tested), made once, as rows to
    broadcast. Drawn here rather than asked of datasketch, whose package imports SciPy: 0.36 s
    of CPU for every command."""
    generator = np.random.RandomState(SEED)
    a = generator.randint(0, 1 << 31, NUM_PERM, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = generator.randint(0, 1 << 32, NUM_PERM, dtype=np.uint32)
    return a.reshape(1, -1), b.reshape(1, -1)


def _fmix32(values: Signature) -> Signature:
    """The MurmurHash3 finalizer datasketch's ``affine32`` scheme applies to each input hash
    first (``datasketch.minhash._fmix``); uint32 arithmetic wraps, as there."""
    for shift, multiplier in ((16, 0x85EBCA6B), (13, 0xC2B2AE35)):
        values = (values ^ (values >> np.uint32(shift))) * np.uint32(multiplier)
    return values ^ (values >> np.uint32(16))


def signature(body: str | None) -> Signature | None:
    """The MinHash of the body's shingles (CRC-32 of each: the scheme mixes its input, and it is a
    quarter of SHA-1's cost); None for a body without words. datasketch's ``MinHash.update_batch``
    bit for bit (tested), without a MinHash object per article: the least ``a * h + b`` (uint32)."""
    hashes = shingle_hashes(body)
    if not hashes:
        return None
    a, b = _permutations()
    permuted = _fmix32(np.array(hashes, dtype=np.uint32).reshape(-1, 1)) * a
    permuted += b
    values: Signature = permuted.min(axis=0)
    return values


def signed(body: str | None) -> bytes | None:
    """The body's signature as ``article_signatures`` keeps it: what a process that does not
    write the store can compute for the one that does (``NearDuplicates.update``'s ``signed``)."""
    values = signature(body)
    return None if values is None else values.tobytes()


def _stored(blob: bytes) -> Signature:
    """A stored signature's hash values."""
    return np.frombuffer(blob, dtype=np.uint32)


_LATEST: Final = "SELECT id, url, signature FROM article_signatures ORDER BY id DESC LIMIT ?"
_SINCE: Final = "SELECT id, url, signature FROM article_signatures WHERE id > ? ORDER BY id"
_PAIR: Final = (
    "INSERT OR REPLACE INTO near_duplicates (url, of_url, similarity, found_at) VALUES (?, ?, ?, ?)"
)


class NearDuplicates:
    """The near-duplicate pairs of the store ``db`` kept up to date: ``update`` after each
    article written. Built from ``article_signatures`` when made."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db
        self.lsh = BandIndex(*BANDS)
        self.ids: dict[str, int] = {}
        """Indexed URL → its signature's id, oldest first (the order evicts)."""
        self.urls: dict[int, str] = {}
        self.values: dict[int, Signature] = {}
        """Indexed id → its hash values, to compare candidates without reading their blobs
        again: a row is never rewritten (a new body's gets a new id); 650 bytes an article."""
        self.last_id = 0
        self._index(reversed(db.execute(_LATEST, (INDEXED_ARTICLES,)).fetchall()))

    def _index(self, rows: Iterable[tuple[int, str, bytes]]) -> None:
        for key, url, blob in rows:
            self._add(key, url, _stored(blob))

    def _add(self, key: int, url: str, values: Signature) -> None:
        self._drop(url)
        self.lsh.insert(key, values)
        self.ids[url], self.urls[key], self.values[key] = key, url, values
        self.last_id = max(self.last_id, key)
        if len(self.ids) > INDEXED_ARTICLES:
            self._drop(next(iter(self.ids)))

    def _drop(self, url: str) -> None:
        if (key := self.ids.pop(url, None)) is not None:
            del self.urls[key], self.values[key]
            self.lsh.remove(key)

    def update(
        self,
        url: str,
        body: str | None,
        published_at: str | None,
        now: str,
        new: bool = False,
        signed: bytes | None = None,
    ) -> int:
        """Compute ``url``'s pairs for its (new) body, replacing any it had; ``new``: the store
        had no article at ``url`` (nothing to replace); ``signed``: the body's signature
        (``signed(body)``) computed already, by a re-extraction's worker process. Returns how
        many pairs it has."""
        db = self.db
        # Signatures other writers of the store committed since (workers sharing it).
        self._index(db.execute(_SINCE, (self.last_id,)))
        if not new:
            db.execute("DELETE FROM near_duplicates WHERE url = ? OR of_url = ?", (url, url))
            db.execute("DELETE FROM article_signatures WHERE url = ?", (url,))
            self._drop(url)
        if signed is None and (values := signature(body)) is not None:
            signed = values.tobytes()
        if signed is None:
            return 0
        values = _stored(signed)
        pairs = self._pairs(url, values, published_at, now)
        key = db.execute(
            "INSERT INTO article_signatures (url, signature) VALUES (?, ?)", (url, signed)
        ).lastrowid
        assert key is not None
        self._add(key, url, values)
        return pairs

    def _pairs(self, url: str, values: Signature, published_at: str | None, now: str) -> int:
        similar = self._similar(url, values)
        mine = _first(url, published_at)
        for other, (score, published) in similar.items():
            copy, original = (url, other) if _first(other, published) < mine else (other, url)
            self.db.execute(_PAIR, (copy, original, score, now))
        return len(similar)

    def _similar(self, url: str, values: Signature) -> dict[str, tuple[float, str | None]]:
        """The indexed articles at ``THRESHOLD`` or more → the similarity, their publication."""
        candidates = sorted(key for key in self.lsh.query(values) if self.urls[key] != url)
        if not candidates:
            return {}
        equal = np.stack([self.values[key] for key in candidates]) == values
        scores = {
            key: score
            for key, count in zip(candidates, np.count_nonzero(equal, axis=1).tolist(), strict=True)
            if (score := round(count / NUM_PERM, 4)) >= THRESHOLD
        }
        if not scores:
            return {}
        # Only a signature still in the table pairs (another writer may have dropped it since it
        # was indexed, for a body without words); read with the publication, for the few pairs.
        marks = ", ".join("?" * len(scores))
        rows = self.db.execute(
            "SELECT s.id, a.published_at FROM article_signatures s "
            f"LEFT JOIN articles a ON a.url = s.url WHERE s.id IN ({marks}) ORDER BY s.id",
            list(scores),
        )
        return {self.urls[key]: (scores[key], published) for key, published in rows}


def _first(url: str, published_at: str | None) -> tuple[bool, str, str]:
    """The order of a pair: the article published first is the one copied (``of_url``), one
    without a date after any with one, the URL breaking ties; the same whichever was stored
    first, so a merged store orients a pair as either store would."""
    return (published_at is None, published_at or "", url)


def index_all(db: sqlite3.Connection, now: str, urls: Iterable[str] | None = None) -> int:
    """Compute the pairs of ``urls``, replacing theirs, in the order they were stored, against
    the signatures already there and each other (``scrapy merge``); when None, of every stored
    article into the empty tables (migration 8). Returns how many articles were indexed."""
    index = NearDuplicates(db)
    if urls is None:
        rows = db.execute("SELECT url, body, published_at FROM articles ORDER BY rowid").fetchall()
    else:
        db.execute("CREATE TEMP TABLE IF NOT EXISTS near_duplicate_urls (url TEXT PRIMARY KEY)")
        db.execute("DELETE FROM temp.near_duplicate_urls")
        db.executemany(
            "INSERT OR IGNORE INTO temp.near_duplicate_urls VALUES (?)", ((u,) for u in urls)
        )
        rows = db.execute(
            "SELECT url, body, published_at FROM articles "
            "WHERE url IN (SELECT url FROM temp.near_duplicate_urls) ORDER BY rowid"
        ).fetchall()
        db.execute("DROP TABLE temp.near_duplicate_urls")
    for url, body, published_at in rows:
        index.update(url, body, published_at, now, new=urls is None)
    return len(rows)
