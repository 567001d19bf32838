"""Hostile input: extraction returns what it can and never raises; what is missing stays empty
for validation to report."""

import io
from pathlib import Path

import pytest
from scrapy.http import HtmlResponse

from mayadeen.exporters import exporting
from mayadeen.items import content_hash, contract_dict
from mayadeen.loopback import load_fixtures
from mayadeen.loopback.anatomy import LIVE_ROOT
from mayadeen.pages.extract import Extraction, extract
from mayadeen.site.validity import problems
from mayadeen.store import Store, store_path

URL = f"{LIVE_ROOT}/news/politics/some-article"
SAMPLE = next(f for f in load_fixtures() if f.name == "article-belarusian-troops")


def extract_bytes(body: bytes, encoding: str | None = "utf-8", url: str = URL) -> Extraction:
    headers = {"Content-Type": f"text/html; charset={encoding}"} if encoding else {}
    return extract(HtmlResponse(url, body=body, headers=headers), LIVE_ROOT)


def sample_with(old: bytes, new: bytes) -> bytes:
    html = SAMPLE.html()
    assert old in html
    return html.replace(old, new)


def page(head: str = "", body: str = "") -> bytes:
    return f"<!DOCTYPE html><html lang='en'><head>{head}</head><body>{body}</body></html>".encode()


@pytest.mark.parametrize(
    "body",
    [b"", b"   ", b"\x00\x00", b"not html at all", b"<html>", b"<", b"<?xml version='1.0'?><a/>"],
    ids=["empty", "blank", "nul", "text", "open-tag", "lt", "xml"],
)
def test_empty_and_non_html_bodies_give_an_empty_item(body: bytes) -> None:
    extraction = extract_bytes(body)
    assert extraction.kind == "article"
    item = extraction.item
    assert item is not None
    assert item.url == URL, "the served URL, canonical"
    assert (item.title, item.body, item.published_at, item.content_hash) == (None, None, None, None)
    assert item.section == "Politics"
    assert item.content_type == "news"
    assert item.language == "en"
    assert extraction.sources["title"] == "missing"


def test_html_without_an_article_gives_only_what_it_has() -> None:
    item = extract_bytes(page(body="<h2>Cookies</h2><p>Accept all cookies.</p>")).item
    assert item is not None
    assert item.title is None
    assert item.body is None, "no body container: nothing passes for article text"


@pytest.mark.parametrize(
    "broken",
    [
        b"{",
        b"",
        b"null",
        b"[]",
        b'"a string"',
        b"{'single': 'quotes'}",
        b"[" * 100_000 + b"]" * 100_000,
        b'{"postid": {"id": 1}, "title": 7, "keywords": {"a": 1}, "classes": "x", "author": null,'
        b' "published_time": 12345, "last_updated": "yesterday", "thumbnail": ["x"], "url": 5}',
    ],
    ids=["open", "empty", "null", "list", "string", "python", "deep", "wrong-types"],
)
def test_broken_tawsiyat_and_json_ld_fall_through_to_the_next_sources(broken: bytes) -> None:
    html = SAMPLE.html()
    start = html.index(b'<script type="text/tawsiyat"')
    end = html.index(b"</script>", start)
    html = (
        html[:start] + b'<script type="text/tawsiyat" id="tawsiyat-metadata">' + broken + html[end:]
    )
    start = html.index(b'<script type="application/ld+json">')
    end = html.index(b"</script>", start)
    html = html[:start] + b'<script type="application/ld+json">' + broken + html[end:]
    extraction = extract_bytes(html, url=SAMPLE.url)
    item = extraction.item
    expected = SAMPLE.expected()
    assert item is not None
    assert expected is not None
    assert item.title == expected["title"]
    assert item.published_at == expected["published_at"], "from the meta tag, Beirut wall time"
    assert item.modified_at == expected["modified_at"]
    assert item.body == expected["body"]
    assert item.article_id is None
    assert extraction.sources["title"] == "meta"


def test_json_ld_in_other_shapes_is_read() -> None:
    graph = (
        '{"@context": "https://schema.org", "@graph": [{"@type": "WebPage"},'
        ' {"@type": ["NewsArticle"], "headline": "From the graph", "identifier":'
        ' {"@type": "PropertyValue", "value": 42}, "author": [{"name": "A B"}, "C D"],'
        ' "image": ["https://example.org/i.jpg"], "keywords": ["x", "y, z"],'
        ' "datePublished": "2024-01-02T03:04:05Z"}]}'
    )
    item = extract_bytes(page(head=f'<script type="application/ld+json">{graph}</script>')).item
    assert item is not None
    assert (item.title, item.article_id, item.authors) == ("From the graph", "42", ["A B", "C D"])
    assert (item.image_url, item.tags) == ("https://example.org/i.jpg", ["x", "y", "z"])
    assert item.published_at == "2024-01-02T03:04:05+00:00"


def test_duplicated_blocks_take_the_first_and_keep_repeated_paragraphs() -> None:
    html = SAMPLE.html()
    head_end = html.index(b"</head>")
    tawsiyat = html[html.index(b'<script type="text/tawsiyat"') : head_end]
    html = (
        html[:head_end] + tawsiyat.replace(b'"postid": "28107"', b'"postid": "1"') + html[head_end:]
    )
    html = html.replace(b"</h1>", b"</h1><h1>Second headline</h1>", 1)
    content = html.index(b'<div class="p-content">')
    html = html[:content] + b'<div class="p-content"><p>Other</p></div>' + html[content:]
    html = html.replace(
        b"<p>Earlier this month", b"<p>Again.</p><p>Again.</p><p>Earlier this month"
    )
    item = extract_bytes(html, url=SAMPLE.url).item
    assert item is not None
    assert item.article_id == "28107"
    assert item.body == "Other", "the first body container is the article's"


def test_a_repeated_paragraph_is_kept() -> None:
    html = sample_with(b"<p>Earlier this month", b"<p>Again.</p><p>Again.</p><p>Earlier this month")
    item = extract_bytes(html, url=SAMPLE.url).item
    assert item is not None
    assert "\n\nAgain.\n\nAgain.\n\nEarlier this month" in (item.body or "")


def test_a_5_mb_page_is_extracted_whole() -> None:
    paragraph = b"<p>" + b"word " * 200 + b"</p>\n"
    filler = paragraph * (5 * 1024 * 1024 // len(paragraph))
    html = sample_with(b'<div class="p-content">\n', b'<div class="p-content">\n' + filler)
    assert len(html) > 5 * 1024 * 1024
    item = extract_bytes(html, url=SAMPLE.url).item
    expected = SAMPLE.expected()
    assert item is not None
    assert expected is not None
    assert item.word_count == expected["word_count"] + 200 * filler.count(b"<p>")
    assert item.body is not None
    assert item.body.endswith(expected["body"][-200:])


@pytest.mark.parametrize("encoding", ["utf-8", None, "windows-1252"])
def test_bytes_that_are_not_utf_8_do_not_stop_extraction(encoding: str | None) -> None:
    html = sample_with(b"Ongoing, joint military drills", b"Ongoing, \xff\xfe joint \x93drills\x94")
    item = extract_bytes(html, encoding=encoding, url=SAMPLE.url).item
    assert item is not None
    assert item.title == SAMPLE.expected()["title"]  # type: ignore[index]
    assert item.body is not None
    assert "joint" in item.body


@pytest.mark.parametrize("depth", [300, 1000, 5000])
def test_deeply_nested_markup_does_not_raise(depth: int) -> None:
    nested = "<div>" * depth + "<p>Deep text.</p>" + "</div>" * depth
    html = sample_with(b'<div class="p-content">\n', f'<div class="p-content">{nested}'.encode())
    item = extract_bytes(html, url=SAMPLE.url).item
    assert item is not None
    assert item.title == SAMPLE.expected()["title"]  # type: ignore[index]
    assert item.body is not None
    if depth <= 1000:
        assert item.body.startswith("Deep text.\n\nOn Thursday")
    # Deeper than libxml2 parses, the rest of the page is lost to the parser: the item keeps
    # what the head states and its empty body is left for validation to reject.


def test_every_field_of_a_garbage_page_has_a_contract_type() -> None:
    garbage = page(
        head='<meta property="og:title" content="&amp;amp;"><link rel="canonical" href="javascript:x">'
        '<meta property="article:published_time" content="31 Feb 2024 25:61">',
        body='<article class="article-details"><h1></h1><span class="read-time">999999 Min Read</span>'
        '<div class="p-content"><p>\u200b</p><div class="related-news"><a href="mailto:x">x</a>'
        '<a href="//evil.example/x">y</a></div><p>Read more: <a href="/news/politics/a?x=1#y">a</a>'
        "</p></div></article>",
    )
    item = extract_bytes(garbage).item
    assert item is not None
    assert item.url == URL
    assert item.title == "&", "an entity the CMS escaped twice is decoded"
    assert item.published_at is None
    assert item.read_time_minutes is None
    assert item.body == ""
    assert item.word_count == 0
    assert item.related_urls == [f"{LIVE_ROOT}/news/politics/a"]
    assert all(v is None or isinstance(v, str | int | list) for v in contract_dict(item).values())


def lone_surrogate_pages() -> dict[str, tuple[bytes, str]]:
    """Fixture pages whose CMS JSON spells lone surrogates (``\\ud800``, ``\\udfff``) beside a
    proper pair (an emoji), with the URL each is read under."""
    tawsiyat = sample_with(
        b'"title": "Lukashenko: Belarusian',
        b'"title": "\\ud800Lukashenko\\ud83d\\ude00: Belarusian',
    ).replace(b'"word_count": "571"', b'"word_count": "571\\udfff"', 1)
    jsonld = next(f for f in load_fixtures() if f.name == "news-jsonld-only")
    html = jsonld.html()
    old = b'"headline": "Fuel shortages'
    assert old in html
    return {
        "tawsiyat": (tawsiyat, URL),
        "json-ld": (
            html.replace(old, b'"headline": "Fuel\\udc00 shortages\\ud83d\\ude00'),
            f"{LIVE_ROOT}/news/politics/fuel-shortages-ground-domestic-flights-for-second-day",
        ),
    }


@pytest.mark.parametrize("source", ["tawsiyat", "json-ld"])
def test_a_lone_surrogate_in_the_cms_json_is_read_as_a_replacement_character(
    source: str, tmp_path: Path
) -> None:
    body, url = lone_surrogate_pages()[source]
    item = extract_bytes(body, url=url).item
    assert item is not None
    assert item.title is not None
    assert "\ufffd" in item.title
    assert "\U0001f600" in item.title, "a proper pair is one character, kept"
    assert not problems(contract_dict(item), LIVE_ROOT), "a valid article, stored like any other"
    # The item encodes: hashed, stored, read back, exported.
    assert item.content_hash == content_hash(item.title, item.body)
    with Store.open(store_path(tmp_path)) as store:
        assert store.put(item, "2026-01-01T00:00:00Z") == "new"
    with Store.open(store_path(tmp_path), readonly=True) as store:
        (row,) = store.articles()
    assert row["title"] == item.title
    out = io.BytesIO()
    with exporting(out, "csv") as exporter:
        exporter.export_item(row)
    assert item.title.encode() in out.getvalue()
