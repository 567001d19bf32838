"""End to end: every fault mode of the loopback server through the real ``scrapy crawl articles``.

Blocks are counted and stop the run, transient failures are retried (429 no sooner than its
Retry-After), lost data and timeouts fail cleanly, redirects stay on the site. Retries and waits
are kept small so the file runs in seconds.
"""

import json
from pathlib import Path
from typing import Any

import pytest

from mayadeen.loopback import GeneratedSite, LoopbackServer
from mayadeen.loopback.anatomy import LIVE_ROOT
from mayadeen.loopback.generated_article import GeneratedArticle
from mayadeen.loopback.handler import RequestRecord
from tests.conftest import crawl, stat

pytestmark = pytest.mark.e2e
FAST_BACKOFF = ("-s", "MAYADEEN_BACKOFF_START=0.05", "-s", "MAYADEEN_BACKOFF_MAX=0.2")


class Run:
    """One crawl of chosen articles: its log, items by URL and the server's request log."""

    def __init__(
        self,
        server: LoopbackServer,
        tmp_path: Path,
        paths: list[str],
        *settings: str,
        expect_rc: int = 0,
    ) -> None:
        out = tmp_path / "items.jsonl"
        done = crawl(
            server.root, tmp_path, "-a", f"urls={','.join(paths)}", "-O", str(out), *settings
        )
        assert done.returncode == expect_rc, done.stderr[-3000:]
        self.log = done.stderr
        lines = out.read_text("utf-8").splitlines() if out.exists() else []
        self.items = {item["url"]: item for item in map(json.loads, lines)}
        self.requests = [r for r in server.requests if r.path != "/robots.txt"]

    def to(self, path: str) -> list[RequestRecord]:
        return [r for r in self.requests if r.path == path]


def articles(site: GeneratedSite, prefix: str, n: int) -> list[GeneratedArticle]:
    chosen = [a for a in site.articles_by_index if a.entry.path.startswith(prefix)][:n]
    assert len(chosen) == n
    return chosen


def expected(site: GeneratedSite, article: GeneratedArticle, root: str) -> dict[str, Any]:
    item: dict[str, Any] = json.loads(
        json.dumps(site.expected_item(article)).replace(LIVE_ROOT, root)
    )
    return item


def assert_item(run: Run, site: GeneratedSite, article: GeneratedArticle, root: str) -> None:
    want = expected(site, article, root)
    got = run.items[want["url"]]
    assert {k: got[k] for k in want} == want, article.entry.path


# -- blocks ------------------------------------------------------------------------------------


def test_403s_are_blocks_not_retried_not_parsed_and_stop_the_run(
    small_site: GeneratedSite, server: LoopbackServer, tmp_path: Path
) -> None:
    blocked = [a.entry.path for a in articles(small_site, "/news/", 8)]
    server.add_fault("/news/*=block")
    run = Run(
        server,
        tmp_path,
        blocked,
        "-s",
        "MAYADEEN_MAX_CONSECUTIVE_BLOCKS=3",
        "-s",
        "CONCURRENT_REQUESTS=1",
        *FAST_BACKOFF,
        expect_rc=1,
    )
    assert len(run.requests) == 3, "stopped after 3 blocks in a row; nothing retried"
    assert len({r.path for r in run.requests}) == 3
    assert stat(run.log, "mayadeen/blocks/total") == stat(run.log, "mayadeen/blocks/http_403") == 3
    assert "'finish_reason': 'blocked'" in run.log
    assert "Spider closed (blocked)" in run.log
    errors = [line for line in run.log.splitlines() if " ERROR: " in line]
    assert len(errors) == 2, errors
    assert errors[1].endswith(
        "run failed: stopped because the site blocked the crawl (3 blocked responses); "
        "0 articles stored"
    )
    assert "3 consecutive responses" in errors[0]
    assert "MAYADEEN_BROWSER=fallback" in errors[0]
    assert "proxy" in errors[0]
    assert stat(run.log, "mayadeen/urls/failed") == 0, "a block is not counted as a failure"
    assert stat(run.log, "mayadeen/pages/article") == 0
    assert not run.items
    assert stat(run.log, "retry/count") == 0
    assert stat(run.log, "mayadeen/backoff/raised") == 3
    assert run.log.count("blocked (http_403, HTTP 403)") == 3, "one WARNING per blocked URL"


def test_a_page_between_blocks_resets_the_count(
    small_site: GeneratedSite, server: LoopbackServer, tmp_path: Path
) -> None:
    news = articles(small_site, "/news/", 3)
    others = articles(small_site, "/articles/", 3)
    server.add_fault("/news/*=block")
    paths = [a.entry.path for pair in zip(news, others, strict=True) for a in pair]
    run = Run(
        server,
        tmp_path,
        paths,
        "-s",
        "MAYADEEN_MAX_CONSECUTIVE_BLOCKS=2",
        "-s",
        "CONCURRENT_REQUESTS=1",
        *FAST_BACKOFF,
    )
    assert "'finish_reason': 'finished'" in run.log
    assert stat(run.log, "mayadeen/blocks/http_403") == 3
    for article in others:
        assert_item(run, small_site, article, server.root)


@pytest.mark.parametrize("fault", ["challenge", "challenge:503", "challenge:403"])
def test_challenge_pages_are_blocks_whatever_their_status(
    small_site: GeneratedSite, server: LoopbackServer, tmp_path: Path, fault: str
) -> None:
    paths = [a.entry.path for a in articles(small_site, "/news/", 4)]
    server.add_fault(f"/news/*={fault}")
    run = Run(
        server,
        tmp_path,
        paths,
        "-s",
        "MAYADEEN_MAX_CONSECUTIVE_BLOCKS=2",
        "-s",
        "CONCURRENT_REQUESTS=1",
        *FAST_BACKOFF,
        expect_rc=1,
    )
    assert len(run.requests) == 2, "a 503 challenge is not retried either"
    assert stat(run.log, "mayadeen/blocks/challenge") == 2
    assert "'finish_reason': 'blocked'" in run.log
    assert not run.items
    assert stat(run.log, "mayadeen/pages/article") == 0


def test_a_blocked_robots_txt_is_a_block_and_the_crawl_goes_on(
    small_site: GeneratedSite, server: LoopbackServer, tmp_path: Path
) -> None:
    article = articles(small_site, "/news/", 1)[0]
    server.add_fault("/robots.txt=block")
    run = Run(server, tmp_path, [article.entry.path], *FAST_BACKOFF)
    assert stat(run.log, "mayadeen/blocks/http_403") == 1
    assert_item(run, small_site, article, server.root)


# -- retries -----------------------------------------------------------------------------------


def test_503s_are_retried_then_the_item(
    small_site: GeneratedSite, server: LoopbackServer, tmp_path: Path
) -> None:
    article = articles(small_site, "/news/", 1)[0]
    server.add_fault(f"{article.entry.path}=status:503*2")
    run = Run(server, tmp_path, [article.entry.path], "-s", "RETRY_TIMES=2")
    assert [r.status for r in run.to(article.entry.path)] == [503, 503, 200]
    assert stat(run.log, "retry/count") == 2
    assert_item(run, small_site, article, server.root)


def test_a_lasting_500_fails_cleanly_after_the_retries(
    small_site: GeneratedSite, server: LoopbackServer, tmp_path: Path
) -> None:
    failing, fine = articles(small_site, "/news/", 2)
    server.add_fault(f"{failing.entry.path}=status:500")
    run = Run(server, tmp_path, [failing.entry.path, fine.entry.path], "-s", "RETRY_TIMES=1")
    assert len(run.to(failing.entry.path)) == 2
    assert stat(run.log, "mayadeen/urls/failed") == 1
    assert f"{failing.entry.path}: not fetched: HTTP 500" in run.log
    assert list(run.items) == [expected(small_site, fine, server.root)["url"]]


def test_429_is_retried_no_sooner_than_its_retry_after(
    small_site: GeneratedSite, server: LoopbackServer, tmp_path: Path
) -> None:
    article, other = articles(small_site, "/news/", 2)
    server.add_fault(f"{article.entry.path}=ratelimit:2*1")
    run = Run(server, tmp_path, [article.entry.path, other.entry.path], "-s", "RETRY_TIMES=1")
    first, retry = run.to(article.entry.path)
    assert (first.status, retry.status) == (429, 200)
    assert retry.time - first.time >= 2.0
    assert stat(run.log, "mayadeen/retry_after/waits") == 1
    assert stat(run.log, "mayadeen/retry_after/seconds") == 2
    assert_item(run, small_site, article, server.root)
    assert_item(run, small_site, other, server.root)


def test_a_retry_after_beyond_the_cap_is_given_up_loudly(
    small_site: GeneratedSite, server: LoopbackServer, tmp_path: Path
) -> None:
    article = articles(small_site, "/news/", 1)[0]
    server.add_fault(f"{article.entry.path}=ratelimit:120")
    run = Run(
        server, tmp_path, [article.entry.path], "-s", "MAYADEEN_RETRY_AFTER_MAX=5", expect_rc=1
    )
    assert len(run.to(article.entry.path)) == 1
    assert "asks to retry after 120 s, more than MAYADEEN_RETRY_AFTER_MAX=5 s" in run.log
    assert stat(run.log, "mayadeen/retry_after/too_long") == 1
    assert stat(run.log, "mayadeen/urls/failed") == 1
    assert not run.items
    assert "run failed: stored no article and hit 2 errors" in run.log


def test_a_reset_connection_is_retried(
    small_site: GeneratedSite, server: LoopbackServer, tmp_path: Path
) -> None:
    article = articles(small_site, "/news/", 1)[0]
    server.add_fault(f"{article.entry.path}=reset*2")
    run = Run(server, tmp_path, [article.entry.path], "-s", "RETRY_TIMES=1")
    # Twisted resends once by itself when a reused keep-alive connection is reset; the second
    # reset (on a fresh connection) is Scrapy's to retry.
    assert [r.status for r in run.to(article.entry.path)] == [0, 0, 200]
    assert stat(run.log, "retry/count") == 1
    assert_item(run, small_site, article, server.root)


def test_a_slow_page_times_out_and_fails_cleanly(
    small_site: GeneratedSite, server: LoopbackServer, tmp_path: Path
) -> None:
    slow, fine = articles(small_site, "/news/", 2)
    server.add_fault(f"{slow.entry.path}=slow:3")
    run = Run(
        server,
        tmp_path,
        [slow.entry.path, fine.entry.path],
        "-s",
        "DOWNLOAD_TIMEOUT=1",
        "-s",
        "RETRY_TIMES=1",
    )
    assert stat(run.log, "retry/count") == 1
    assert stat(run.log, "retry/max_reached") == 1
    assert stat(run.log, "mayadeen/urls/failed") == 1
    assert f"{slow.entry.path}: not fetched:" in run.log
    assert "took longer than 1" in run.log
    assert list(run.items) == [expected(small_site, fine, server.root)["url"]]


def test_a_truncated_page_is_retried_never_half_parsed(
    small_site: GeneratedSite, server: LoopbackServer, tmp_path: Path
) -> None:
    once, always = articles(small_site, "/news/", 2)
    server.add_fault(f"{once.entry.path}=truncate:0.6*1")
    server.add_fault(f"{always.entry.path}=truncate:0.9")
    run = Run(server, tmp_path, [once.entry.path, always.entry.path], "-s", "RETRY_TIMES=1")
    assert len(run.to(once.entry.path)) == len(run.to(always.entry.path)) == 2
    assert "Got data loss" in run.log
    assert_item(run, small_site, once, server.root)
    assert list(run.items) == [expected(small_site, once, server.root)["url"]], "no half item"
    assert stat(run.log, "mayadeen/urls/failed") == 1


# -- redirects and encodings -------------------------------------------------------------------


def test_redirects_are_followed_on_the_site_only(
    small_site: GeneratedSite, server: LoopbackServer, tmp_path: Path
) -> None:
    article = articles(small_site, "/news/", 1)[0]
    server.add_fault(f"/news/politics/old-spelling=redirect:301:{article.entry.path}")
    server.add_fault("/news/politics/moved-away=redirect:https://example.com/news/politics/x")
    run = Run(server, tmp_path, ["/news/politics/old-spelling", "/news/politics/moved-away"])
    assert list(run.items) == [expected(small_site, article, server.root)["url"]]
    assert_item(run, small_site, article, server.root)
    assert stat(run.log, "mayadeen/redirects/offsite") == 1
    assert "redirects off the site to https://example.com/news/politics/x" in run.log
    assert "example.com/robots.txt" not in run.log, "not even robots.txt of the other host"


def test_a_page_in_the_wrong_encoding_still_gives_its_item(
    small_site: GeneratedSite, server: LoopbackServer, tmp_path: Path
) -> None:
    chosen = articles(small_site, "/", 10)
    server.add_fault("/*=nonutf8")
    run = Run(server, tmp_path, [a.entry.path for a in chosen])
    assert all(r.fault == "/*=nonutf8" for r in run.requests)
    for article in chosen:
        assert_item(run, small_site, article, server.root)


def test_a_javascript_only_page_without_the_browser_is_counted_contentless(
    small_site: GeneratedSite, server: LoopbackServer, tmp_path: Path
) -> None:
    article = articles(small_site, "/news/", 1)[0]
    server.add_fault(f"{article.entry.path}=jsonly")
    run = Run(server, tmp_path, [article.entry.path])
    assert not run.items
    assert stat(run.log, "mayadeen/pages/contentless") == 1
    assert stat(run.log, "mayadeen/blocks/total") == 0
    assert "no article markup" in run.log
    assert "MAYADEEN_BROWSER=fallback" in run.log
    assert "playwright" not in run.log.lower(), "off: scrapy-playwright is not even loaded"
