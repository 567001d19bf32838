"""The hand-checked fixture pages (``fixtures/index.json``) and a loopback site serving them.

Fixtures are package data read through :mod:`importlib.resources`, so they load from an installed
package or a Scrapyd egg as well as from a checkout.
"""

import json
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from importlib.resources import files
from importlib.resources.abc import Traversable
from typing import Any

from mayadeen.loopback.anatomy import LIVE_ROOT
from mayadeen.loopback.catalog import ITEM_KINDS, Entry, Kind, Page
from mayadeen.loopback.listings import ListedSite


def fixtures_dir() -> Traversable:
    return files("mayadeen.loopback") / "fixtures"


@dataclass(frozen=True, slots=True)
class Fixture:
    """One fixture page: where the site serves it, what it is, what it covers."""

    name: str
    file: str
    expected_ref: str | None
    path: str
    kind: Kind
    title: str
    published: datetime
    covers: tuple[str, ...]
    why: str

    @property
    def url(self) -> str:
        return f"{LIVE_ROOT}{self.path}"

    def html(self) -> bytes:
        return (fixtures_dir() / self.file).read_bytes()

    def expected(self) -> dict[str, Any] | None:
        """The hand-written expected item (``None`` for pages that yield no item)."""
        if self.expected_ref is None:
            return None
        file, _, key = self.expected_ref.partition("#")
        data: dict[str, Any] = json.loads((fixtures_dir() / file).read_text("utf-8"))
        return data[key] if key else data

    def entry(self) -> Entry:
        section = None
        if self.kind in ITEM_KINDS or self.kind == "video":
            section = self.path.strip("/").rsplit("/", 1)[0]
        elif self.kind == "infograph":
            section = "infographs"
        return Entry(self.path, self.title, self.kind, self.published, section=section)


@cache
def load_fixtures() -> tuple[Fixture, ...]:
    index = json.loads((fixtures_dir() / "index.json").read_text("utf-8"))
    return tuple(
        Fixture(
            name=row["name"],
            file=row["file"],
            expected_ref=row["expected"],
            path=row["path"],
            kind=row["kind"],
            title=row["title"],
            published=datetime.fromisoformat(row["published"]),
            covers=tuple(row["covers"]),
            why=row["why"],
        )
        for row in index
    )


class FixtureSite(ListedSite):
    """The fixture pages, with a home page, section listings, sitemaps and RSS built around them."""

    def __init__(self) -> None:
        self.fixtures = load_fixtures()
        self._by_path = {f.path: f for f in self.fixtures}
        super().__init__(f.entry() for f in self.fixtures)

    def content(self, path: str) -> Page | None:
        fixture = self._by_path.get(path)
        return Page(fixture.html()) if fixture else None


__all__ = ["Fixture", "FixtureSite", "load_fixtures"]
