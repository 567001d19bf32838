"""The word shingles a body's near-duplicate signature is made of (``store/near_duplicates.py``):
its words, case and punctuation ignored, five at a time, each hashed as its UTF-8 bytes."""

import re
from typing import Final
from zlib import crc32

import numpy as np

SHINGLE_WORDS: Final = 5
"""Words per shingle. Each changed word breaks up to five shingles, so a body of ``n`` words
stays at or above the near-duplicate ``THRESHOLD`` with up to about ``n / 15`` words changed;
shorter shingles make unrelated articles look alike: the generated site's stock phrases give
unrelated bodies a Jaccard of up to 0.41 with 3-word shingles, 0.23 with 5
(``bench/near_duplicates.py``)."""

_WORDS = re.compile(r"\w+")
_SPACE = ord(" ")


class _Spaced(dict[int, int]):
    """``str.translate``'s table that turns every character ``\\w`` does not match into a space
    and keeps the rest, filled as characters are met (a few hundred on this site's pages). Held
    to ``_WORDS`` (tested): the words joined by one space in a third of ``findall``'s time."""

    LIMIT: Final = 1 << 16
    """Characters kept in the table; beyond them (a hostile body), each is looked up anew."""

    def __missing__(self, code: int) -> int:
        kept = code if _WORDS.match(chr(code)) else _SPACE
        if len(self) < self.LIMIT:
            self[code] = kept
        return kept


_SPACED: Final = _Spaced()


def joined_words(body: str | None) -> str:
    """The body's words, case ignored, joined by one space: ``" ".join(_WORDS.findall(...))``.

    >>> joined_words("A b, C_d\u00a0é—f! ")
    'a b c_d é f'
    """
    return " ".join((body or "").casefold().translate(_SPACED).split())


def shingles(body: str | None) -> list[bytes]:
    """The body's word shingles, case and punctuation ignored (a copy re-quoted or re-cased is
    the same text); a body shorter than a shingle is one shingle.

    >>> shingles("A b, C d e f!")
    [b'a b c d e', b'b c d e f']
    >>> shingles("Two words"), shingles("")
    ([b'two words'], [])
    """
    words = _WORDS.findall((body or "").casefold())
    count = max(len(words) - SHINGLE_WORDS + 1, 1 if words else 0)
    return [" ".join(words[i : i + SHINGLE_WORDS]).encode() for i in range(count)]


def shingle_hashes(body: str | None) -> list[int]:
    """The CRC-32 of each of ``shingles(body)``: the words joined and encoded once, a shingle a
    slice of those bytes (a space is one byte in UTF-8, never inside another character's)."""
    joined = joined_words(body).encode()
    if not joined:
        return []
    spaces = np.flatnonzero(np.frombuffer(joined, dtype=np.uint8) == _SPACE)
    if len(spaces) < SHINGLE_WORDS:
        return [crc32(joined)]
    starts = [0, *(spaces[: len(spaces) - SHINGLE_WORDS + 1] + 1).tolist()]
    ends = [*spaces[SHINGLE_WORDS - 1 :].tolist(), len(joined)]
    return [crc32(joined[start:end]) for start, end in zip(starts, ends, strict=True)]
