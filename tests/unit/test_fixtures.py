"""The hand-checked fixture pages: complete, consistent with the contract, covering every variant
the foundation issue lists, the shared samples unchanged, and all served by the fixture site."""

import hashlib
import json
import re
from datetime import datetime

import pytest

from mayadeen.items import FIELD_NAMES
from mayadeen.loopback import Fixture, FixtureSite, load_fixtures
from mayadeen.loopback.anatomy import BEIRUT, LIVE_ROOT
from mayadeen.loopback.fixtures import fixtures_dir
from tests.helpers.runs import SHARED

SHARED_SAMPLES = SHARED / "site" / "samples"
ITEM_FIELDS = tuple(f for f in FIELD_NAMES if f != "crawled_at")
REQUIRED_COVERAGE = {
    *(
        f"section:{s}"
        for s in (
            "politics",
            "economics",
            "sports",
            "arts-culture",
            "health",
            "miscellaneous",
            "technology",
            "environment",
        )
    ),
    *(f"type:{t}" for t in ("opinion", "analysis", "blog", "features")),
    "slug:old-colon",
    "slug:percent-3a",
    "slug:new-rule",
    "tawsiyat:present",
    "tawsiyat:missing",
    "tawsiyat:broken",
    "jsonld:present",
    "jsonld:missing",
    "meta:missing",
    "dom-only",
    "date:winter",
    "date:summer",
    "date:dst-spring",
    "date:dst-autumn",
    "byline:house",
    "byline:house-lowercase",
    "byline:personal",
    "disclaimer",
    "related-box",
    "read-more",
    "tweet",
    "subheading",
    "entity-noise",
    "no-image",
    "no-caption",
    "link-spellings",
    "nonarticle:video",
    "nonarticle:infograph",
    "nonarticle:author",
    "nonarticle:page",
    "invalid:empty-body",
    "invalid:no-title",
    # Shapes confirmed on real pages (issue 15).
    "url:post-id",
    "section:capitalised",
    "url:unknown-shape",
    "url:unknown-shape-nonarticle",
    "brief:one-sentence",
    "brief:two-sentences",
    "byline:house-net-lowercase",
    "byline:house-plain",
    "byline:bare-name",
    "header:shares",
}
CANONICAL_URL = re.compile(r"https://english\.almayadeen\.net(/[^?#%\s]*[^/?#%\s])")
FIXTURES = load_fixtures()
WITH_ITEMS = [f for f in FIXTURES if f.expected_ref]


def test_index_lists_every_page_and_only_existing_ones() -> None:
    on_disk = {p.name for p in fixtures_dir().iterdir() if p.name.endswith(".html")}
    listed = {f.file for f in FIXTURES if "/" not in f.file}
    assert listed == on_disk
    for fixture in FIXTURES:
        assert fixture.html().startswith(b"<!DOCTYPE html>")
        assert (fixture.expected_ref is not None) == (fixture.kind in ("article", "invalid"))


def test_every_listed_variant_is_covered() -> None:
    covered = {label for f in FIXTURES for label in f.covers}
    assert covered >= REQUIRED_COVERAGE, sorted(REQUIRED_COVERAGE - covered)


@pytest.mark.parametrize("fixture", WITH_ITEMS, ids=lambda f: f.name)
def test_expected_item_is_consistent(fixture: Fixture) -> None:
    item = fixture.expected()
    assert item is not None
    fields = tuple(item)
    if fixture.kind == "article":
        assert fields == ITEM_FIELDS
    else:
        assert fields == tuple(f for f in ITEM_FIELDS if f in fields), "a subset, in contract order"
    assert item["url"] == fixture.url
    assert CANONICAL_URL.fullmatch(item["url"])
    for related in item.get("related_urls", []):
        assert CANONICAL_URL.fullmatch(related), related
    if "body" in item:
        assert item["word_count"] == len(item["body"].split())
        assert "\n\n\n" not in item["body"]
        assert item["body"] == item["body"].strip()
    if "content_hash" in item:
        assert (
            item["content_hash"]
            == hashlib.sha256(f"{item['title']}\n{item['body']}".encode()).hexdigest()
        )
    for field in ("published_at", "modified_at"):
        if item.get(field):
            moment = datetime.fromisoformat(item[field])
            assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d", item[field])
            assert moment.utcoffset() == moment.astimezone(BEIRUT).utcoffset(), (
                f"{field} has the wrong Beirut offset"
            )
    assert len(item.get("tags", [])) == len(set(item.get("tags", [])))


def test_samples_are_the_shared_ones_unchanged() -> None:
    if not SHARED_SAMPLES.is_dir():
        pytest.skip(f"{SHARED_SAMPLES} is not beside this checkout")
    copied = fixtures_dir() / "samples"
    for original in SHARED_SAMPLES.iterdir():
        assert (copied / original.name).read_bytes() == original.read_bytes(), original.name
    shared_expected = json.loads((SHARED_SAMPLES / "expected.json").read_text("utf-8"))
    for fixture in FIXTURES:
        if fixture.file.startswith("samples/"):
            assert fixture.expected() == shared_expected[fixture.file.removeprefix("samples/")]


def test_fixture_site_serves_every_fixture_under_every_spelling(fixture_site: FixtureSite) -> None:
    for fixture in FIXTURES:
        for spelling in (fixture.path, fixture.path.replace(":", "%3A"), f"{fixture.path}/"):
            page = fixture_site.get(spelling, "utm_source=x")
            assert page is not None, spelling
            assert page.body == fixture.html(), spelling


def test_fixture_site_lists_its_articles(fixture_site: FixtureSite) -> None:
    home = fixture_site.get("/").body.decode()  # type: ignore[union-attr]
    index = fixture_site.get("/sitemaps/all.xml").body.decode()  # type: ignore[union-attr]
    monthly = "".join(
        fixture_site.get(loc.removeprefix(LIVE_ROOT)).body.decode()  # type: ignore[union-attr]
        for loc in re.findall(r"<loc>([^<]+)</loc>", index)
    )
    for fixture in WITH_ITEMS:
        assert f"<loc>{fixture.url}</loc>" in monthly
    assert sum(f.url.replace(":", "%3A") in home or f.url in home for f in WITH_ITEMS) >= 20
