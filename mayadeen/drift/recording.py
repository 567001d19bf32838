"""A fetched page turned into a fixture (``<name>.html``, ``<name>.expected.json`` and its entry in
``index.json``) and, optionally, a canary page; ``scrapy record`` is the command.

A fixture is stored as the live site serves it: fetched from a copy of the site, the copy's root
is written back as the live one. Its expected item is the extraction of the stored bytes exactly
as the fixture tests replay them, so a recorded fixture passes them as it is.
"""

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from lxml import html as lxml_html
from scrapy.http import HtmlResponse, TextResponse

from mayadeen.drift.expectations import CanaryPage, load_pages, save_pages
from mayadeen.drift.fetch import to_live
from mayadeen.items import contract_dict
from mayadeen.pages.dates import iso_seconds
from mayadeen.pages.extract import Extraction, extract
from mayadeen.site.urls import LIVE_ROOT, path_segments
from mayadeen.site.validity import problems

NAME = re.compile(r"[a-z0-9][a-z0-9-]*")
NON_ARTICLE_KINDS = ("video", "infograph", "author", "page")
"""Non-article kinds a fixture can be of (``mayadeen.loopback.catalog.Kind``)."""


class RecordError(Exception):
    """Why a page is not recorded; nothing was written."""


def replay(url: str, html: bytes, crawled_at: datetime | None = None) -> Extraction:
    """A fixture page through the real extraction, as the fixture tests replay it."""
    return extract(HtmlResponse(url, body=html, encoding="utf-8"), LIVE_ROOT, crawled_at)


@dataclass(frozen=True)
class Recording:
    """A fetched page as a fixture: the live site's bytes, its live URL and their extraction."""

    name: str
    html: bytes
    url: str
    extraction: Extraction
    recorded_at: datetime

    @classmethod
    def of(cls, name: str, response: TextResponse, root: str) -> "Recording":
        if not NAME.fullmatch(name):
            raise RecordError(f"name {name!r}: use lower-case letters, digits and '-'")
        if response.encoding.lower().replace("_", "-") in {"utf-8", "utf8"}:
            body = response.body
        else:  # fixtures are replayed as UTF-8
            body = response.text.encode("utf-8")
        if root != LIVE_ROOT:
            text = body.decode("utf-8", "surrogateescape")
            body = to_live(text, root).encode("utf-8", "surrogateescape")
        url, now = to_live(response.url, root), datetime.now(UTC)
        extraction = replay(url, body, now)
        item = extraction.item
        if item is not None and item.url and item.url.startswith(LIVE_ROOT + "/"):
            url = item.url  # served at its canonical path, where the replay fetches it
            extraction = replay(url, body, now)
        recording = cls(name, body, url, extraction, now)
        recording.check()
        return recording

    def check(self) -> None:
        item, kind = self.extraction.item, self.extraction.kind
        if item is None and kind not in NON_ARTICLE_KINDS:
            raise RecordError(
                f"{self.url}: a {kind} page; fixtures are articles or one of "
                f"{', '.join(NON_ARTICLE_KINDS)}"
            )
        if item is not None and (found := problems(contract_dict(item), LIVE_ROOT)):
            raise RecordError(
                f"{self.url}: the extraction fails validation ({', '.join(found)}): fix the rules "
                "in mayadeen/site/ first (docs/drift.md); a broken page is not a fixture to record"
            )

    @property
    def path(self) -> str:
        return self.url.removeprefix(LIVE_ROOT)

    @property
    def expected(self) -> dict[str, Any] | None:
        """The item in the fixtures' format: the contract's fields in order, no ``crawled_at``."""
        if self.extraction.item is None:
            return None
        return {k: v for k, v in contract_dict(self.extraction.item).items() if k != "crawled_at"}

    def index_row(self, why: str | None) -> dict[str, Any]:
        item = self.extraction.item
        segments = path_segments(self.url)
        if item is None:
            label = f"nonarticle:{self.extraction.kind}"
        elif segments[0] == "news":
            label = f"section:{segments[1]}"
        else:
            label = f"type:{segments[1]}"
        day = self.recorded_at.date().isoformat()
        return {
            "name": self.name,
            "file": f"{self.name}.html",
            "expected": f"{self.name}.expected.json" if item is not None else None,
            "path": self.path,
            "kind": "article" if item is not None else self.extraction.kind,
            "title": (item.title if item else None) or page_title(self.html) or self.name,
            "published": (item.published_at if item else None) or iso_seconds(self.recorded_at),
            "covers": ["recorded", label],
            "why": why
            or f"Recorded from {self.url} on {day} with scrapy record: the expected item is "
            "what the extraction gave that day, not hand-checked.",
        }

    def canary_page(self) -> CanaryPage:
        if self.expected is None:
            raise RecordError(f"{self.url}: a {self.extraction.kind} page cannot be a canary page")
        day = self.recorded_at.date().isoformat()
        return CanaryPage(
            self.name,
            self.url,
            self.expected,
            self.extraction.sources,
            note=f"recorded {day} with scrapy record",
        )


def page_title(html: bytes) -> str | None:
    title = lxml_html.fromstring(html).findtext(".//title")
    return " ".join(title.split()) if title else None


def _write_json(path: Path, data: Any) -> None:
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


class FixtureDirectory:
    """A fixtures directory (``mayadeen/loopback/fixtures`` or a copy): pages and ``index.json``."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.index_file = path / "index.json"

    def rows(self) -> list[dict[str, Any]]:
        if not self.index_file.exists():
            return []
        rows: list[dict[str, Any]] = json.loads(self.index_file.read_text("utf-8"))
        return rows

    def files(self, name: str) -> list[Path]:
        return [self.path / f"{name}.html", self.path / f"{name}.expected.json"]

    def check(self, recording: Recording, force: bool) -> None:
        """Raise unless ``recording`` can be written here (a name in use needs ``force``)."""
        rows = self.rows()
        if not force and (
            any(row["name"] == recording.name for row in rows)
            or any(path.exists() for path in self.files(recording.name))
        ):
            raise RecordError(
                f"a fixture named {recording.name} exists in {self.path}; --force replaces it"
            )
        for row in rows:
            if row["path"] == recording.path and row["name"] != recording.name:
                raise RecordError(
                    f"fixture {row['name']} is already served at {recording.path}; record the page "
                    f"as --name {row['name']} --force to refresh it"
                )

    def write(self, recording: Recording, why: str | None) -> list[Path]:
        """Write the page, its expected item and its index entry (replacing one of that name)."""
        self.path.mkdir(parents=True, exist_ok=True)
        page, expected_file = self.files(recording.name)
        page.write_bytes(recording.html)
        written = [page]
        if recording.expected is not None:
            _write_json(expected_file, recording.expected)
            written.append(expected_file)
        else:
            expected_file.unlink(missing_ok=True)
        row = recording.index_row(why)
        rows = self.rows()
        at = next((i for i, r in enumerate(rows) if r["name"] == recording.name), len(rows))
        rows[at : at + 1] = [row]
        _write_json(self.index_file, rows)
        return [*written, self.index_file]


class CanaryFile:
    """The canary pages of ``path`` (the packaged list, or another given with ``--canary-file``)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def pages(self) -> list[CanaryPage]:
        return load_pages(self.path) if self.path.exists() else []

    def check(self, page: CanaryPage, force: bool) -> None:
        for known in self.pages():
            if known.name == page.name and not force:
                raise RecordError(
                    f"canary page {page.name} exists in {self.path}; --force replaces it"
                )
            if known.url == page.url and known.name != page.name:
                raise RecordError(f"canary page {known.name} already checks {page.url}")

    def write(self, page: CanaryPage) -> Path:
        pages = self.pages()
        at = next((i for i, p in enumerate(pages) if p.name == page.name), len(pages))
        pages[at : at + 1] = [page]
        save_pages(self.path, pages)
        return self.path
