"""Where a killed backfill resumes an archive's index listing.

A listing is read a page at a time; each page's captures are requested at once and settle in any
order. The position kept is the first page holding a capture not yet settled (stored, refused,
failed; or the URL group still being read, whose newest capture is not known yet), else the page
the listing goes on with: a run killed at any point resumes at a page none of whose captures it
lost, and the captures already stored are not fetched again (their origin is as new as the
capture: ``mayadeen.webarchives.captures.wanted``).
"""

FIRST = ""
"""The key of a listing's first page (fetched without a resume key)."""


class ListingCursor:
    """One listing's pages, by the key that fetched each, in order, and how many of their
    captures are still out.

    >>> cursor = ListingCursor()
    >>> cursor.page_read(FIRST, "k1"); cursor.listed(FIRST); cursor.page_read("k1", "k2")
    >>> cursor.position("k1")  # a capture of the first page is out: from the start
    ''
    >>> cursor.settled(FIRST); cursor.position("k1")
    'k1'
    >>> cursor.position(None)
    'k2'
    >>> cursor.page_read("k2", None); cursor.listed("k2"); cursor.position(None)
    'k2'
    >>> cursor.settled("k2"); cursor.position(None)  # read to its end: start over
    ''
    """

    def __init__(self) -> None:
        self._out: dict[str, int] = {}
        self._next: str | None = None

    def page_read(self, key: str, next_key: str | None) -> None:
        self._out.setdefault(key, 0)
        self._next = next_key

    @property
    def pages(self) -> int:
        """How many of the listing's pages this run has read."""
        return len(self._out)

    def has_read(self, key: str) -> bool:
        """Whether this run read the page of ``key`` already (a resume key that comes round
        again: the archive's listing loops)."""
        return key in self._out

    def listed(self, key: str) -> None:
        """A capture first listed on page ``key`` was requested (or is still owed)."""
        self._out[key] = self._out.get(key, 0) + 1

    def settled(self, key: str) -> None:
        if self._out.get(key, 0) > 0:
            self._out[key] -= 1

    def position(self, pending: str | None) -> str:
        """Where the next run begins (``FIRST``: at the start); ``pending`` is the page where
        the URL group being read began (None: none is)."""
        for key, out in self._out.items():
            if out > 0 or key == pending:
                return key
        if self._next is None:
            return FIRST  # read to its end and settled: the next run reads it all again
        return self._next
