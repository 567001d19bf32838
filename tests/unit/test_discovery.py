"""Reading discovery pages (listings, sitemaps, RSS, robots.txt) through the real readers, on the
loopback site's pages, the shared samples and hand-written variants of pagination markup."""

from pathlib import Path

import pytest
from scrapy.http import HtmlResponse, TextResponse, XmlResponse

from mayadeen.loopback import GeneratedSite
from mayadeen.loopback.listings import PAGE_SIZE
from mayadeen.pages import discovery
from mayadeen.pages.extract import kept_tree
from mayadeen.site.navigation import SECTION_LISTINGS, sitemap_month
from mayadeen.site.urls import LIVE_ROOT, TIMEZONE, is_article_url
from tests.helpers.runs import SHARED

ROOT = LIVE_ROOT


def page(generated: GeneratedSite, path: str, query: str = "") -> HtmlResponse:
    served = generated.get(path, query)
    assert served is not None, path
    url = f"{ROOT}{path}" + (f"?{query}" if query else "")
    return HtmlResponse(url, body=served.body, encoding="utf-8")


def html(url: str, body: str) -> HtmlResponse:
    return HtmlResponse(url, body=f"<html><body>{body}</body></html>".encode(), encoding="utf-8")


def listed(generated: GeneratedSite, listing: str, number: int) -> list[str]:
    entries = generated.articles_in(listing)[(number - 1) * PAGE_SIZE : number * PAGE_SIZE]
    return [f"{ROOT}{entry.path}" for entry in entries]


@pytest.mark.parametrize("listing", SECTION_LISTINGS)
def test_every_section_listing_gives_its_cards_and_the_next_page(
    small_site: GeneratedSite, listing: str
) -> None:
    """The twelve sections use three pagination markups between them; each is followed."""
    last = -(-len(small_site.articles_in(listing)) // PAGE_SIZE)
    for number in range(1, last + 1):
        read = discovery.read_listing(page(small_site, f"/{listing}", f"page={number}"), ROOT)
        assert read.articles == listed(small_site, listing, number)
        expected_next = [f"{ROOT}/{listing}?page={number + 1}"] if number < last else []
        assert read.next_pages == expected_next


@pytest.mark.parametrize("path", ["/", f"/{SECTION_LISTINGS[0]}"])
def test_a_listing_read_from_the_tree_the_ticker_kept_is_the_same(
    small_site: GeneratedSite, path: str
) -> None:
    """In a crawl the ticker's middleware parses the page first (``kept_tree``): the listing
    read from that tree is the listing read from the page itself."""
    fresh = page(small_site, path)
    kept = page(small_site, path)
    assert discovery.read_listing(kept, ROOT, kept_tree(kept, {})) == discovery.read_listing(
        fresh, ROOT
    )


def test_widgets_are_not_part_of_a_listing(small_site: GeneratedSite) -> None:
    """The header, ticker, Most Read and Read Next reflect the crawl time, not the listing."""
    article = small_site.articles[-1]
    read = discovery.read_listing(page(small_site, article.path), ROOT)
    assert f"{ROOT}{small_site.articles[0].path}" not in read.articles  # Most Read's newest


def test_the_home_page_links_to_every_section_of_the_nav(small_site: GeneratedSite) -> None:
    read = discovery.read_listing(page(small_site, "/"), ROOT)
    assert sorted(read.listings) == sorted(f"{ROOT}/{path}" for path in SECTION_LISTINGS)
    assert read.articles[:5] == [f"{ROOT}{e.path}" for e in small_site.articles[:5]]
    assert read.next_pages == []


def test_the_shared_samples_listing_and_home_page_are_read() -> None:
    samples = SHARED / "site" / "samples"
    if not samples.is_dir():
        pytest.skip("../shared is not beside the checkout")
    listing = HtmlResponse(
        f"{ROOT}/news/politics",
        body=(samples / "listing-news-politics.html").read_bytes(),
        encoding="utf-8",
    )
    read = discovery.read_listing(listing, ROOT)
    assert read.next_pages == [f"{ROOT}/news/politics?page=2"]
    assert read.articles
    assert all(is_article_url(url) for url in read.articles)
    home = HtmlResponse(f"{ROOT}/", body=(samples / "home.html").read_bytes(), encoding="utf-8")
    assert f"{ROOT}/articles/opinion" in discovery.read_listing(home, ROOT).listings


@pytest.mark.parametrize(
    ("here", "markup", "expected"),
    [
        ("/news/politics", '<link rel="next" href="/news/politics?page=2">', "?page=2"),
        ("/news/politics", '<a href="/news/politics?page=2">2</a>', "?page=2"),
        ("/news/politics?page=2", '<a href="?page=3&amp;utm_source=x">Next »</a>', "?page=3"),
        ("/news/politics", '<a class="btn" href="/news/politics?p=2">Load more</a>', "?p=2"),
        ("/news/politics", '<a href="/news/politics/page/2/">Older posts</a>', "/page/2"),
        ("/news/politics?page=4", '<a href="/news/politics?page=3">Previous</a>', None),
        ("/news/politics", '<a href="/news/economics?page=2">Next</a>', None),
        ("/news/politics", '<a href="https://elsewhere.net/news/politics?page=2">Next</a>', None),
        ("/news/politics", '<a href="/news/politics?page=7">7</a>', None),
    ],
)
def test_the_next_page_is_found_whatever_the_markup(
    here: str, markup: str, expected: str | None
) -> None:
    read = discovery.read_listing(html(ROOT + here, markup), ROOT)
    assert read.next_pages == ([f"{ROOT}/news/politics{expected}"] if expected else [])


def test_links_collapse_to_one_canonical_url_per_article() -> None:
    links = "".join(
        f'<a href="{href}">x</a>'
        for href in (
            "/news/politics/a%3Ab",
            "/news/politics/a:b/",
            "https://english.almayadeen.net/news/politics/a:b?utm_source=t",
            "/news/politics/a:b#c",
            "/videos/tv/clip",
            "/tag/russia",
            "https://twitter.com/x",
        )
    )
    read = discovery.read_listing(html(f"{ROOT}/news/politics", links), ROOT)
    assert read.articles == [f"{ROOT}/news/politics/a:b"]


def test_card_dates_are_read_when_the_cards_show_them(small_site: GeneratedSite) -> None:
    dates = discovery.read_listing(page(small_site, "/news/politics"), ROOT).dates
    newest = small_site.articles_in("news/politics")[0].published.astimezone(TIMEZONE)
    assert dates
    assert max(dates) == newest.date()


def xml(url: str, body: bytes) -> XmlResponse:
    return XmlResponse(url, body=body)


def test_the_sitemap_index_and_monthly_sitemaps_are_read(small_site: GeneratedSite) -> None:
    index = small_site.get("/sitemaps/all.xml")
    assert index is not None
    kind, children = discovery.read_sitemap(xml(f"{ROOT}/sitemaps/all.xml", index.body))
    months = small_site.sitemap_months()
    assert kind == "sitemapindex"
    assert [sitemap_month(c.loc) for c in children] == months
    year, month = months[-1]
    monthly = small_site.get(f"/sitemaps/all/sitemap-{year}-{month}.xml")
    assert monthly is not None
    kind, entries = discovery.read_sitemap(xml(children[-1].loc, monthly.body))
    assert kind == "urlset"
    assert len(entries) == len(small_site.sitemap_entries(year, month))
    assert all(entry.lastmod for entry in entries)


def test_the_shared_sample_sitemaps_are_read() -> None:
    samples = SHARED / "site" / "samples"
    if not samples.is_dir():
        pytest.skip("../shared is not beside the checkout")
    body = (samples / "sitemap-2022-2.xml").read_bytes()
    kind, entries = discovery.read_sitemap(xml(f"{ROOT}/sitemaps/all/sitemap-2022-2.xml", body))
    assert kind == "urlset"
    assert entries[0].lastmod == "2022-02-24T14:05:00+02:00"
    assert is_article_url(entries[0].loc)


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        (b"<html><body>Access denied</body></html>", "html"),
        (b"", "unreadable"),
        (b"\x1f\x8b\x08not-really-gzip", "unreadable"),
        (b"<?xml version='1.0'?><urlset><url><loc>/news/a/b</loc>", "urlset"),
    ],
)
def test_a_broken_sitemap_gives_no_entries_and_no_error(body: bytes, kind: str) -> None:
    read_kind, entries = discovery.read_sitemap(xml(f"{ROOT}/sitemaps/all.xml", body))
    assert read_kind == kind
    assert entries == [] or entries[0].loc == f"{ROOT}/news/a/b"


def test_a_gzipped_sitemap_is_unpacked(tmp_path: Path) -> None:
    import gzip

    body = gzip.compress(b"<urlset><url><loc>https://x/news/a/b</loc></url></urlset>")
    assert discovery.read_sitemap(xml("https://x/s.xml.gz", body))[1][0].loc == "https://x/news/a/b"


def test_rss_and_robots_txt_are_read(small_site: GeneratedSite) -> None:
    rss = small_site.get("/rss")
    assert rss is not None
    links = discovery.read_rss(xml(f"{ROOT}/rss", rss.body))
    assert links[:3] == [f"{ROOT}{e.path}" for e in small_site.articles[:3]]
    assert discovery.read_rss(html(f"{ROOT}/rss", "<h1>Access denied</h1>")) == []
    robots = small_site.get("/robots.txt")
    assert robots is not None
    response = TextResponse(f"{ROOT}/robots.txt", body=robots.body, encoding="utf-8")
    assert discovery.read_robots(response) == [f"{ROOT}/sitemaps/all.xml"]
