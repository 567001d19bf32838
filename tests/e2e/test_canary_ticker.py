"""``scrapy canary`` checks the BREAKING ticker too: with ``--via wayback`` on the newest capture of
the home page, read from the site on the canary pages; a ticker whose markup changed is drift
naming ``mayadeen/site/ticker.py``, an unchanged one no alarm (the site's exact report:
``tests/e2e/test_canary.py``)."""

import subprocess
from pathlib import Path

from mayadeen.loopback import FixtureSite, LoopbackServer
from mayadeen.loopback.webarchives import WebArchives
from tests.helpers.runs import run
from tests.helpers.sites import PAGES, AlteredSite, path_of

FINDING = "  ticker: expected 'lines by the selectors of mayadeen/site/ticker.py (TICKER_LINES)' got 'none'"


def redesigned(body: bytes) -> bytes:
    """The page with its ticker's markup renamed (the lines are still there)."""
    return body.replace(b'class="breaking-news"', b'class="urgent"').replace(
        b'class="ticker"', b'class="urgent-lines"'
    )


def canary(root: str, data: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    return run(
        "scrapy", "canary", "-s", f"MAYADEEN_BASE_URL={root}",
        "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=0", "-s", "MAYADEEN_ARCHIVE_DELAY=0",
        *arguments,
        env={"MAYADEEN_DATA_DIR": str(data)},
    )  # fmt: skip


def test_read_from_the_site_a_ticker_no_page_yields_is_drift(
    fixture_site: FixtureSite, tmp_path: Path
) -> None:
    altered = AlteredSite(fixture_site, {path_of(page): redesigned for page in PAGES})
    with LoopbackServer(altered) as server:
        done = canary(server.root, tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr[-3000:]
    lines = done.stdout.splitlines()
    assert all(f"{page.name}: matches" in lines for page in PAGES), "the articles did not drift"
    assert lines[lines.index("ticker: differs") + 1] == FINDING
    assert lines[-1] == f"canary: all {len(PAGES)} pages match; ticker: no line found"


def test_via_wayback_the_newest_home_page_capture_is_checked(
    fixture_site: FixtureSite, tmp_path: Path
) -> None:
    with LoopbackServer(fixture_site) as site_server:
        archives = WebArchives(fixture_site, site_server.root)
        archives.capture_site()
        archives.capture("/", "20300101000000")
        with LoopbackServer(archives) as wayback:
            arguments = ["--via", "wayback", "-s", f"MAYADEEN_WAYBACK_URL={wayback.root}"]
            unchanged = canary(site_server.root, tmp_path, *arguments)
            newer = archives.capture("/", "20300102000000")  # the home page, redesigned
            newer.body = redesigned(newer.body)
            drifted = canary(site_server.root, tmp_path, *arguments)
        assert not site_server.requests, "the site itself is never asked"
    assert unchanged.returncode == 0, unchanged.stdout + unchanged.stderr[-3000:]
    lines = unchanged.stdout.splitlines()
    at = lines.index("ticker: matches")
    assert lines[at + 1] == "  note: read from the Wayback capture of 2030-01-01T00:00:00+00:00"
    assert lines[at + 2].startswith(f"  note: 3 lines on {site_server.root}/: 'Trump: ")
    assert lines[-1] == f"canary: all {len(PAGES)} pages match"

    assert drifted.returncode == 1, drifted.stdout + drifted.stderr[-3000:]
    lines = drifted.stdout.splitlines()
    at = lines.index(f"ticker: differs ({site_server.root}/)")
    assert lines[at + 1] == FINDING
    assert lines[at + 2] == "  note: read from the Wayback capture of 2030-01-02T00:00:00+00:00"
    assert lines[-1] == f"canary: all {len(PAGES)} pages match; ticker: no line found"
