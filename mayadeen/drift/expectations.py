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

from mayadeen.drift.fetch import Fetched
from mayadeen.items import FIELD_NAMES, contract_dict
from mayadeen.pages.extract import Extraction, extract
from mayadeen.site.canary_pages import CANARY_INFO_ONLY, CANARY_NOT_COMPARED, canary_pages_file
from mayadeen.site.urls import LIVE_ROOT

Status = Literal["matches", "differs", "not fetched", "not captured"]
NO_CAPTURE = "no Wayback capture of it (HTML, status 200)"
"""Why a page read ``--via wayback`` has nothing to check: not drift, nothing to compare."""
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
    kind: Literal["page", "across", "ticker"] = "page"
    """``across``: what the sampled pages show together (``drift.sampled.across_samples``);
    ``ticker``: the BREAKING ticker's lines (``drift.ticker``)."""

    @property
    def status(self) -> Status:
        if self.failure == NO_CAPTURE:
            return "not captured"
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
    got = contract_dict(extraction.item)
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


def render_text(reports: list[PageReport], root: str) -> str:
    pages = [report for report in reports if report.kind == "page"]
    lines = [f"canary: {len(pages)} page{'' if len(pages) == 1 else 's'} from {root}"]
    for report in reports:
        if report.status in ("not fetched", "not captured"):
            lines.append(f"{report.name}: {report.status} ({report.url}): {report.failure}")
            continue
        where = "" if report.status == "matches" or not report.url else f" ({report.url})"
        lines.append(f"{report.name}: {report.status}{where}")
        lines += [f"  {difference.line()}" for difference in report.differences]
        lines += [f"  note: {note}" for note in report.notes]
    lines.append(f"canary: {summary(reports)}")
    return "\n".join(lines)


def passed(reports: list[PageReport]) -> bool:
    """No drift and every page fetched, at least one of them checked; a page the archive holds no
    capture of is not drift (there is nothing to compare), but a canary that checked nothing
    fails."""
    statuses = [report.status for report in reports]
    articles = [report.status for report in reports if report.kind != "ticker"]
    return "matches" in articles and set(statuses) <= {"matches", "not captured"}


def summary(reports: list[PageReport]) -> str:
    pages = [report for report in reports if report.kind == "page"]
    counts = {s: sum(r.status == s for r in pages) for s in ("matches", "differs", "not fetched")}
    uncaptured = sum(r.status == "not captured" for r in pages)
    across = next((r for r in reports if r.kind == "across"), None)
    checked = len(pages) - uncaptured
    if not checked:
        said = "no page checked"
    elif counts["matches"] == checked:
        said = "the page matches" if checked == 1 else f"all {checked} pages match"
    else:
        said = (
            f"{counts['matches']} of {checked} pages match: {counts['differs']} "
            f"differ{'s' if counts['differs'] == 1 else ''}, {counts['not fetched']} not fetched"
        )
    if across is not None and across.status == "differs":
        said += f"; {across.name}: {len(across.differences)} fields drifted"
    if uncaptured:
        said += f" ({uncaptured} without a Wayback capture, not checked)"
    ticker = next((r for r in reports if r.kind == "ticker"), None)
    if ticker is not None and ticker.status in ("differs", "not fetched"):
        said += f"; ticker: {'no line found' if ticker.status == 'differs' else 'not fetched'}"
    return said


def render_json(reports: list[PageReport], root: str) -> str:
    pages = [
        {
            "name": report.name,
            "url": report.url,
            "kind": report.kind,
            "status": report.status,
            "failure": report.failure,
            "differences": [asdict(difference) for difference in report.differences],
            "notes": report.notes,
        }
        for report in reports
    ]
    ok = passed(reports)
    return json.dumps({"root": root, "ok": ok, "pages": pages}, indent=2, ensure_ascii=False)
