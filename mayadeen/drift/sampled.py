"""The canary's sampled captures (``scrapy canary --via wayback --sample N``): articles with no
recorded expectation, so what is drift is what a user means by it (docs/drift.md):

- on one page, a value the site's rules no longer produce: a field every article states that came
  out empty, or an item the crawl would quarantine (``site.validity.problems``);
- over the whole sample (at least ``SAMPLE_MIN_PAGES`` pages), a field that lost its value on every
  page, or a field that no page took from the source the canary pages take it from (a block or a
  selector that stopped matching).

A page whose optional fields are empty (``coverage``, ``image_caption``, ``source``, ...), or that
lacks a usable tawsiyat block while JSON-LD and the page give every value, matches: the site has
such pages. Where its fields came from is said in a note.
"""

from collections import Counter
from typing import Any
from urllib.parse import urlsplit

from mayadeen.drift.expectations import Difference, PageReport
from mayadeen.drift.fetch import Fetched
from mayadeen.items import FIELD_NAMES, contract_dict
from mayadeen.pages.extract import Extraction, extract
from mayadeen.site.canary_pages import SAMPLE_MIN_PAGES, SAMPLE_REQUIRED, SAMPLE_USUALLY_STATED
from mayadeen.site.validity import problems

MISSING = "missing"


def _empty(value: Any) -> bool:
    return value in (None, "", [])


def check_sample(
    fetched: Fetched, root: str, sources: dict[str, set[str]]
) -> tuple[PageReport, Extraction | None]:
    """The report for one sampled capture, and its extraction (None when it was not fetched).

    ``sources`` maps each field to the sources the canary pages took it from."""
    report = PageReport(f"sample {urlsplit(fetched.url).path}", fetched.url, fetched.failure)
    if fetched.response is None:
        report.failure = report.failure or "no response"
        return report, None
    extraction = extract(fetched.response, root)
    if extraction.item is None:
        report.differences = [Difference("kind", "article", extraction.kind, "value")]
        return report, extraction
    got = contract_dict(extraction.item)
    empty = {name for name in SAMPLE_REQUIRED if _empty(got[name])}
    report.differences = [Difference(name, "a value", got[name], "value") for name in sorted(empty)]
    for code in problems(got, root):
        topic, _, _problem = code.partition(":")
        if code.removeprefix("missing:") not in empty:
            report.differences.append(Difference(topic, "a valid item", code, "value"))
    lower = sorted(
        name
        for name in FIELD_NAMES
        if (source := extraction.sources.get(name)) not in (None, MISSING)
        and sources.get(name)
        and source not in sources[name]
    )
    if lower:
        moved = ", ".join(f"{name} ({extraction.sources[name]})" for name in lower)
        report.notes.append(f"from another source than the canary pages': {moved}")
    report.notes += extraction.notes
    return report, extraction


def across_samples(
    extractions: list[Extraction], sources: dict[str, set[str]]
) -> PageReport | None:
    """What the sampled pages show together; None with fewer than ``SAMPLE_MIN_PAGES`` articles."""
    articles = [e for e in extractions if e.item is not None]
    if len(articles) < SAMPLE_MIN_PAGES:
        return None
    report = PageReport(f"across {len(articles)} sampled pages", "", kind="across")
    for name in FIELD_NAMES:
        taken = Counter(e.sources.get(name) or MISSING for e in articles)
        stating = len(articles) - taken[MISSING]
        if name in SAMPLE_USUALLY_STATED and stating == 0:
            got = f"missing on {len(articles)} of {len(articles)} pages"
            report.differences.append(Difference(name, "a value", got, "value"))
        expected = sources.get(name, set()) - {MISSING}
        if expected and stating >= SAMPLE_MIN_PAGES and not expected & set(taken):
            found = ", ".join(f"{s} on {n}" for s, n in taken.most_common() if s != MISSING)
            wanted = " or ".join(sorted(expected))
            report.differences.append(
                Difference(name, wanted, f"{found} of {len(articles)} pages", "source")
            )
    return report


def canary_sources(pages_sources: list[dict[str, str]]) -> dict[str, set[str]]:
    """Each field's sources over the canary pages (``{"title": {"tawsiyat"}, ...}``)."""
    found: dict[str, set[str]] = {}
    for sources in pages_sources:
        for name, source in sources.items():
            found.setdefault(name, set()).add(source)
    return found
