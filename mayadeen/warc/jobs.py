"""The extraction side of ``scrapy reextract``: archived records read and extracted in chunks,
in this process (``--jobs 1``) or in worker processes, each chunk's results handed back in order
to the one process that writes the store.

A chunk is a run of consecutive sources (file order, so a worker reads one file forward); its
result keeps the order of its sources, and the parent takes the chunks in order
(``Pool.imap``), so what is written is the same, row for row, whatever ``--jobs``. Needs no
crawler: what a page gave travels back as plain values (the item, its field-source counts, its
ticker lines), and the parent counts them in the run's stats.
"""

import multiprocessing
import os
import signal
from collections import Counter
from collections.abc import Generator, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any, Final

from mayadeen.items import ArticleItem
from mayadeen.pages.extract import count, extract, page_tree
from mayadeen.pages.ticker import TickerLine, read_ticker
from mayadeen.site.urls import canonical_url
from mayadeen.site.validity import problems
from mayadeen.store.breaking import Sighting
from mayadeen.store.near_duplicates import signed
from mayadeen.store.origins import SITE
from mayadeen.store.rows import as_dict
from mayadeen.warc.reading import Page, Pages
from mayadeen.warc.responses import as_response, seen_at, warc_moment
from mayadeen.warc.sources import Source

CHUNK: Final = 64
"""Sources per chunk: large enough that handing one over costs little against extracting it,
small enough that the workers stay busy to the end."""


@dataclass(slots=True)
class Read:
    """What one source gave: ``outcome`` is ``page`` (read; ``item`` its article, if any),
    ``not_html``, ``unreadable`` (not a whole response, or too large, or its file missing) or
    ``offsite`` (archived under another root)."""

    outcome: str
    item: ArticleItem | None = None
    lines: list[TickerLine] = field(default_factory=list)
    sighting: Sighting | None = None
    """Where and when the ticker lines were seen (None: no page, or not HTML)."""
    unavailable: bool = False
    oversized: bool = False
    signed: bytes | None = None
    """The item's near-duplicate signature, when a worker computed it."""
    problems: tuple[str, ...] = ()
    """The item's problems (``site.validity.problems``), checked where it was extracted."""


@dataclass(slots=True)
class Chunk:
    reads: list[tuple[Source, Read]]
    missing: list[Path]
    """Files found missing while reading this chunk (each warned of once per process)."""
    counts: dict[str, int]
    """The extractions' figures (``mayadeen.pages.extract.count``: kinds, field sources),
    summed over the chunk: counted in the run's stats once a chunk, not once a field."""


class Figures(Counter[str]):
    """A page's figures, counted as the run's stats count them (``inc_value``)."""

    def inc_value(self, key: str, count: int = 1, start: int = 0) -> None:
        self[key] += count


class Extractor:
    """Reads and extracts sources; one per process, its files kept open between chunks."""

    def __init__(self, root: str, max_bytes: int, sign: bool = False) -> None:
        self.root = root
        self.max_bytes = max_bytes
        self.pages = Pages(max_bytes)
        self.sign = sign
        """Compute each article's near-duplicate signature here: in a worker, so that the one
        writing process, which sets the pace of ``--jobs``, need not (work wasted on an article
        the store finds unchanged, but on the workers' cores)."""

    def chunk(self, sources: list[Source]) -> Chunk:
        known = set(self.pages.missing)
        counts = Figures()
        reads = [(source, self.read(source, counts)) for source in sources]
        missing = [path for path in self.pages.missing if path not in known]
        return Chunk(reads, missing, dict(counts))

    def read(self, source: Source, counts: "Figures") -> Read:
        if canonical_url(source.url, self.root) is None:  # archived under another root
            return Read("offsite")
        unavailable, oversized = self.pages.unavailable, self.pages.oversized
        page = self.pages.read(source.path, source.offset)
        if page is None:
            return Read(
                "unreadable",
                unavailable=self.pages.unavailable > unavailable,
                oversized=self.pages.oversized > oversized,
            )
        response = as_response(page)
        if response is None:
            return Read("not_html")
        tree = page_tree(response)  # parsed once, for the ticker and the article
        read = Read("page", lines=read_ticker(tree), sighting=sighting(source, page))
        if source.article:
            extraction = extract(response, self.root, warc_moment(page.captured_at), tree)
            count(counts, extraction)
            read.item = item = extraction.item
            if item is not None:
                read.problems = tuple(problems(as_dict(item), self.root))
                if self.sign and not read.problems:
                    read.signed = signed(item.body)
        return read

    def close(self) -> None:
        self.pages.close()


def sighting(source: Source, page: Page) -> Sighting:
    """As the crawl saw the page (``mayadeen.middlewares.ticker``): at the capture's time (a
    revisit's own, though its payload is read from the response it refers to), or at the web
    archive's capture time for a page read from one."""
    if page.origin is not None:
        via, captured_at = page.origin
        return Sighting(page.url, captured_at, via)
    return Sighting(page.url, seen_at(source.captured_at), SITE)


def chunks(sources: Iterable[Source], size: int = CHUNK) -> Iterator[list[Source]]:
    iterator = iter(sources)
    while batch := list(islice(iterator, size)):
        yield batch


def default_jobs() -> int:
    """The cores this process may use."""
    counting: Any = getattr(os, "process_cpu_count", None) or os.cpu_count
    return max(1, counting() or 1)


_EXTRACTOR: Extractor | None = None
"""The worker process's extractor (``Pool`` initializer)."""


def _start_worker(root: str, max_bytes: int) -> None:
    # Forked with Scrapy's handlers, which a worker blocked on its queue would never run: the
    # parent alone answers Ctrl-C (and stops the workers); SIGTERM ends a worker at once.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    global _EXTRACTOR
    _EXTRACTOR = Extractor(root, max_bytes, sign=True)


def _work(sources: list[Source]) -> Chunk:
    assert _EXTRACTOR is not None
    return _EXTRACTOR.chunk(sources)


def extracted(
    sources: list[Source], root: str, max_bytes: int, jobs: int
) -> Generator[Chunk, None, None]:
    """Every source's read, chunk by chunk in order: here (``jobs`` 1) or in ``jobs`` worker
    processes. Forked, so a worker starts at once with the modules loaded; it touches nothing of
    the parent's (no store, no file of the run) but the archive's files, read-only."""
    if jobs <= 1 or len(sources) < 2:
        extractor = Extractor(root, max_bytes)
        try:
            yield from map(extractor.chunk, chunks(sources))
        finally:
            extractor.close()
        return
    size = max(1, min(CHUNK, len(sources) // (jobs * 4)))  # a small run is shared out too
    context = multiprocessing.get_context("fork")
    with context.Pool(jobs, _start_worker, (root, max_bytes)) as pool:
        yield from pool.imap(_work, chunks(sources, size))
        pool.close()  # all read: the workers end on their own (else terminated on the way out)
        pool.join()
