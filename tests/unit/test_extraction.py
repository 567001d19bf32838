"""Every fixture page through the real extraction, compared field by field with its expected item,
and the generated site's pages against the generator's own record of what each page says."""

import json
import re
from datetime import UTC, datetime
from functools import cache
from typing import Any

import pytest
from scrapy.http import HtmlResponse

from mayadeen.items import FIELD_NAMES, contract_dict
from mayadeen.loopback import Fixture, GeneratedSite, load_fixtures
from mayadeen.loopback.anatomy import LIVE_ROOT
from mayadeen.pages.extract import Extraction, extract
from mayadeen.site.article import FIELD_SOURCES
from tests.helpers.runs import ROOT, SHARED

FIXTURES = load_fixtures()
WITH_ITEMS = [f for f in FIXTURES if f.expected_ref]
NON_ARTICLES = [f for f in FIXTURES if not f.expected_ref]
COPY_ROOT = "http://127.0.0.1:8123"
CRAWLED = datetime(2026, 11, 21, 9, 30, 15, 123456, tzinfo=UTC)


def extract_page(url: str, body: bytes, root: str = LIVE_ROOT) -> Extraction:
    return extract(HtmlResponse(url, body=body, encoding="utf-8"), root, crawled_at=CRAWLED)


@cache
def extracted(name: str) -> dict[str, Any]:
    fixture = next(f for f in FIXTURES if f.name == name)
    extraction = extract_page(fixture.url, fixture.html())
    assert extraction.item is not None, f"{name} gave no item ({extraction.kind})"
    return contract_dict(extraction.item)


@pytest.mark.parametrize(
    ("fixture", "field"),
    [(f, field) for f in WITH_ITEMS for field in f.expected() or {}],
    ids=lambda value: value.name if isinstance(value, Fixture) else value,
)
def test_fixture_field(fixture: Fixture, field: str) -> None:
    expected = fixture.expected()
    assert expected is not None
    assert extracted(fixture.name)[field] == expected[field]


@pytest.mark.parametrize("fixture", WITH_ITEMS, ids=lambda f: f.name)
def test_fields_the_expected_item_leaves_out_are_empty_or_derived(fixture: Fixture) -> None:
    """An invalid page's expected item omits what is uncertain; the rest must still be sane."""
    item = extracted(fixture.name)
    assert item["crawled_at"] == "2026-11-21T09:30:15+00:00"
    if fixture.name == "invalid-no-title":
        assert item["title"] is None
        assert item["content_hash"] is None


def test_the_shared_samples_expected_items_are_reproduced_exactly() -> None:
    samples = SHARED / "site" / "samples"
    if not samples.is_dir():
        pytest.skip(f"{samples} is not beside this checkout")
    expected = json.loads((samples / "expected.json").read_text("utf-8"))
    for file_name, item in expected.items():
        fixture = next(f for f in FIXTURES if f.file == f"samples/{file_name}")
        html = (samples / file_name).read_bytes()
        got = contract_dict(extract_page(fixture.url, html).item)  # type: ignore[arg-type]
        del got["crawled_at"]
        assert got == item, file_name


@pytest.mark.parametrize("fixture", NON_ARTICLES, ids=lambda f: f.name)
def test_non_article_pages_give_no_item_and_are_counted_by_kind(fixture: Fixture) -> None:
    extraction = extract_page(fixture.url, fixture.html())
    assert extraction.item is None
    assert extraction.kind == fixture.kind


@pytest.mark.parametrize(
    "spelling",
    ["{path}/", "{path}?utm_source=x&utm_medium=y", "{path}#comments", "{path_3a}"],
)
def test_the_url_is_canonical_whatever_spelling_the_page_was_fetched_under(spelling: str) -> None:
    for name in ("news-environment-dom-only", "news-politics-percent-colon"):
        fixture = next(f for f in FIXTURES if f.name == name)
        path = fixture.path
        served = LIVE_ROOT + spelling.format(path=path, path_3a=path.replace(":", "%3A"))
        item = extract_page(served, fixture.html()).item
        assert item is not None
        assert item.url == fixture.url


@pytest.mark.parametrize("rewritten", [True, False], ids=["page-rewritten", "page-with-live-urls"])
def test_urls_stay_on_the_configured_host(rewritten: bool) -> None:
    """Against a copy of the site every URL the item holds is on the copy's host."""
    fixture = next(f for f in FIXTURES if f.name == "article-belarusian-troops")
    html = fixture.html()
    if rewritten:
        html = html.replace(LIVE_ROOT.encode(), COPY_ROOT.encode())
    item = extract_page(COPY_ROOT + fixture.path, html, root=COPY_ROOT).item
    expected = fixture.expected()
    assert item is not None
    assert expected is not None
    assert item.url == expected["url"].replace(LIVE_ROOT, COPY_ROOT)
    assert item.related_urls == [u.replace(LIVE_ROOT, COPY_ROOT) for u in expected["related_urls"]]


@pytest.mark.parametrize(
    ("name", "sources"),
    [
        (
            "article-belarusian-troops",
            {"url": "tawsiyat", "title": "tawsiyat", "summary": "dom", "coverage": "tawsiyat"},
        ),
        ("news-sports-no-tawsiyat", {"article_id": "jsonld", "title": "jsonld", "tags": "jsonld"}),
        (
            "news-arts-culture-broken-sources",
            {"article_id": "missing", "title": "meta", "published_at": "meta", "url": "meta"},
        ),
        (
            "news-environment-dom-only",
            {"url": "served", "title": "dom", "published_at": "dom", "coverage": "dom"},
        ),
        ("news-jsonld-only", {"summary": "jsonld", "modified_at": "jsonld", "url": "jsonld"}),
        ("news-dst-edges-offsets", {"summary": "tawsiyat"}),
        ("news-health-no-image", {"image_url": "missing", "image_caption": "missing"}),
        ("blog-no-read-time", {"read_time_minutes": "missing", "source": "missing"}),
    ],
)
def test_each_field_records_the_source_that_gave_it(name: str, sources: dict[str, str]) -> None:
    fixture = next(f for f in FIXTURES if f.name == name)
    extraction = extract_page(fixture.url, fixture.html())
    assert {field: extraction.sources[field] for field in sources} == sources
    assert set(extraction.sources) | {"word_count", "crawled_at", "content_hash"} == set(
        FIELD_NAMES
    )


def test_resolved_wall_times_are_reported_not_silent() -> None:
    notes = {
        name: extract_page(f.url, f.html()).notes
        for f in FIXTURES
        if (name := f.name) in ("news-dst-spring-gap", "news-dst-autumn-fold")
    }
    assert re.search(r"non-existent .* 2024-03-31T00:30", " ".join(notes["news-dst-spring-gap"]))
    assert re.search(r"ambiguous .* 2023-10-28T23:30", " ".join(notes["news-dst-autumn-fold"]))


@pytest.fixture(scope="module")
def generated_mismatches(small_site: GeneratedSite) -> dict[str, list[str]]:
    """For every generated article page, the fields where extraction and the generator disagree."""
    mismatches: dict[str, list[str]] = {field: [] for field in FIELD_NAMES}
    for article in small_site.articles_by_index:
        page = small_site.content(article.entry.path)
        assert page is not None
        item = extract_page(LIVE_ROOT + article.entry.path, page.body).item
        assert item is not None
        got = contract_dict(item)
        for field, value in small_site.expected_item(article).items():
            if got[field] != value:
                mismatches[field].append(f"{article.entry.path}: {got[field]!r} != {value!r}")
    return mismatches


@pytest.mark.parametrize("field", [f for f in FIELD_NAMES if f != "crawled_at"])
def test_generated_site_field(field: str, generated_mismatches: dict[str, list[str]]) -> None:
    assert generated_mismatches[field] == []


def test_generated_non_article_pages_give_no_item(small_site: GeneratedSite) -> None:
    others = [e for e in small_site.entries if e.kind not in ("article", "invalid")]
    assert {e.kind for e in others} >= {"video", "infograph", "author"}
    for entry in others:
        page = small_site.content(entry.path)
        assert page is not None
        extraction = extract_page(LIVE_ROOT + entry.path, page.body)
        assert (extraction.kind, extraction.item) == (entry.kind, None)


def test_the_documented_source_order_is_the_one_used() -> None:
    text = (ROOT / "docs" / "extraction.md").read_text("utf-8")
    rows = dict(re.findall(r"^\| (\w+) \| ([a-z][^|]*) \|$", text, re.MULTILINE))
    documented = {
        field: tuple(re.sub(r"\s*\(.*?\)", "", order).replace(" ", "").split(","))
        for field, order in rows.items()
        if field != "field"  # the header row
    }
    assert documented == {field: tuple(order) for field, order in FIELD_SOURCES.items()}
