"""End to end: discovery stops at its bounds on a loopback site whose sitemap indexes chain on
without end and whose listing pages on forever without an article; the run still ends, counted
and warned once, with every article the rest of the site lists."""

import json
from pathlib import Path

from mayadeen.loopback import GeneratedSite, LoopbackServer
from tests.helpers.outputs import run_stats
from tests.helpers.runs import crawl


def test_an_endless_sitemap_chain_and_an_endless_listing_stop_at_their_bounds(
    small_site: GeneratedSite, server: LoopbackServer, tmp_path: Path
) -> None:
    server.add_fault("/sitemaps/all*=sitemapchain")  # the index and every monthly sitemap
    server.add_fault("/news/politics=endless")  # every page of the listing, not its articles
    done = crawl(server.root, tmp_path, timeout=120)
    log = done.stderr
    assert done.returncode == 0, log[-3000:]
    stats = run_stats(tmp_path)

    sitemaps = sorted({r.path for r in server.requests if r.path.startswith("/sitemaps/")})
    assert sitemaps == [
        "/sitemaps/all-1.xml",
        "/sitemaps/all-2.xml",
        "/sitemaps/all-3.xml",
        "/sitemaps/all.xml",
    ], "MAYADEEN_SITEMAP_MAX_DEPTH=3 below the starting index"
    pages = [r.query for r in server.requests if r.path == "/news/politics"]
    assert sorted(pages) == ["", "page=2", "page=3"], "MAYADEEN_LISTING_MAX_STALE_PAGES=3"

    assert stats["mayadeen/limits/sitemap_depth"] == 1
    assert stats["mayadeen/limits/listing_stale_pages"] == 1
    assert log.count("(MAYADEEN_SITEMAP_MAX_DEPTH)") == 1
    assert log.count("(MAYADEEN_LISTING_MAX_STALE_PAGES)") == 1
    assert f"WARNING: {server.root}/sitemaps/all-3.xml: a sitemap index 3 indexes below" in log
    assert f"WARNING: {server.root}/news/politics?page=3: 3 listing pages in a row" in log
    (manifest,) = (tmp_path / "runs").glob("*.json")
    limits = json.loads(manifest.read_text("utf-8"))["limits"]
    assert limits == {"listing_stale_pages": 1, "sitemap_depth": 1}
    # The other listings still gave their articles.
    assert stats["mayadeen/items/new"] > len(small_site.articles) / 2


def test_tighter_bounds_from_settings(server: LoopbackServer, tmp_path: Path) -> None:
    server.add_fault("/sitemaps/all*=sitemapchain")
    server.add_fault("/news/politics=endless")
    done = crawl(
        server.root,
        tmp_path,
        "-s",
        "MAYADEEN_SITEMAP_MAX_DEPTH=1",
        "-s",
        "MAYADEEN_LISTING_MAX_STALE_PAGES=1",
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    sitemaps = {r.path for r in server.requests if r.path.startswith("/sitemaps/")}
    assert sitemaps == {"/sitemaps/all.xml", "/sitemaps/all-1.xml"}
    assert [r.query for r in server.requests if r.path == "/news/politics"] == [""]


def test_a_listing_repeating_one_known_link_with_two_next_pages_stops(
    small_site: GeneratedSite, server: LoopbackServer, tmp_path: Path
) -> None:
    """Every page shows the same article and links the next page twice over ("Next" and a
    "Load More" a page further): two pages of the listing are in flight when its paging stops,
    and neither starts it afresh."""
    article = small_site.articles_by_index[0].entry.path
    server.add_fault(f"/news/politics=endless:{article}")
    done = crawl(server.root, tmp_path, "-a", "sections=news/politics", timeout=120)
    stats = run_stats(tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    pages = [r.query for r in server.requests if r.path == "/news/politics"]
    # 3 stale pages after the first, and at most the pages already requested by then
    assert len(pages) <= 1 + 3 + 2, pages
    assert stats["mayadeen/limits/listing_stale_pages"] == 1
