"""The canary's sampled captures (``scrapy canary --via wayback --sample N``): legitimately empty
fields and pages without a usable tawsiyat block are not drift; a field lost on every sampled
page, or a block no sampled page has any more, is."""

import re

from scrapy.http import HtmlResponse

from mayadeen.drift.expectations import load_pages, passed, render_text
from mayadeen.drift.fetch import Fetched
from mayadeen.drift.sampled import across_samples, canary_sources, check_sample
from mayadeen.loopback import load_fixtures
from mayadeen.site.urls import LIVE_ROOT
from tests.helpers.sites import TAWSIYAT

SOURCES = canary_sources([page.sources for page in load_pages()])


ARTICLES = [f for f in load_fixtures() if f.expected() is not None]


def fetched(url: str, html: bytes) -> Fetched:
    return Fetched(url, HtmlResponse(url, body=html, encoding="utf-8"))


def valid(fixture_url: str, html: bytes) -> bool:
    report, _ = check_sample(fetched(fixture_url, html), LIVE_ROOT, SOURCES)
    return report.status == "matches"


def plain_articles() -> list[tuple[str, bytes]]:
    """Fixture articles with a tawsiyat block and a valid item."""
    found = []
    for fixture in ARTICLES:
        html = fixture.html()
        if TAWSIYAT.search(html) and valid(fixture.url, html):
            found.append((fixture.url, html))
    return found


def test_optional_fields_left_empty_are_not_drift() -> None:
    """Pages without coverage, a caption, a Source: line or an article id are right pages."""
    empty_optional = [
        (url, html)
        for fixture in ARTICLES
        for url, html in [(fixture.url, fixture.html())]
        if any(fixture.expected()[name] in (None, "", []) for name in ("coverage", "source"))  # type: ignore[index]
    ]
    assert len(empty_optional) >= 3
    for url, html in empty_optional:
        report, _ = check_sample(fetched(url, html), LIVE_ROOT, SOURCES)
        assert not [d for d in report.differences if d.field in ("coverage", "source")], url


def test_a_page_without_a_usable_tawsiyat_block_matches_when_json_ld_gives_the_values() -> None:
    url, html = plain_articles()[0]
    broken = b'<script type="text/tawsiyat" id="tawsiyat-metadata">{"postid": </script>'
    for variant in (TAWSIYAT.sub(b"", html), TAWSIYAT.sub(broken, html)):
        report, extraction = check_sample(fetched(url, variant), LIVE_ROOT, SOURCES)
        assert extraction is not None
        assert extraction.sources["title"] != "tawsiyat"
        assert report.status == "matches", report.differences
        assert report.notes
        assert "another source" in report.notes[0]
    whole = [check_sample(fetched(u, h), LIVE_ROOT, SOURCES)[1] for u, h in plain_articles()[:3]]
    lacking = check_sample(fetched(url, TAWSIYAT.sub(b"", html)), LIVE_ROOT, SOURCES)[1]
    across = across_samples([e for e in [*whole, lacking] if e is not None], SOURCES)
    assert across is not None
    assert across.status == "matches", across.differences


def test_a_block_no_sampled_page_has_any_more_is_drift() -> None:
    pages = plain_articles()[:3]
    assert len(pages) == 3
    extractions = [
        check_sample(fetched(url, TAWSIYAT.sub(b"", html)), LIVE_ROOT, SOURCES)[1]
        for url, html in pages
    ]
    across = across_samples([e for e in extractions if e is not None], SOURCES)
    assert across is not None
    assert across.status == "differs"
    title = next(d for d in across.differences if d.field == "title")
    assert (title.kind, title.expected) == ("source", "tawsiyat")
    assert title.got.endswith("of 3 pages")
    assert "tawsiyat" not in title.got
    assert not passed([across])
    assert "across 3 sampled pages: differs" in render_text([across], LIVE_ROOT)


def test_a_field_lost_on_every_sampled_page_is_drift_and_a_title_lost_on_one_is_too() -> None:
    pages = plain_articles()[:3]
    no_image = [re.sub(rb'"thumbnail": "[^"]*"', b'"thumbnail": ""', h) for _, h in pages]
    no_image = [re.sub(rb"<meta[^>]+og:image[^>]*>|<img[^>]*>", b"", h) for h in no_image]
    no_image = [re.sub(rb'"image":\s*\{[^}]*\},?', b"", h) for h in no_image]
    extractions = [
        check_sample(fetched(url, html), LIVE_ROOT, SOURCES)[1]
        for (url, _), html in zip(pages, no_image, strict=True)
    ]
    across = across_samples([e for e in extractions if e is not None], SOURCES)
    assert across is not None
    assert [(d.field, d.got) for d in across.differences if d.kind == "value"] == [
        ("image_url", "missing on 3 of 3 pages")
    ]
    url, html = pages[0]
    untitled = re.sub(rb"<h1[^>]*>.*?</h1>", b"", TAWSIYAT.sub(b"", html), flags=re.S)
    untitled = re.sub(rb'"headline":\s*"[^"]*",?|<meta[^>]+og:title[^>]*>|<title>.*?</title>',
                      b"", untitled, flags=re.S)  # fmt: skip
    report, _ = check_sample(fetched(url, untitled), LIVE_ROOT, SOURCES)
    assert report.status == "differs"
    assert "title" in {d.field for d in report.differences}
