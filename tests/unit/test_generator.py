"""The generated site: counts, links that resolve, sitemaps, determinism, growth, URL spellings."""

import hashlib
import json
import re
import xml.etree.ElementTree as ET
from collections import Counter
from datetime import datetime
from html import escape, unescape

import pytest

from mayadeen.items import FIELD_NAMES
from mayadeen.loopback import GeneratedSite
from mayadeen.loopback.anatomy import BEIRUT, LIVE_ROOT, SECTIONS
from mayadeen.loopback.listings import normalize_path

HREF = re.compile(r'href="(https://english\.almayadeen\.net[^"]*)"')
TAWSIYAT = re.compile(r'<script type="text/tawsiyat" id="tawsiyat-metadata">(.*?)</script>', re.S)
NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def page_text(site: GeneratedSite, link: str) -> str:
    path, _, query = link.removeprefix(LIVE_ROOT).partition("?")
    page = site.get(path.split("#")[0] or "/", query)
    assert page is not None, f"{link} does not resolve"
    return page.body.decode()


def crawl_everything(site: GeneratedSite) -> dict[str, str]:
    """Every page reachable from the home page and the sitemaps, by following every on-site link."""
    seen: dict[str, str] = {}
    todo = [f"{LIVE_ROOT}/", f"{LIVE_ROOT}/sitemaps/all.xml", f"{LIVE_ROOT}/rss"]
    while todo:
        link = todo.pop()
        if link in seen:
            continue
        seen[link] = page_text(site, link)
        todo.extend(unescape(href) for href in HREF.findall(seen[link]))
        todo.extend(re.findall(r"<loc>([^<]+)</loc>", seen[link]))
    return seen


def sitemap_locs(site: GeneratedSite) -> list[str]:
    index = ET.fromstring(site.get("/sitemaps/all.xml").body)  # type: ignore[union-attr]
    locs = []
    for loc in index.findall("s:sitemap/s:loc", NS):
        path = loc.text.removeprefix(LIVE_ROOT)  # type: ignore[union-attr]
        assert re.fullmatch(r"/sitemaps/all/sitemap-\d{4}-[1-9]\d?\.xml", path), path
        monthly = ET.fromstring(site.get(path).body)  # type: ignore[union-attr]
        for url in monthly.findall("s:url", NS):
            datetime.fromisoformat(url.find("s:lastmod", NS).text)  # type: ignore[union-attr,arg-type]
            locs.append(url.find("s:loc", NS).text)  # type: ignore[union-attr]
    return locs


def test_counts_and_spread(small_site: GeneratedSite) -> None:
    assert len(small_site.articles) == 300
    kinds = Counter(entry.kind for entry in small_site.entries)
    assert kinds["video"] == 300 // 8
    assert kinds["infograph"] == 300 // 25
    assert kinds["author"] >= 2
    assert {e.section for e in small_site.articles} == {s.path for s in SECTIONS}
    months = {(e.published.year, e.published.month) for e in GeneratedSite(3000).articles}
    assert len(months) >= 2


def test_every_link_resolves_and_every_article_is_reachable(small_site: GeneratedSite) -> None:
    pages = crawl_everything(small_site)
    reached = {
        normalize_path(link.removeprefix(LIVE_ROOT).split("?")[0].split("#")[0]) for link in pages
    }
    assert {e.path for e in small_site.entries} <= reached
    assert "/search" in reached, (
        "a disallowed path must be linked, to catch crawlers ignoring robots.txt"
    )


def test_sitemaps_list_every_article_and_non_article_once(small_site: GeneratedSite) -> None:
    locs = sitemap_locs(small_site)
    assert len(locs) == len(set(locs))
    listed = {loc.removeprefix(LIVE_ROOT) for loc in locs}
    assert {e.path for e in small_site.articles} <= listed
    assert any(p.startswith("/videos/") for p in listed), (
        "sitemaps mix non-articles in, as the site's do"
    )


def test_robots_and_rss(small_site: GeneratedSite) -> None:
    robots = page_text(small_site, f"{LIVE_ROOT}/robots.txt")
    assert "Disallow: /search" in robots
    assert f"Sitemap: {LIVE_ROOT}/sitemaps/all.xml" in robots
    channel = ET.fromstring(small_site.get("/rss").body).find("channel")  # type: ignore[union-attr]
    links = [item.findtext("link") for item in channel.findall("item")]  # type: ignore[union-attr]
    assert links == [f"{LIVE_ROOT}{e.path}" for e in small_site.articles[:50]]


@pytest.mark.parametrize("section", [s.path for s in SECTIONS])
def test_pagination_reaches_every_article_of_a_section(
    small_site: GeneratedSite, section: str
) -> None:
    found, todo, seen = set(), [f"{LIVE_ROOT}/{section}"], set()
    while todo:
        link = todo.pop()
        if link in seen:
            continue
        seen.add(link)
        for href in map(unescape, HREF.findall(page_text(small_site, link))):
            path = normalize_path(href.removeprefix(LIVE_ROOT).split("?")[0].split("#")[0])
            if small_site.article(path) is not None:  # an article, whatever its URL's shape
                found.add(path)
            elif href.startswith(f"{LIVE_ROOT}/{section}?page="):
                todo.append(href)
    assert found == {e.path for e in small_site.articles_in(section)}


def test_same_seed_same_bytes_other_seed_other_site() -> None:
    first, second, other = (
        GeneratedSite(120, seed=5),
        GeneratedSite(120, seed=5),
        GeneratedSite(120, seed=6),
    )

    def digest(site: GeneratedSite) -> str:
        paths = ["/", "/sitemaps/all.xml", "/rss", *(e.path for e in site.entries)]
        return hashlib.sha256(b"".join(site.get(p).body for p in paths)).hexdigest()  # type: ignore[union-attr]

    assert digest(first) == digest(second)
    assert digest(first) != digest(other)


def test_growth_adds_newer_articles_and_keeps_the_old_ones() -> None:
    before = GeneratedSite(200, seed=1)
    after = before.with_new_articles(20)
    assert len(after.articles) == 220
    new = {e.path for e in after.articles} - {e.path for e in before.articles}
    assert len(new) == 20
    assert min(after.article(p).entry.published for p in new) > before.articles[0].published  # type: ignore[union-attr]
    for old in before.articles_by_index:
        assert after.expected_item(after.articles_by_index[old.index]) == before.expected_item(old)


def test_an_edit_changes_body_and_modified_but_not_the_url() -> None:
    site = GeneratedSite(50, seed=2)
    edited = site.with_edits(frozenset({10}))
    old, new = (
        site.expected_item(site.articles_by_index[10]),
        edited.expected_item(edited.articles_by_index[10]),
    )
    assert new["url"] == old["url"]
    assert new["body"].startswith(old["body"])
    assert new["body"] != old["body"]
    assert new["content_hash"] != old["content_hash"]
    if new["modified_at"]:
        assert datetime.fromisoformat(new["modified_at"]) > datetime.fromisoformat(
            new["published_at"]
        )


def test_links_use_every_spelling_and_each_resolves_to_the_same_page(
    small_site: GeneratedSite,
) -> None:
    hrefs = {
        unescape(h)
        for link, html in crawl_everything(small_site).items()
        for h in HREF.findall(html)
    }
    article_paths = {e.path for e in small_site.articles}
    variants = {
        "%3A": [h for h in hrefs if "%3A" in h],
        "utm": [h for h in hrefs if "utm_source=" in h],
        "slash": [
            h
            for h in hrefs
            if h.endswith("/") and h.removeprefix(LIVE_ROOT).rstrip("/") in article_paths
        ],
        "colon": [h for h in hrefs if ":" in h.removeprefix(LIVE_ROOT)],
    }
    for name, found in variants.items():
        assert found, f"no link spelled with {name}"
        canonical = normalize_path(found[0].removeprefix(LIVE_ROOT).split("?")[0].split("#")[0])
        assert page_text(small_site, found[0]) == page_text(small_site, f"{LIVE_ROOT}{canonical}")


def test_both_slug_rules_are_used() -> None:
    site = GeneratedSite(2000)
    paths = [e.path for e in site.articles]
    assert any(":" in p for p in paths), "pre-2024 slugs keep the colon"
    assert any(re.search(r"[a-z0-9]--[a-z0-9]", p) for p in paths), (
        "2024+ slugs turn punctuation into -"
    )
    slugs = [p.rsplit("/", 1)[1] for p in paths]
    assert len(slugs) == len(set(slugs))
    assert max(map(len, slugs)) <= 60


def test_non_article_pages_say_what_they_are(small_site: GeneratedSite) -> None:
    for entry in small_site.entries:
        if entry.kind in ("video", "author", "infograph"):
            html = page_text(small_site, f"{LIVE_ROOT}{entry.path}")
            data = json.loads(TAWSIYAT.search(html)[1])  # type: ignore[index]
            assert 'class="p-content"' not in html
            assert data["type"] == {"video": "videoobject", "author": "page"}.get(
                entry.kind, "article"
            )


def test_expected_items_follow_the_contract_and_match_their_pages(
    small_site: GeneratedSite,
) -> None:
    for article in small_site.articles_by_index:
        item = small_site.expected_item(article)
        assert tuple(item) == tuple(f for f in FIELD_NAMES if f != "crawled_at")
        assert item["word_count"] == len(item["body"].split())
        assert (
            item["content_hash"]
            == hashlib.sha256(f"{item['title']}\n{item['body']}".encode()).hexdigest()
        )
        published = datetime.fromisoformat(item["published_at"])
        assert published.utcoffset() == published.astimezone(BEIRUT).utcoffset()
        html = page_text(small_site, item["url"])
        for block in item["body"].split("\n\n"):
            assert escape(block).split(" pic.twitter.com/")[0] in html
        for related in item["related_urls"]:
            assert small_site.article(related.removeprefix(LIVE_ROOT)) is not None


def test_ten_thousand_articles_generate_and_render() -> None:
    site = GeneratedSite(10_000)
    assert len(site.articles) == 10_000
    assert site.get(site.articles_by_index[9_999].entry.path) is not None
    assert site.sitemap_months()[0] == (2023, 12)
