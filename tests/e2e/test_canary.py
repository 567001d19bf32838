"""``scrapy canary`` run as a user runs it against the loopback site: it says all match, shows a
drifted page field by field, names pages that could not be fetched, and refuses unknown ones."""

import hashlib
import json
import subprocess
from pathlib import Path

from mayadeen.loopback import FixtureSite, LoopbackServer
from tests.helpers.runs import run
from tests.helpers.sites import (
    NEW_TITLE,
    PAGES,
    TROOPS,
    TROOPS_TITLE,
    AlteredSite,
    drifted,
    path_of,
)


def canary(
    root: str, *arguments: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    politeness_off = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=0"]
    command = ["scrapy", "canary", "-s", f"MAYADEEN_BASE_URL={root}", *politeness_off, *arguments]
    return run(*command, env=env)


def test_all_canary_pages_match_on_the_loopback_site(
    fixture_server: LoopbackServer, tmp_path: Path
) -> None:
    done = canary(fixture_server.root, env={"MAYADEEN_DATA_DIR": str(tmp_path)})
    assert done.returncode == 0, done.stdout + done.stderr[-3000:]
    assert done.stdout.splitlines() == [
        f"canary: {len(PAGES)} pages from {fixture_server.root}",
        *(f"{page.name}: matches" for page in PAGES),
        f"canary: all {len(PAGES)} pages match",
    ]
    asked = [(r.path, r.user_agent) for r in fixture_server.requests]
    assert asked[0][0] == "/robots.txt", "robots.txt is obeyed, as in a crawl"
    assert sorted(path for path, _ in asked[1:]) == sorted(path_of(p) for p in PAGES)
    assert all(agent.startswith("mayadeen/") for _, agent in asked)
    assert list(tmp_path.iterdir()) == [], "nothing stored, no feed written"


def test_a_drifted_page_is_shown_field_by_field(fixture_site: FixtureSite) -> None:
    altered = AlteredSite(fixture_site, {path_of(TROOPS): drifted})
    with LoopbackServer(altered) as server:
        done = canary(server.root)
        as_json = canary(server.root, "--json", TROOPS.name)
    assert done.returncode == 1, done.stderr[-3000:]
    lines = done.stdout.splitlines()
    block = lines[lines.index(f"{TROOPS.name}: differs ({server.root}{path_of(TROOPS)})") + 1 :]
    block = block[: next(i for i, line in enumerate(block) if not line.startswith("  "))]
    new_hash = hashlib.sha256(f"{NEW_TITLE}\n{TROOPS.item['body']}".encode()).hexdigest()
    assert [line for line in block if " source: " not in line] == [
        f"  title: expected {TROOPS_TITLE!r} got {NEW_TITLE!r}",
        f"  content_hash: expected {TROOPS.item['content_hash']!r} got {new_hash!r}",
    ]
    moved = {f for f, s in TROOPS.sources.items() if s == "tawsiyat"} - {"url", "coverage"}
    assert {line for line in block if " source: " in line} == {
        *(f"  {name} source: expected 'tawsiyat' got 'jsonld'" for name in moved),
        "  url source: expected 'tawsiyat' got 'jsonld'",
        "  coverage source: expected 'tawsiyat' got 'dom'",
    }
    assert "article-recognition-dpr-lpr: matches" in lines
    assert (
        lines[-1]
        == f"canary: {len(PAGES) - 1} of {len(PAGES)} pages match: 1 differs, 0 not fetched"
    )

    assert as_json.returncode == 1
    report = json.loads(as_json.stdout)
    assert report["ok"] is False
    [page] = report["pages"]
    values = {
        d["field"]: (d["expected"], d["got"]) for d in page["differences"] if d["kind"] == "value"
    }
    assert set(values) == {"title", "content_hash"}
    assert values["title"] == (TROOPS_TITLE, NEW_TITLE)


def test_pages_that_cannot_be_fetched_are_named_with_the_reason(
    fixture_server: LoopbackServer,
) -> None:
    missing, blocked = PAGES[0], PAGES[1]
    fixture_server.add_fault(f"{path_of(missing)}=status:404")
    fixture_server.add_fault(f"{path_of(blocked)}=block")
    done = canary(fixture_server.root, "-s", "MAYADEEN_BACKOFF_START=0.1")
    assert done.returncode == 1
    lines = done.stdout.splitlines()
    assert (
        f"{missing.name}: not fetched ({fixture_server.root}{path_of(missing)}): HTTP 404 (not found)"
        in lines
    )
    assert any(
        line.startswith(
            f"{blocked.name}: not fetched ({fixture_server.root}{path_of(blocked)}): blocked"
        )
        for line in lines
    ), lines
    assert lines[-1] == f"canary: 0 of {len(PAGES)} pages match: 0 differ, {len(PAGES)} not fetched"


def test_pages_can_be_chosen_by_name_or_url_and_unknown_ones_are_refused(
    fixture_server: LoopbackServer,
) -> None:
    chosen = canary(fixture_server.root, f"{fixture_server.root}{path_of(PAGES[1])}")
    assert chosen.returncode == 0, chosen.stderr[-3000:]
    assert chosen.stdout.splitlines()[1:] == [
        f"{PAGES[1].name}: matches",
        "canary: the page matches",
    ]
    unknown = canary(fixture_server.root, "no-such-page")
    assert unknown.returncode == 2
    assert "'no-such-page' is not a canary page" in unknown.stderr
