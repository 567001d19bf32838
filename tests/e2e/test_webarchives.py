"""End to end: ``scrapy crawl articles -a via=wayback|commoncrawl`` against loopback copies of the
two web archives holding captures of a loopback site (``mayadeen.loopback.webarchives``)."""

import json
import re
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from warcio.archiveiterator import ArchiveIterator

from mayadeen.loopback import FixtureSite, GeneratedSite, LoopbackServer
from mayadeen.loopback.webarchives import WebArchives
from mayadeen.store.schema import FIELD_NAMES
from tests.helpers.outputs import owed_rows, run_stats
from tests.helpers.runs import crawl, kill_after_rows, reextract, run, start_crawl
from tests.helpers.sites import TAWSIYAT


@pytest.fixture(scope="module")
def site() -> GeneratedSite:
    return GeneratedSite(10, seed=21)


@pytest.fixture(scope="module")
def site_server(site: GeneratedSite) -> Iterator[LoopbackServer]:
    with LoopbackServer(site) as running:
        yield running


@pytest.fixture(scope="module")
def direct(site_server: LoopbackServer, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The articles a direct crawl of the site stores (without ``crawled_at``)."""
    data = tmp_path_factory.mktemp("direct")
    done = crawl(site_server.root, data)
    assert done.returncode == 0, done.stderr[-3000:]
    return stored(data)


def stored(data: Path) -> dict[str, Any]:
    columns = [name for name in FIELD_NAMES if name != "crawled_at"]
    with sqlite3.connect(data / "articles.sqlite") as db:
        rows = db.execute(f"SELECT {', '.join(columns)} FROM articles").fetchall()  # noqa: S608
    return {row[0]: row for row in rows}


def origins(data: Path) -> dict[str, tuple[str, str, str | None]]:
    with sqlite3.connect(data / "articles.sqlite") as db:
        rows = db.execute("SELECT url, via, captured_at, collection FROM article_origins")
        return {url: (via, at, collection) for url, via, at, collection in rows}


def from_archive(site_root: str, archive: str, data: Path, *arguments: str) -> str:
    done = crawl(
        site_root,
        data,
        "-s", f"MAYADEEN_WAYBACK_URL={archive}",
        "-s", f"MAYADEEN_COMMONCRAWL_INDEX_URL={archive}",
        "-s", f"MAYADEEN_COMMONCRAWL_DATA_URL={archive}",
        "-s", "MAYADEEN_ARCHIVE_DELAY=0",
        "-s", "MAYADEEN_WAYBACK_PAGE_SIZE=3",
        *arguments,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Traceback" not in done.stderr, done.stderr[-3000:]
    return done.stderr


def via_wayback(
    site_root: str, wayback: str, data: Path, *arguments: str
) -> subprocess.CompletedProcess[str]:
    """A ``-a via=wayback`` crawl of ``wayback`` at full speed, whatever its outcome."""
    return crawl(
        site_root,
        data,
        "-a", "via=wayback",
        "-s", f"MAYADEEN_WAYBACK_URL={wayback}",
        "-s", "MAYADEEN_ARCHIVE_DELAY=0",
        *arguments,
    )  # fmt: skip


def fetched(server: LoopbackServer, prefix: str) -> list[str]:
    """The paths of the captures the archive served (200 or 206) since its log was cleared."""
    return [r.path for r in server.requests if r.path.startswith(prefix) and r.status in (200, 206)]


def test_via_wayback_stores_what_a_direct_crawl_stores_resumes_and_fetches_only_newer_captures(
    site: GeneratedSite, site_server: LoopbackServer, direct: dict[str, Any], tmp_path: Path
) -> None:
    archives = WebArchives(site, site_server.root)
    archives.capture_site()
    with LoopbackServer(archives) as wayback:
        site_server.clear_requests()
        # A page of the index per capture: the run stops (max_articles) mid-listing.
        from_archive(site_server.root, wayback.root, tmp_path, "-a", "via=wayback",
                             "-a", "max_articles=4", "-s", "MAYADEEN_WAYBACK_PAGE_SIZE=1")  # fmt: skip
        first_stats = run_stats(tmp_path)
        after_first = set(origins(tmp_path))
        assert len(after_first) == first_stats["mayadeen/items/new"] >= 4
        with sqlite3.connect(tmp_path / "articles.sqlite") as db:
            assert db.execute("SELECT count(*) FROM archive_cursors").fetchone()[0] >= 1

        # Politeness: the index answers 429 once and a replay 503 once, each with Retry-After.
        wayback.add_fault("/cdx/search/cdx=ratelimit:1*1")
        wayback.add_fault("/web/*=unavailable:1*1")
        wayback.clear_requests()
        from_archive(site_server.root, wayback.root, tmp_path, "-a", "via=wayback",
                              "-s", "MAYADEEN_BACKOFF_START=0.1", "-s", "MAYADEEN_BACKOFF_MAX=0.2")  # fmt: skip
        second_stats = run_stats(tmp_path)
        assert second_stats["mayadeen/retry_after/waits"] == 2
        assert second_stats["mayadeen/sources/wayback/resumed"] >= 1
        assert stored(tmp_path) == direct, "the same items as a direct crawl, but crawled_at"
        assert not site_server.requests, "the site itself is never asked"
        refetched = [p for p in fetched(wayback, "/web/") if p.split("id_/", 1)[1] in after_first]
        assert not refetched, "a capture stored by the killed run is not fetched again"
        assert {via for via, _, _ in origins(tmp_path).values()} == {"wayback"}
        manifest = json.loads(sorted((tmp_path / "runs").glob("*.json"))[-1].read_text())
        assert manifest["origins"]["wayback"] == len(direct) - len(after_first)

        # Two newer captures appear: one of the same bytes, one with a new headline.
        same, edited = site.articles_by_index[0].entry.path, site.articles_by_index[1].entry.path
        archives.capture(same, "20300101000000")
        body = archives.capture(edited, "20300101000000").body
        title = site.articles_by_index[1].entry.title.encode()
        archives.held[-1].body = body.replace(title, b"A Headline Rewritten Later")
        wayback.clear_requests()
        from_archive(site_server.root, wayback.root, tmp_path, "-a", "via=wayback")
        third_stats = run_stats(tmp_path)
        replays = [p.split("id_/", 1)[1] for p in fetched(wayback, "/web/")]
        root = site_server.root
        assert replays == [root + edited], "only the capture with other bytes is fetched"
        assert third_stats["mayadeen/discovery/wayback/same_digest"] == 1
        assert stored(tmp_path)[root + edited][2] == "A Headline Rewritten Later"
        assert origins(tmp_path)[root + same][1] == "2030-01-01T00:00:00+00:00"

    # The captures are in the project's own archive, with where they came from.
    origin_headers = [
        record.rec_headers.get_header("WARC-Mayadeen-Origin")
        for path in sorted((tmp_path / "archive").glob("*.warc.gz"))
        for record in ArchiveIterator(path.open("rb"))
        if record.rec_type in ("response", "revisit")
    ]
    assert origin_headers
    assert set(origin_headers) == {"wayback"}
    # scrapy reextract reads them back, and each article keeps the origin of its bytes.
    before, kept = stored(tmp_path), origins(tmp_path)
    done = reextract(site_server.root, tmp_path)
    stats = run_stats(tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    assert stats["mayadeen/reextract/pages"] == len(direct)
    assert stored(tmp_path) == before
    assert origins(tmp_path) == kept


def test_a_backfill_killed_midway_resumes_and_fetches_no_stored_capture_again(
    site: GeneratedSite, site_server: LoopbackServer, direct: dict[str, Any], tmp_path: Path
) -> None:
    """SIGKILL mid-backfill (a slow index of one capture a page, the store committing every 0.1 s): the
    next run stores every article, and fetches no capture whose article the killed run had
    committed (what was in flight is fetched again)."""
    archives = WebArchives(site, site_server.root)
    archives.capture_site()
    with LoopbackServer(archives) as wayback:
        # Each index page (one capture a page) answers slowly: captures are found one by one,
        # so the run is killed with some stored and more to come, however fast the machine.
        wayback.add_fault("/cdx/search/cdx=slow:0.3")
        settings = ["-s", f"MAYADEEN_WAYBACK_URL={wayback.root}", "-s", "MAYADEEN_ARCHIVE_DELAY=0"]
        killed = start_crawl(
            site_server.root, tmp_path, "-a", "via=wayback", *settings,
            "-s", "MAYADEEN_WAYBACK_PAGE_SIZE=1", "-s", "MAYADEEN_STORE_COMMIT_INTERVAL=0.1",
        )  # fmt: skip
        kill_after_rows(tmp_path, 3, killed)
        committed = set(stored(tmp_path))
        assert 3 <= len(committed) < len(direct), "killed midway"
        wayback.clear_faults()
        wayback.clear_requests()
        from_archive(site_server.root, wayback.root, tmp_path, "-a", "via=wayback",
                           "-s", "MAYADEEN_WAYBACK_PAGE_SIZE=1")  # fmt: skip
        stats = run_stats(tmp_path)
        again = {path.split("id_/", 1)[1] for path in fetched(wayback, "/web/")}
    assert stats["mayadeen/sources/wayback/resumed"] >= 1
    assert stored(tmp_path) == direct
    assert not again & committed, "a capture whose article was committed is not fetched again"


def test_via_commoncrawl_stores_what_a_direct_crawl_stores_and_reads_a_newer_crawl_only(
    site: GeneratedSite, site_server: LoopbackServer, direct: dict[str, Any], tmp_path: Path
) -> None:
    archives = WebArchives(site, site_server.root, crawls=("CC-MAIN-2024-10",), page_size=4)
    archives.capture_site()
    with LoopbackServer(archives) as commoncrawl:
        # "Slow down" (503) from the index with Retry-After and from the data without; a range
        # cut short once.
        commoncrawl.add_fault("/CC-MAIN-2024-10-index=unavailable:1*1")
        commoncrawl.add_fault("/crawl-data/*=status:503*1")
        commoncrawl.add_fault("/crawl-data/*=truncate*1")
        from_archive(site_server.root, commoncrawl.root, tmp_path, "-a", "via=commoncrawl",
                             "-s", "MAYADEEN_BACKOFF_START=0.1", "-s", "MAYADEEN_BACKOFF_MAX=0.2")  # fmt: skip
        first_stats = run_stats(tmp_path)
        assert first_stats["mayadeen/retry_after/waits"] == 1
        assert first_stats["mayadeen/sources/slow_down"] == 1
        assert stored(tmp_path) == direct
        assert {c for _, _, c in origins(tmp_path).values()} == {"CC-MAIN-2024-10"}
        manifest = json.loads(sorted((tmp_path / "runs").glob("*.json"))[-1].read_text())
        assert manifest["origins"]["collections"] == {"CC-MAIN-2024-10": len(direct)}
        assert manifest["origins"]["captured"]["oldest"] == min(
            at for _, at, _ in origins(tmp_path).values()
        )

        archives.crawls.append("CC-MAIN-2024-18")
        path = site.articles_by_index[2].entry.path
        newer = archives.capture(path, "20300101000000", crawl="CC-MAIN-2024-18")
        title = site.articles_by_index[2].entry.title.encode()
        newer.body = newer.body.replace(title, b"A Headline Rewritten Later")
        commoncrawl.clear_requests()
        from_archive(site_server.root, commoncrawl.root, tmp_path, "-a", "via=commoncrawl")
        assert fetched(commoncrawl, "/crawl-data/") == [
            "/crawl-data/CC-MAIN-2024-18/warc/captures.warc.gz"
        ]
        assert origins(tmp_path)[site_server.root + path][2] == "CC-MAIN-2024-18"
        assert stored(tmp_path)[site_server.root + path][2] == "A Headline Rewritten Later"


def test_the_fallback_reads_a_blocked_article_from_its_newest_wayback_capture(
    site: GeneratedSite, site_server: LoopbackServer, tmp_path: Path
) -> None:
    blocked = site.articles_by_index[3].entry.path
    archives = WebArchives(site, site_server.root)
    archives.capture(blocked, "20231101000000")
    archives.capture(blocked, "20240101000000")
    site_server.add_fault(f"{blocked}=block")
    try:
        with LoopbackServer(archives) as wayback:
            url = site_server.root + blocked
            # The newest capture's replay answers with the one before (as the Wayback Machine
            # answers with the nearest capture it holds).
            wayback.add_fault(
                f"/web/20240101000000id_/{url}=redirect:302:/web/20231101000000id_/{url}"
            )
            # A crawl of the site (discovery, not urls) meets the blocked article.
            from_archive(site_server.root, wayback.root, tmp_path,
                               "-s", "MAYADEEN_ARCHIVE_FALLBACK=1")  # fmt: skip
            stats = run_stats(tmp_path)
            assert fetched(wayback, "/web/") == [f"/web/20231101000000id_/{url}"]
    finally:
        site_server.clear_faults()
    assert stats["mayadeen/blocks/total"] == 1
    assert {via for via, _, _ in origins(tmp_path).values()} == {"site", "wayback"}
    assert origins(tmp_path)[url][:2] == ("wayback", "2023-11-01T00:00:00+00:00")
    with sqlite3.connect(tmp_path / "articles.sqlite") as db:
        assert db.execute("SELECT count(*) FROM owed").fetchone()[0] == 0, "settled once stored"


def test_the_canary_over_wayback_captures_reports_a_field_whose_markup_changed(
    fixture_site: FixtureSite, tmp_path: Path
) -> None:
    troops = "/news/politics/lukashenko:-belarusian-troops-not-partaking-in-russian-opera"
    with LoopbackServer(fixture_site) as site_server:
        archives = WebArchives(fixture_site, site_server.root)
        archives.capture_site()
        altered = archives.capture(troops, "20300101000000")  # a later capture, redesigned
        altered.body = re.sub(
            rb"<h1[^>]*>.*?</h1>", b"", TAWSIYAT.sub(b"", altered.body), flags=re.S
        )
        with LoopbackServer(archives) as wayback:
            done = run(
                "scrapy", "canary", "--via", "wayback", "--sample", "2", "--json",
                "-s", f"MAYADEEN_BASE_URL={site_server.root}",
                "-s", f"MAYADEEN_WAYBACK_URL={wayback.root}",
                "-s", "MAYADEEN_ARCHIVE_DELAY=0", "-s", "DOWNLOAD_DELAY=0",
                env={"MAYADEEN_DATA_DIR": str(tmp_path)},
            )  # fmt: skip
            recorded = run(
                "scrapy", "record", "--via", "wayback", troops, "--name", "troops-redesigned",
                "--into", str(tmp_path / "fixtures"),
                "-s", f"MAYADEEN_BASE_URL={site_server.root}",
                "-s", f"MAYADEEN_WAYBACK_URL={wayback.root}",
                "-s", "MAYADEEN_ARCHIVE_DELAY=0", "-s", "DOWNLOAD_DELAY=0",
                env={"MAYADEEN_DATA_DIR": str(tmp_path)},
            )  # fmt: skip
            assert not site_server.requests, "the site itself is never asked"
    assert recorded.returncode == 0, recorded.stderr[-2000:]
    assert "(the Wayback capture of 2030-01-01T00:00:00+00:00)" in recorded.stdout
    html = (tmp_path / "fixtures" / "troops-redesigned.html").read_bytes()
    assert b"text/tawsiyat" not in html, "the capture's bytes, as archived"
    assert done.returncode == 1, done.stderr[-2000:]
    report = json.loads(done.stdout)
    pages = {page["name"]: page for page in report["pages"]}
    drifted = pages["article-belarusian-troops"]
    assert drifted["status"] == "differs"
    assert drifted["notes"][0] == "read from the Wayback capture of 2030-01-01T00:00:00+00:00"
    title = [d for d in drifted["differences"] if d["field"] == "title"]
    assert {"kind": "source", "expected": "tawsiyat"}.items() <= title[0].items()
    samples = [page for name, page in pages.items() if name.startswith("sample ")]
    assert len(samples) == 2
    assert all(page["failure"] is None for page in samples)


def test_a_capture_that_cannot_be_fetched_is_owed_and_the_next_run_reads_it(
    site: GeneratedSite, site_server: LoopbackServer, direct: dict[str, Any], tmp_path: Path
) -> None:
    archives = WebArchives(site, site_server.root)
    archives.capture_site()
    lost = site_server.root + site.articles_by_index[2].entry.path
    with LoopbackServer(archives) as wayback:
        wayback.add_fault(f"/web/*id_/{lost}=status:500")
        first = via_wayback(
            site_server.root,
            wayback.root,
            tmp_path,
            "-s", "RETRY_ENABLED=0",
            "-s", "MAYADEEN_OWED_RETRY_HOURS=0",  # due again at once
        )  # fmt: skip
        assert "Traceback" not in first.stderr, first.stderr[-3000:]
        assert set(stored(tmp_path)) == set(direct) - {lost}
        assert owed_rows(tmp_path) == {lost: ("wayback: HTTP 500", 1)}
        manifest = json.loads(sorted((tmp_path / "runs").glob("*.json"))[-1].read_text())
        losses = next(check for check in manifest["health"] if check["check"] == "losses")
        assert losses["detail"] == (
            "1 of 10 article fetches failed; the share is judged on runs of at least 20"
        )

        wayback.clear_faults()
        wayback.clear_requests()
        from_archive(site_server.root, wayback.root, tmp_path, "-a", "via=wayback")
        assert stored(tmp_path) == direct
        assert owed_rows(tmp_path) == {}
        assert [p.split("id_/", 1)[1] for p in fetched(wayback, "/web/")] == [lost]


def test_a_replay_that_redirects_to_the_live_site_is_refused_not_recorded_as_the_archives(
    site: GeneratedSite, site_server: LoopbackServer, tmp_path: Path
) -> None:
    path = site.articles_by_index[4].entry.path
    url = site_server.root + path
    archives = WebArchives(site, site_server.root)
    archives.capture(path, "20240101000000")
    with LoopbackServer(archives) as wayback:
        wayback.add_fault(f"/web/20240101000000id_/{url}=redirect:302:{url}")
        done = via_wayback(site_server.root, wayback.root, tmp_path, "-a", f"urls={path}")
        stats = run_stats(tmp_path)
    assert "Traceback" not in done.stderr, done.stderr[-3000:]
    assert stats["mayadeen/redirects/offsite"] == 1
    assert origins(tmp_path) == {}, "nothing the site served is recorded as a Wayback capture"
    assert set(owed_rows(tmp_path)) == {url}
