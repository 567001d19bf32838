"""Benchmark of extraction: this project's against trafilatura's, on the same pages, in one run.

Both start from the page's bytes (decoding and parsing included). Prints pages/s of each, the
ratio, and how often each gets the title and the body text right; asserts nothing.

Usage: ``python bench/extract.py [GENERATED_PAGES] [ROUNDS]`` (default 300 5); needs the
``bench`` extra (``pip install -e '.[bench]'``).
"""

import sys
import time
import warnings
from collections.abc import Callable
from typing import Any

from scrapy.http import HtmlResponse

from mayadeen.loopback import GeneratedSite, load_fixtures
from mayadeen.loopback.anatomy import LIVE_ROOT
from mayadeen.pages.extract import extract

try:
    import trafilatura
except ImportError:
    sys.exit("bench/extract.py needs trafilatura: pip install -e '.[bench]'")

Page = tuple[str, bytes, dict[str, Any]]


def pages(generated: int) -> list[Page]:
    """The fixture articles plus ``generated`` pages of a generated site, with expected items."""
    found = [(f.url, f.html(), f.expected() or {}) for f in load_fixtures() if f.kind == "article"]
    site = GeneratedSite(generated, seed=1)
    for article in site.articles_by_index:
        page = site.content(article.entry.path)
        assert page is not None
        found.append((LIVE_ROOT + article.entry.path, page.body, site.expected_item(article)))
    return found


def ours(url: str, body: bytes) -> tuple[str | None, str | None]:
    item = extract(HtmlResponse(url, body=body, encoding="utf-8"), LIVE_ROOT).item
    return (item.title, item.body) if item else (None, None)


def theirs(url: str, body: bytes) -> tuple[str | None, str | None]:
    document = trafilatura.bare_extraction(body, url=url, with_metadata=True)
    if document is None:
        return None, None
    return getattr(document, "title", None), getattr(document, "text", None)


def rate(function: Callable[[str, bytes], Any], sample: list[Page], rounds: int) -> float:
    """Pages per CPU second of this process (the extraction is CPU-bound and single-threaded:
    on an idle machine the same as per second, and steadier on a shared one), the best of
    ``rounds`` passes over ``sample``."""
    best = float("inf")
    for _ in range(rounds):
        started = time.process_time()
        for url, body, _ in sample:
            function(url, body)
        best = min(best, time.process_time() - started)
    return len(sample) / best


def accuracy(function: Callable[[str, bytes], Any], sample: list[Page]) -> tuple[float, float]:
    """Shares of pages whose title, and whose body text (whitespace aside), equal the expected."""
    titles = bodies = 0
    for url, body, expected in sample:
        title, text = function(url, body)
        titles += title == expected.get("title")
        bodies += " ".join((text or "").split()) == " ".join(expected.get("body", "").split())
    return titles / len(sample), bodies / len(sample)


def main(generated: int, rounds: int) -> None:
    warnings.filterwarnings("ignore")
    sample = pages(generated)
    size = sum(len(body) for _, body, _ in sample) / len(sample) / 1024
    print(f"{len(sample)} article pages, {size:.1f} KiB on average, best of {rounds} rounds")
    ours_rate = rate(ours, sample, rounds)
    theirs_rate = rate(theirs, sample, rounds)
    for name, function, pages_per_second in (
        ("mayadeen", ours, ours_rate),
        ("trafilatura", theirs, theirs_rate),
    ):
        title, body = accuracy(function, sample)
        print(
            f"{name:12} {pages_per_second:8.0f} pages/CPU s {1000 / pages_per_second:7.3f} ms/page"
            f"   title right {title:6.1%}   body right {body:6.1%}"
        )
    print(f"ratio        {ours_rate / theirs_rate:8.1f}x trafilatura's throughput (target >= 10x)")


if __name__ == "__main__":
    arguments = [int(a) for a in sys.argv[1:3]]
    main(*(arguments + [300, 5][len(arguments) :]))
