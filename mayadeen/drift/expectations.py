"""The canary's expectations and the comparison of a fresh extraction with them, field by field.

A page *matches* when every compared field has its expected value and came from its expected
source (tawsiyat, jsonld, meta, dom, ...): a field that still has the right value but now comes
from a lower source is drift too, since the next page may not state it there. Which fields are not
compared, or only reported, is a rule of the site (``CANARY_NOT_COMPARED``,
``CANARY_INFO_ONLY``).
"""

import json
from dataclasses import asdict, dataclass, field
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from mayadeen.drift.fetch import Fetched
from mayadeen.items import FIELD_NAMES
from mayadeen.pages.extract import Extraction, extract
from mayadeen.site.canary_pages import (
    CANARY_INFO_ONLY,
    CANARY_NOT_COMPARED,
    SAMPLE_REQUIRED,
    canary_pages_file,
)
from mayadeen.site.urls import LIVE_ROOT

Status = Literal["matches", "differs", "not fetched"]
EXCERPT = 100
"""Values whose repr is longer than this are shown as an excerpt around the first difference."""


@dataclass(frozen=True)
class CanaryPage:
    """One canary page: its live URL, the item it gave when recorded and each field's source."""

    name: str
    url: str
    item: dict[str, Any]
    sources: dict[str, str]
    note: str = ""

    def entry(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "url": self.url,
            "note": self.note,
            "item": self.item,
            "sources": self.sources,
        }


def load_pages(source: Traversable | Path | None = None) -> list[CanaryPage]:
    """The canary pages of ``source`` (default: the packaged ``canary_pages_file()``)."""
    text = (source or canary_pages_file()).read_text("utf-8")
    return [
        CanaryPage(row["name"], row["url"], row["item"], row["sources"], row.get("note", ""))
        for row in json.loads(text)
    ]


def save_pages(path: Path, pages: list[CanaryPage]) -> None:
    text = json.dumps([page.entry() for page in pages], indent=2, ensure_ascii=False)
    path.write_text(text + "\n", encoding="utf-8")


@dataclass(frozen=True)
class Difference:
    field: str
    expected: Any
    got: Any
    kind: Literal["value", "source", "info"]

    def line(self) -> str:
        shown_expected, shown_got = excerpts(self.expected, self.got)
        label = f"{self.field} source" if self.kind == "source" else self.field
        suffix = " (info only: not compared)" if self.kind == "info" else ""
        return f"{label}: expected {shown_expected} got {shown_got}{suffix}"


@dataclass
class PageReport:
    name: str
    url: str
    """The URL fetched (on the crawled root)."""
    failure: str | None = None
    differences: list[Difference] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def status(self) -> Status:
        if self.failure is not None:
            return "not fetched"
        if any(d.kind != "info" for d in self.differences):
            return "differs"
        return "matches"


def excerpts(expected: Any, got: Any) -> tuple[str, str]:
    """Both values as reprs; long strings cut to a window around their first difference.

    >>> excerpts("short", "shirt")
    ("'short'", "'shirt'")
    >>> said = "The minister said " + "on Monday " * 12 + "that talks would resume in May."
    >>> excerpts(said, said.replace("resume", "stall"))
    ("…'ay on Monday that talks would resume in May.'", "…'ay on Monday that talks would stall in May.'")
    """
    if not (isinstance(expected, str) and isinstance(got, str)):
        return repr(expected), repr(got)
    if max(len(repr(expected)), len(repr(got))) <= EXCERPT:
        return repr(expected), repr(got)
    first = next(
        (i for i, (a, b) in enumerate(zip(expected, got, strict=False)) if a != b),
        min(len(expected), len(got)),
    )
    start = max(0, first - 30)
    end = start + EXCERPT - 40

    def cut(text: str) -> str:
        return ("…" if start else "") + repr(text[start:end]) + ("…" if len(text) > end else "")

    return cut(expected), cut(got)


def expected_on_root(value: Any, root: str) -> Any:
    """An expected value with live-site URLs moved onto ``root``, as the loopback serves them."""
    if isinstance(value, str):
        return value.replace(LIVE_ROOT, root)
    if isinstance(value, list):
        return [expected_on_root(entry, root) for entry in value]
    return value


def compare(page: CanaryPage, extraction: Extraction, root: str) -> list[Difference]:
    """Every difference between ``page``'s expectation and ``extraction``, field by field."""
    if extraction.item is None:
        return [Difference("kind", "article", extraction.kind, "value")]
    got = asdict(extraction.item)
    found = []
    for name in FIELD_NAMES:
        if name in CANARY_NOT_COMPARED:
            continue
        expected = expected_on_root(page.item.get(name), root)
        if got[name] != expected:
            kind: Literal["value", "info"] = "info" if name in CANARY_INFO_ONLY else "value"
            found.append(Difference(name, expected, got[name], kind))
        expected_source = page.sources.get(name)
        got_source = extraction.sources.get(name)
        if expected_source != got_source and (expected_source or got_source):
            found.append(Difference(name, expected_source, got_source, "source"))
    return found


def check(page: CanaryPage, fetched: Fetched, root: str) -> PageReport:
    """The report for one canary page from what its fetch brought back."""
    report = PageReport(page.name, fetched.url, failure=fetched.failure)
    if fetched.response is None:
        report.failure = report.failure or "no response"
        return report
    if fetched.response.url != fetched.url:
        report.notes.append(f"redirected to {fetched.response.url}")
    extraction = extract(fetched.response, root)
    report.differences = compare(page, extraction, root)
    report.notes += extraction.notes
    modified = next((d for d in report.differences if d.field == "modified_at"), None)
    if report.status == "differs" and modified is not None and modified.kind == "info":
        report.notes.append(
            f"the page states another modification time ({modified.got}); if the differences "
            f"are editors' changes, refresh the expectation: scrapy record {page.url} "
            f"--name {page.name} --canary-only --force"
        )
    return report


def check_sample(fetched: Fetched, root: str, sources: dict[str, str]) -> PageReport:
    """The report for a sampled capture, which has no recorded item: the fields every article
    states that came out empty, and each field that came from another source than ``sources``
    (the canary pages' own)."""
    report = PageReport(f"sample {urlsplit(fetched.url).path}", fetched.url, fetched.failure)
    if fetched.response is None:
        report.failure = report.failure or "no response"
        return report
    extraction = extract(fetched.response, root)
    if extraction.item is None:
        report.differences = [Difference("kind", "article", extraction.kind, "value")]
        return report
    got = asdict(extraction.item)
    for name in FIELD_NAMES:
        if name in SAMPLE_REQUIRED and got[name] in (None, "", []):
            report.differences.append(Difference(name, "a value", got[name], "value"))
        expected, source = sources.get(name), extraction.sources.get(name)
        if expected and source and expected != source:
            report.differences.append(Difference(name, expected, source, "source"))
    report.notes += extraction.notes
    return report


def render_text(reports: list[PageReport], root: str) -> str:
    lines = [f"canary: {len(reports)} page{'' if len(reports) == 1 else 's'} from {root}"]
    for report in reports:
        if report.status == "not fetched":
            lines.append(f"{report.name}: not fetched ({report.url}): {report.failure}")
            continue
        where = "" if report.status == "matches" else f" ({report.url})"
        lines.append(f"{report.name}: {report.status}{where}")
        lines += [f"  {difference.line()}" for difference in report.differences]
        lines += [f"  note: {note}" for note in report.notes]
    lines.append(f"canary: {summary(reports)}")
    return "\n".join(lines)


def summary(reports: list[PageReport]) -> str:
    counts = {s: sum(r.status == s for r in reports) for s in ("matches", "differs", "not fetched")}
    if counts["matches"] == len(reports):
        return "the page matches" if len(reports) == 1 else f"all {len(reports)} pages match"
    return (
        f"{counts['matches']} of {len(reports)} pages match: {counts['differs']} "
        f"differ{'s' if counts['differs'] == 1 else ''}, {counts['not fetched']} not fetched"
    )


def render_json(reports: list[PageReport], root: str) -> str:
    pages = [
        {
            "name": report.name,
            "url": report.url,
            "status": report.status,
            "failure": report.failure,
            "differences": [asdict(difference) for difference in report.differences],
            "notes": report.notes,
        }
        for report in reports
    ]
    ok = all(report.status == "matches" for report in reports)
    return json.dumps({"root": root, "ok": ok, "pages": pages}, indent=2, ensure_ascii=False)
