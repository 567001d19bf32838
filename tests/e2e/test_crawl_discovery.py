"""End to end: ``scrapy crawl articles`` discovers the loopback site's articles through every layer
(home, sections and their pagination, sitemaps, RSS, related links) and runs incrementally."""

import json
import re
import sqlite3
from collections import Counter
from pathlib import Path
from typing import Any

from mayadeen.loopback import GeneratedSite, LoopbackServer
from mayadeen.loopback.catalog import Page
from mayadeen.site.navigation import SECTION_LISTINGS
from mayadeen.site.urls import (
    LIVE_ROOT,
    TIMEZONE,
    is_article_url,
    section_path,
    url_shape,
)
from tests.helpers.outputs import exported, run_stats, stored
from tests.helpers.runs import crawl, kill_after_rows, start_crawl
from tests.helpers.search import assert_search_whole
from tests.helpers.sites import article_urls, requested_paths


def run(
    server: LoopbackServer, data_dir: Path, *arguments: str
) -> tuple[str, list[dict[str, Any]]]:
    out = data_dir / f"items-{len(list(data_dir.glob('items-*')))}.jsonl"
    done = crawl(server.root, data_dir, "-O", str(out), *arguments)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stderr, exported(out)


def test_a_first_run_finds_every_article_and_nothing_else(
    server: LoopbackServer, small_site: GeneratedSite, tmp_path: Path
) -> None:
    _, items = run(server, tmp_path)
    stats = run_stats(tmp_path)

    expected = article_urls(small_site, server.root)
    urls = [item["url"] for item in items]
    assert len(urls) == len(set(urls)) == len(expected), "one item per article, no duplicates"
    assert set(urls) == expected
    assert set(stored(tmp_path)) == expected
    asked = requested_paths(server)
    assert not [p for p in asked if p.startswith(("/search", "/api"))], "robots.txt disallows them"
    article_requests = Counter(p for p in asked if is_article_url(server.root + p))
    assert set(article_requests.values()) == {1}, "each article fetched once, whatever its spelling"
    assert not [p for p in asked if p.startswith(("/videos/", "/infographs/", "/authors/"))]
    for source in ("home", "section", "sitemap", "rss", "related"):
        seen = sum(stats[f"mayadeen/discovery/{source}/{d}"] for d in ("new", "seen"))
        assert seen > 0, f"{source} gave no article link"
    assert stats["mayadeen/discovery/sitemap/not_article"] > 0, "skipped without a fetch"
    for item in items[:50]:
        article = small_site.article(item["url"].removeprefix(server.root))
        assert article is not None
        want = json.loads(
            json.dumps(small_site.expected_item(article)).replace(LIVE_ROOT, server.root)
        )
        assert {k: item[k] for k in want} == want


def _break(server: LoopbackServer, paths: list[str]) -> None:
    for path in paths:
        server.add_fault(f"{path}=status:404")


def test_listings_alone_find_every_article(
    server: LoopbackServer, small_site: GeneratedSite, tmp_path: Path
) -> None:
    _break(server, ["/sitemaps/*", "/rss"])
    _, items = run(server, tmp_path, "-s", "RETRY_ENABLED=0")
    assert {item["url"] for item in items} == article_urls(small_site, server.root)


def test_sitemaps_alone_find_every_article(
    server: LoopbackServer, small_site: GeneratedSite, tmp_path: Path
) -> None:
    _break(server, ["/", "/rss", *(f"/{listing}" for listing in SECTION_LISTINGS)])
    _, items = run(server, tmp_path, "-s", "RETRY_ENABLED=0")
    stats = run_stats(tmp_path)
    assert {item["url"] for item in items} == article_urls(small_site, server.root)
    assert stats["mayadeen/discovery/section/failed"] == len(SECTION_LISTINGS)


def test_an_unavailable_rss_feed_is_noted_and_not_fatal(
    server: LoopbackServer, small_site: GeneratedSite, tmp_path: Path
) -> None:
    server.add_fault("/rss=status:403")
    log, items = run(server, tmp_path)
    stats = run_stats(tmp_path)
    assert len(items) == len(small_site.articles)
    assert "RSS not available" in log
    assert stats["log_count/ERROR"] == 0


def test_a_second_run_fetches_only_what_is_new(tmp_path: Path) -> None:
    """The issue's figure: 2,000 articles, then 20 new ones: the second run stores exactly those
    and makes at most 5% of the first run's requests."""
    before = GeneratedSite(2000, seed=11)
    after = before.with_new_articles(20)
    with LoopbackServer(before) as server:
        _, first = run(server, tmp_path)
        first_requests = len(server.requests)
        assert {i["url"] for i in first} == article_urls(before, server.root)

        server.site = after
        server.clear_requests()
        _, second = run(server, tmp_path)
        stats = run_stats(tmp_path)
        second_requests = len(server.requests)

    new = article_urls(after, server.root) - article_urls(before, server.root)
    assert len(new) == 20
    assert sorted(i["url"] for i in second) == sorted(new)
    assert set(stored(tmp_path)) == article_urls(after, server.root)
    assert second_requests <= 0.05 * first_requests, (second_requests, first_requests)
    assert stats["mayadeen/items/new"] == 20
    assert stats["mayadeen/items/updated"] == stats["mayadeen/items/unchanged"] == 0
    assert stats["mayadeen/listings/section/stopped"] > 0


def test_an_edited_article_is_fetched_again_when_its_sitemap_says_so(
    server: LoopbackServer, small_site: GeneratedSite, tmp_path: Path
) -> None:
    run(server, tmp_path)
    edited = small_site.articles[3]  # newest month, known, not new on any listing page
    generated = small_site.article(edited.path)
    assert generated is not None
    server.site = small_site.with_edits(frozenset({generated.index}))
    _, items = run(server, tmp_path)
    stats = run_stats(tmp_path)
    assert [i["url"] for i in items] == [f"{server.root}{edited.path}"]
    assert stats["mayadeen/discovery/sitemap/lastmod"] == 1
    assert stats["mayadeen/items/updated"] == 1
    row = stored(tmp_path)[f"{server.root}{edited.path}"]
    assert row["modified_at"] == items[0]["modified_at"] != None  # noqa: E711


def test_full_fetches_everything_again(
    server: LoopbackServer, small_site: GeneratedSite, tmp_path: Path
) -> None:
    run(server, tmp_path)
    _, items = run(server, tmp_path, "-a", "full=1")
    stats = run_stats(tmp_path)
    assert {i["url"] for i in items} == article_urls(small_site, server.root)
    assert stats["mayadeen/discovery/sitemap/known"] == 0


def test_sections_since_and_max_articles_limit_the_run(
    server: LoopbackServer, small_site: GeneratedSite, tmp_path: Path
) -> None:
    _, politics = run(server, tmp_path / "sections", "-a", "sections=news/politics,articles/blog")
    assert politics
    # The URL keeps the site's spelling (/news/Politics/...); the section it names is the same.
    assert {section_path(i["url"]) for i in politics} - {"news/politics", "articles/blog"} <= {
        section_path(i["url"]) for i in politics if url_shape(i["url"]) == "unknown"
    }
    assert {i["section"] for i in politics} == {"Politics", "Blog"}
    want = [a for a in small_site.articles if a.section in {"news/politics", "articles/blog"}]
    assert len(politics) == len(want)

    middle = small_site.articles[len(small_site.articles) // 2].published.astimezone(TIMEZONE)
    _, recent = run(server, tmp_path / "since", "-a", f"since={middle:%Y-%m-%d}")
    published = sorted(i["published_at"][:10] for i in recent)
    assert recent
    assert published[0] >= f"{middle:%Y-%m-%d}"
    in_range = [
        a for a in small_site.articles if a.published.astimezone(TIMEZONE).date() >= middle.date()
    ]
    assert len(recent) == len(in_range)

    _, limited = run(server, tmp_path / "max", "-a", "max_articles=25")
    assert len(limited) == len(stored(tmp_path / "max")) == 25


def test_flaky_discovery_pages_are_retried_and_nothing_is_missed(
    server: LoopbackServer, small_site: GeneratedSite, tmp_path: Path
) -> None:
    server.add_fault("/news/politics=status:503*2")
    server.add_fault("/sitemaps/all.xml=truncate*1")
    server.add_fault("/=reset*2")
    server.add_fault("/articles/opinion=ratelimit:1*1")
    _, items = run(server, tmp_path)
    stats = run_stats(tmp_path)
    assert {i["url"] for i in items} == article_urls(small_site, server.root)
    assert stats["retry/count"] >= 4
    assert stats["mayadeen/sitemaps/sitemapindex"] == 1


def test_a_blocked_run_stops_and_exits_non_zero(server: LoopbackServer, tmp_path: Path) -> None:
    server.add_fault("/*=block")
    done = crawl(server.root, tmp_path, "-s", "MAYADEEN_BACKOFF_START=0.05")
    assert done.returncode == 1
    assert "Spider closed (blocked)" in done.stderr
    last_line = done.stderr.rstrip().splitlines()[-1]
    assert re.search(
        r"run failed: stopped because the site blocked the crawl \(\d+ blocked responses\); "
        r"0 articles stored$",
        last_line,
    ), last_line


def test_a_run_that_stores_nothing_and_hits_errors_exits_non_zero(
    server: LoopbackServer, tmp_path: Path
) -> None:
    server.add_fault("/*=status:500")
    done = crawl(server.root, tmp_path, "-s", "RETRY_ENABLED=0")
    assert done.returncode == 1
    assert "run failed: stored no article and hit" in done.stderr
    quiet = crawl(server.root, tmp_path / "bad", "-a", "since=yesterday")
    assert quiet.returncode == 2
    assert "since: expected a date as YYYY-MM-DD" in quiet.stderr


def test_a_run_killed_midway_is_completed_by_the_next_one(tmp_path: Path) -> None:
    """SIGKILL leaves no chance to clean up: what the store committed is known, the rest is
    fetched by the next run, and no row is lost or doubled."""
    generated = GeneratedSite(1200, seed=5)
    with LoopbackServer(generated) as server:
        server.add_fault("/news/*/*=slow:0.02")  # long enough a run to kill it midway
        kill_after_rows(tmp_path, 200, start_crawl(server.root, tmp_path))
        killed_with = len(stored(tmp_path))
        assert 200 <= killed_with < len(generated.articles)
        assert_search_whole(tmp_path)  # what the killed run committed is indexed, once
        server.clear_faults()
        server.clear_requests()

        log, items = run(server, tmp_path)

    expected = article_urls(generated, server.root)
    with sqlite3.connect(tmp_path / "articles.sqlite") as db:
        (rows,) = db.execute("SELECT COUNT(*) FROM articles").fetchone()
    assert rows == len(expected)
    assert set(stored(tmp_path)) == expected
    assert_search_whole(tmp_path)
    fetched_again = {i["url"] for i in items}
    assert len(fetched_again) <= len(expected) - killed_with + 300, "stored ones are not refetched"
    assert "nothing covered by an earlier run: full discovery" in log


class DisallowingSite:
    """The generated site with a robots.txt that also disallows one section."""

    def __init__(self, inner: GeneratedSite, disallowed: str) -> None:
        self.inner, self.disallowed = inner, disallowed

    def get(self, raw_path: str, query: str = "") -> Page | None:
        if raw_path == "/robots.txt":
            served = self.inner.get(raw_path, query)
            assert served is not None
            rules = served.body.replace(
                b"User-agent: *\n", f"User-agent: *\nDisallow: {self.disallowed}\n".encode()
            )
            return Page(rules, content_type=served.content_type)
        return self.inner.get(raw_path, query)


def test_nothing_robots_txt_disallows_is_fetched(small_site: GeneratedSite, tmp_path: Path) -> None:
    with LoopbackServer(DisallowingSite(small_site, "/news/sports")) as server:
        _, items = run(server, tmp_path)
        stats = run_stats(tmp_path)
        asked = requested_paths(server)
    assert not [p for p in asked if p.startswith("/news/sports")]
    assert stats["robotstxt/forbidden"] > 0, "sports articles were found, and refused"
    sports = {f"{server.root}{a.path}" for a in small_site.articles if a.section == "news/sports"}
    assert sports
    assert {i["url"] for i in items} == article_urls(small_site, server.root) - sports
