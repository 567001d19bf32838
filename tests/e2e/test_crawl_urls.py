"""End to end: ``scrapy crawl articles -a urls=...`` against loopback copies of the site."""

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from mayadeen.items import FIELD_NAMES
from mayadeen.loopback import GeneratedSite, LoopbackServer, load_fixtures
from mayadeen.loopback.anatomy import LIVE_ROOT
from mayadeen.loopback.catalog import link_spelling
from tests.helpers.outputs import run_stats
from tests.helpers.runs import crawl

FIXTURES = load_fixtures()


def crawl_urls(server: LoopbackServer, urls: str, out: Path) -> tuple[str, list[dict[str, Any]]]:
    done = crawl(server.root, out.parent, "-a", f"urls={urls}", "-O", str(out))
    assert done.returncode == 0, done.stderr[-3000:]
    items = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    return done.stderr, items


def test_the_given_urls_and_nothing_else_are_fetched_and_extracted(
    fixture_server: LoopbackServer, tmp_path: Path
) -> None:
    spellings = [f.path.replace(":", "%3A") if i % 2 else f.path for i, f in enumerate(FIXTURES)]
    started = datetime.now(UTC)
    out = tmp_path / "items.jsonl"
    _, items = crawl_urls(fixture_server, ",".join(spellings), out)
    stats = run_stats(tmp_path)

    asked = sorted(r.path for r in fixture_server.requests if r.path != "/robots.txt")
    assert asked == sorted(spellings), "exactly the given pages: no discovery"
    by_url = {item["url"]: item for item in items}
    articles = [f for f in FIXTURES if f.kind == "article"]
    invalid = [f for f in FIXTURES if f.kind == "invalid"]
    assert len(items) == len(by_url) == len(articles), "one item per valid article, none else"
    # Invalid pages are extracted all the same, then quarantined with the item as extracted.
    quarantined = [
        json.loads(line)["item"]
        for path in (out.parent / "quarantine").glob("*.jsonl")
        for line in path.read_text("utf-8").splitlines()
    ]
    assert len(quarantined) == len(invalid)
    by_url |= {item["url"]: item for item in quarantined}
    for fixture in articles + invalid:
        expected = json.loads(
            json.dumps(fixture.expected()).replace(LIVE_ROOT, fixture_server.root)
        )
        got = by_url[fixture.url.replace(LIVE_ROOT, fixture_server.root)]
        assert list(got) == list(FIELD_NAMES)
        for field, value in expected.items():
            assert got[field] == value, f"{fixture.name}: {field}"
        crawled = datetime.fromisoformat(got["crawled_at"])
        assert started - timedelta(seconds=1) <= crawled <= datetime.now(UTC)
    for kind in ("video", "infograph", "author", "page"):
        assert stats[f"mayadeen/pages/{kind}"] == sum(f.kind == kind for f in FIXTURES), kind
    assert stats["mayadeen/pages/article"] == len(articles) + len(invalid)
    assert stats["mayadeen/field/title/tawsiyat"] > 0
    assert stats["mayadeen/field/article_id/missing"] >= 2


def test_unusable_urls_are_refused_and_missing_pages_reported(
    fixture_server: LoopbackServer, tmp_path: Path
) -> None:
    article = next(f for f in FIXTURES if f.name == "news-jsonld-only")
    refused = crawl(
        fixture_server.root,
        tmp_path,
        "-a",
        f"urls=https://example.com/news/politics/x,{article.path}",
    )
    assert refused.returncode == 2, "an entry that cannot be a page of the site is a usage error"
    assert "urls: 'https://example.com/news/politics/x' is not a page of" in refused.stderr
    assert fixture_server.requests == []
    urls = f"{article.path},/news/politics/not-there"
    log, items = crawl_urls(fixture_server, urls, tmp_path / "items.jsonl")
    stats = run_stats(tmp_path)
    assert [item["title"] for item in items] == [article.title]
    (reported,) = [line for line in log.splitlines() if "/news/politics/not-there: " in line]
    # The site's answer: reported, not an error of ours.
    assert " WARNING: " in reported
    assert reported.endswith("/news/politics/not-there: not fetched: the site answers HTTP 404")
    assert stats["mayadeen/urls/not_found"] == 1
    assert stats["mayadeen/urls/failed"] == 0


def test_live_site_urls_are_fetched_from_the_configured_copy(
    fixture_server: LoopbackServer, tmp_path: Path
) -> None:
    article = next(f for f in FIXTURES if f.name == "features-long")
    _, items = crawl_urls(fixture_server, article.url, tmp_path / "items.jsonl")
    assert [item["url"] for item in items] == [article.url.replace(LIVE_ROOT, fixture_server.root)]


def test_generated_articles_through_the_real_command_match_the_generator(tmp_path: Path) -> None:
    """A hundred generated pages, every source variant among them, under the link spellings the
    site uses, through Scrapy's download and decoding: the items are the generator's."""
    site = GeneratedSite(100, seed=5)
    with LoopbackServer(site) as server:
        paths = [link_spelling(a.entry.path, "e2e") for a in site.articles_by_index]
        assert {"%3A" in p or p.endswith("/") or "?" in p for p in paths} == {True, False}
        _, items = crawl_urls(server, ",".join(paths), tmp_path / "items.jsonl")
        stats = run_stats(tmp_path)
        root = server.root
    by_url = {item["url"]: item for item in items}
    assert len(by_url) == len(items) == 100
    for article in site.articles_by_index:
        expected = json.loads(json.dumps(site.expected_item(article)).replace(LIVE_ROOT, root))
        got = by_url[expected["url"]]
        assert {k: got[k] for k in expected} == expected, article.entry.path
    assert stats["mayadeen/pages/article"] == 100
