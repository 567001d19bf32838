"""The near-duplicate index's bands find the same candidates as datasketch's MinHashLSH with the
same bands, through inserts, removals and queries of related and unrelated signatures."""

import numpy as np
from datasketch import LeanMinHash, MinHashLSH

from mayadeen.store.bands import BandIndex
from mayadeen.store.near_duplicates import BANDS, NUM_PERM, SCHEME, SEED, THRESHOLD


def lean(values: np.ndarray) -> LeanMinHash:
    return LeanMinHash(seed=SEED, hashvalues=values, scheme=SCHEME)


def signatures(count: int) -> list[np.ndarray]:
    """Signatures in families: each a base with some of its values changed, so that bands
    collide within a family and, by chance, across them."""
    generator = np.random.default_rng(7)
    found = []
    for _ in range(count // 4):
        base = generator.integers(0, 2**32, NUM_PERM, dtype=np.uint64).astype(np.uint32)
        for changed in (0, 8, 32, 96):
            copy = base.copy()
            places = generator.choice(NUM_PERM, changed, replace=False)
            copy[places] = generator.integers(0, 2**32, changed, dtype=np.uint64)
            found.append(copy)
    return found


def test_the_candidates_are_datasketchs() -> None:
    ours = BandIndex(*BANDS)
    theirs = MinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM, params=BANDS)
    every = signatures(400)
    for key, values in enumerate(every):
        assert ours.query(values) == set(theirs.query(lean(values)))
        ours.insert(key, values)
        theirs.insert(key, lean(values), check_duplication=False)
        if key % 3 == 0 and key > 10:  # evictions and replacements
            ours.remove(key - 10)
            theirs.remove(key - 10)
    assert len(ours) == len(theirs.keys)
    for values in every[::7]:
        assert ours.query(values) == set(theirs.query(lean(values)))


def test_a_removed_key_leaves_no_empty_bucket() -> None:
    index = BandIndex(*BANDS)
    values = signatures(4)[0]
    index.insert(1, values)
    index.remove(1)
    assert not any(index.tables)
    assert not index.query(values)
    assert len(index) == 0
