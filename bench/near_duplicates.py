"""Benchmark of the near-duplicates (``mayadeen.store.near_duplicates``): precision and recall on
generated pairs with known edits, CPU per signature (against datasketch's MinHash objects) and
per article stored, the index's memory and rebuild time.

Prints figures; asserts nothing. The generated site's bodies (about 300 words, stock phrases
shared between unrelated articles) are stored, then copies of some of them with ``k`` words
replaced by words of no article (k = 1, 5, 10, 20, 40, 80). A pair is truly near-duplicate when the
exact Jaccard similarity of the two bodies' shingles reaches ``THRESHOLD``; every flagged pair is
checked against that, among the copies and among the unrelated articles.
Usage: ``python bench/near_duplicates.py [N] [COPIES]`` (default 5000 articles, 300 copies).
"""

import dataclasses
import os
import random
import sys
import tempfile
import time
import tracemalloc
import zlib
from collections import Counter
from pathlib import Path

from datasketch import LeanMinHash, MinHash

from mayadeen.items import ArticleItem
from mayadeen.loopback import GeneratedSite
from mayadeen.store import Store, shingles, store_path
from mayadeen.store import near_duplicates as nd

NOW = "2026-11-21T10:00:00+00:00"
EDITS = (1, 5, 10, 20, 40, 80)
PERMUTATIONS = MinHash(seed=nd.SEED, scheme=nd.SCHEME).permutations


def generated(n: int) -> list[ArticleItem]:
    site = GeneratedSite(n, seed=11)
    return [
        ArticleItem(**site.expected_item(article), crawled_at=NOW)
        for article in site.articles_by_index
    ]


def copy_of(item: ArticleItem, k: int, rng: random.Random) -> ArticleItem:
    words = (item.body or "").split(" ")
    for n, position in enumerate(rng.sample(range(len(words)), min(k, len(words)))):
        words[position] = f"zq{n}x"
    return dataclasses.replace(item, url=f"{item.url}-copy-{k}", body=" ".join(words))


def jaccard(first: str | None, second: str | None) -> float:
    a, b = set(shingles.shingles(first)), set(shingles.shingles(second))
    return len(a & b) / len(a | b) if a | b else 0.0


def store_all(path: Path, items: list[ArticleItem], pairing: bool) -> float:
    """µs of CPU per ``Store.put`` of ``items`` into a new store (batches of 500)."""
    with Store.open(path) as store:
        if not pairing:
            store._pair = lambda *args, **kwargs: None  # type: ignore[method-assign]
        started = time.process_time()
        for n, item in enumerate(items, 1):
            store.put(item, NOW)
            if n % 500 == 0:
                store.commit()
        store.commit()
        return (time.process_time() - started) / len(items) * 1e6


def accuracy(path: Path, items: list[ArticleItem], copies: list[ArticleItem]) -> None:
    bodies = {item.url: item.body for item in [*items, *copies]}
    with Store.open(path, readonly=True) as store:
        flagged = {
            (row["url"], row["of_url"]): row["similarity"] for row in store.near_duplicates()
        }
    expected = {
        (copy.url, copy.url.rsplit("-copy-", 1)[0]): jaccard(
            copy.body, bodies[copy.url.rsplit("-copy-", 1)[0]]
        )
        for copy in copies
    }
    true_pairs = {pair for pair, score in expected.items() if score >= nd.THRESHOLD}
    correct = [pair for pair in flagged if jaccard(*(bodies[u] for u in pair)) >= nd.THRESHOLD]
    found = true_pairs & set(flagged)
    unrelated = [pair for pair in flagged if pair not in expected]
    errors = [abs(flagged[pair] - expected[pair]) for pair in found]
    print(f"pairs flagged {len(flagged)}, truly near-duplicate {len(correct)}")
    print(f"  precision {len(correct) / max(len(flagged), 1):.3f}")
    print(
        f"  recall    {len(found) / max(len(true_pairs), 1):.3f} ({len(found)} of {len(true_pairs)})"
    )
    print(f"  flagged pairs of unrelated generated articles: {len(unrelated)}")
    if errors:
        mean = sum(errors) / len(errors)
        print(f"  |estimated - true similarity|: mean {mean:.3f}, max {max(errors):.3f}")
    by_k: Counter[int] = Counter()
    true_by_k: dict[int, list[float]] = {}
    for copy in copies:
        k = int(copy.url.rsplit("-copy-", 1)[1])
        pair = (copy.url, copy.url.rsplit("-copy-", 1)[0])
        true_by_k.setdefault(k, []).append(expected[pair])
        by_k[k] += pair in flagged
    for k in EDITS:
        scores = true_by_k.get(k, [])
        mean = sum(scores) / max(len(scores), 1)
        print(
            f"  {k:>3} words changed: true Jaccard {mean:.2f} on average, flagged {by_k[k]} of {len(scores)}"
        )


def unrelated_similarity(items: list[ArticleItem], sample: int = 300) -> None:
    sets = [set(shingles.shingles(item.body)) for item in items[:sample]]
    highest = max(
        len(a & b) / len(a | b) for i, a in enumerate(sets) for b in sets[i + 1 :] if a | b
    )
    print(f"highest true Jaccard of two unrelated generated articles ({sample}): {highest:.3f}")


def datasketch_signature(body: str | None) -> LeanMinHash | None:
    """The signature as datasketch's objects compute it (before issue 27), with its permutations
    made once as it was: the reference."""
    pieces = shingles.shingles(body)
    if not pieces:
        return None
    minhash = MinHash(
        seed=nd.SEED, hashfunc=zlib.crc32, permutations=PERMUTATIONS, scheme=nd.SCHEME
    )
    minhash.update_batch(pieces)
    return LeanMinHash(minhash)


def signature_cost(items: list[ArticleItem]) -> None:
    """µs of CPU per ``signature()``, against datasketch's MinHash of the same shingles."""
    bodies = [item.body for item in items]
    costs = {}
    for name, signing in (("datasketch", datasketch_signature), ("signature()", nd.signature)):
        started = time.process_time()
        for body in bodies:
            signing(body)
        costs[name] = (time.process_time() - started) / len(bodies) * 1e6
    print(
        f"signature of {len(bodies):,} bodies: {costs['signature()']:.0f} µs of CPU an article, "
        f"datasketch's MinHash {costs['datasketch']:.0f} "
        f"({costs['datasketch'] / costs['signature()']:.2f}x)"
    )


def index_memory(path: Path) -> None:
    """The index of a store rebuilt as a writer's first article builds it: time and memory."""
    with Store.open(path) as store:
        tracemalloc.start()
        started = time.perf_counter()
        index = nd.NearDuplicates(store.db)
        elapsed = time.perf_counter() - started
        size, _ = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        count = len(index.ids)
    print(
        f"index of {count:,} signatures (INDEXED_ARTICLES {nd.INDEXED_ARTICLES:,}): "
        f"{size / 2**20:.1f} MiB = {size / max(count, 1):,.0f} B an article; rebuilt in "
        f"{elapsed * 1000:.0f} ms (under tracemalloc, which slows it)"
    )
    started = time.perf_counter()
    with Store.open(path) as store:
        nd.NearDuplicates(store.db)
    print(f"  rebuilt without tracemalloc: {(time.perf_counter() - started) * 1000:.0f} ms")


def main(n: int, copies: int) -> None:
    print(
        f"load average {os.getloadavg()[0]:.1f}; SHINGLE_WORDS {shingles.SHINGLE_WORDS}, THRESHOLD "
        f"{nd.THRESHOLD}, NUM_PERM {nd.NUM_PERM}, BANDS {nd.BANDS}"
    )
    items = generated(n)
    rng = random.Random(5)
    originals = {item.url: item for item in rng.sample(items, copies)}
    made = [copy_of(item, EDITS[i % len(EDITS)], rng) for i, item in enumerate(originals.values())]
    unrelated_similarity(items)
    signature_cost(items)
    with tempfile.TemporaryDirectory() as directory:
        without = store_all(store_path(Path(directory) / "off"), items + made, pairing=False)
        path = store_path(Path(directory) / "on")
        with_pairs = store_all(path, items + made, pairing=True)
        print(
            f"Store.put, {len(items) + len(made):,} articles: {with_pairs:.0f} µs of CPU an article "
            f"with near-duplicates, {without:.0f} without: {with_pairs - without:.0f} µs for "
            f"them ({with_pairs / without:.2f}x)"
        )
        accuracy(path, items, made)
        index_memory(path)


if __name__ == "__main__":
    arguments = [int(a) for a in sys.argv[1:]]
    main(*(arguments + [5000, 300][len(arguments) :]))
