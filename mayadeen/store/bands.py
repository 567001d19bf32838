"""The near-duplicate index's banded buckets (locality-sensitive hashing over MinHash values).

A signature is cut into ``bands`` runs of ``rows`` consecutive values; two signatures that agree
on every value of at least one band are candidates. The same candidates as datasketch's
``MinHashLSH`` given ``params=(bands, rows)`` (its buckets are each band's bytes, byte-swapped:
a one-to-one renaming of ours), without what it costs the store: SciPy imported by every
``scrapy`` command (0.36 s of CPU, for a parameter search the fixed bands never run), a
``MinHash`` object per article and per query, its storage layers. ``bench/near_duplicates.py``
measures it.
"""

import numpy as np
import numpy.typing as npt

Signature = npt.NDArray[np.uint32]
"""A body's MinHash: its hash values (``near_duplicates.NUM_PERM`` of them)."""


class BandIndex:
    """Signatures under integer keys, and the keys sharing a band with a signature."""

    def __init__(self, bands: int, rows: int) -> None:
        self.rows = rows
        self.width = bands * rows
        self.tables: list[dict[bytes, set[int]]] = [{} for _ in range(bands)]
        self.bands_of: dict[int, list[bytes]] = {}

    def __len__(self) -> int:
        return len(self.bands_of)

    def _bands(self, signature: Signature) -> list[bytes]:
        data = signature[: self.width].tobytes()
        step = self.rows * signature.itemsize
        return [data[start : start + step] for start in range(0, len(data), step)]

    def insert(self, key: int, signature: Signature) -> None:
        """Index ``signature`` under ``key`` (a new key: ``remove`` an old one first)."""
        bands = self.bands_of[key] = self._bands(signature)
        for table, band in zip(self.tables, bands, strict=True):
            table.setdefault(band, set()).add(key)

    def remove(self, key: int) -> None:
        for table, band in zip(self.tables, self.bands_of.pop(key), strict=True):
            bucket = table[band]
            bucket.discard(key)
            if not bucket:
                del table[band]

    def query(self, signature: Signature) -> set[int]:
        """The keys whose signatures share at least one band with ``signature``."""
        found: set[int] = set()
        for table, band in zip(self.tables, self._bands(signature), strict=True):
            if (bucket := table.get(band)) is not None:
                found |= bucket
        return found
