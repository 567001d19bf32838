"""End to end: ``-a via=wayback|commoncrawl`` reads the home page's captures over time for their
BREAKING ticker (each capture of the loopback archives shows the ticker of its time), so the
``breaking`` table reaches back to the first captures; per hour or day, bounded by ``since``,
and a later run reads none of them again."""

import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from mayadeen.loopback import GeneratedSite, LoopbackServer
from mayadeen.loopback.ticker import LINES, Ticker
from mayadeen.loopback.webarchives import WebArchives, stamp
from mayadeen.store import store_path
from tests.helpers.outputs import run_stats
from tests.helpers.runs import crawl
from tests.helpers.ticker import ATTRIBUTIONS


def at(day: int, hour: int, minute: int) -> datetime:
    return datetime(2024, 3, day, hour, minute, tzinfo=UTC)


MOMENTS = [at(1, 10, 0), at(1, 10, 20), at(1, 11, 5), at(1, 13, 0)]
MOMENTS += [at(2, 9, 0), at(2, 9, 30), at(5, 12, 0)]
"""The home page's captures: two within an hour, two within a day, days apart."""
TICKER = Ticker(period=600.0)
"""The archived pages' ticker: each capture shows the lines of its own ten minutes."""


@pytest.fixture(scope="module")
def site() -> GeneratedSite:
    return GeneratedSite(4, seed=21)


SITE_CLOCK = at(5, 12, 0).timestamp()
"""The time of the site itself when it is crawled after the backfills."""


@dataclass
class Archive:
    server: LoopbackServer
    site: LoopbackServer

    @property
    def root(self) -> str:
        return self.site.root


@pytest.fixture(scope="module")
def archive(site: GeneratedSite) -> Iterator[Archive]:
    with LoopbackServer(site, ticker=Ticker(clock=lambda: SITE_CLOCK)) as site_server:
        archives = WebArchives(site, site_server.root)
        archives.capture_site()
        archives.capture_home(MOMENTS, TICKER)
        with LoopbackServer(archives) as server:
            yield Archive(server, site_server)


def backfill(archive: Archive, data: Path, *arguments: str) -> list[str]:
    """A backfill from the loopback archives; the home page's Wayback captures it read (their
    times, answered 200)."""
    archive.server.clear_requests()
    done = crawl(
        archive.root,
        data,
        "-s", f"MAYADEEN_WAYBACK_URL={archive.server.root}",
        "-s", f"MAYADEEN_COMMONCRAWL_INDEX_URL={archive.server.root}",
        "-s", f"MAYADEEN_COMMONCRAWL_DATA_URL={archive.server.root}",
        "-s", "MAYADEEN_ARCHIVE_DELAY=0",
        "-s", "MAYADEEN_WAYBACK_PAGE_SIZE=3",
        *arguments,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Traceback" not in done.stderr, done.stderr[-3000:]
    replays = [
        r.path for r in archive.server.requests if r.path.startswith("/web/") and r.status == 200
    ]
    return sorted(p.split("/")[2][:14] for p in replays if p.endswith(f"id_/{archive.root}/"))


def expected(moments: Iterable[datetime], origin: str, home: str) -> dict[str, dict[str, Any]]:
    """The rows the home page's captures at ``moments`` make, line by line."""
    rows: dict[str, dict[str, Any]] = {}
    for moment in sorted(moments):
        for text in TICKER.shown(TICKER.bucket(moment.timestamp())):
            seen = moment.isoformat()
            row = rows.setdefault(
                text,
                {
                    "attribution": ATTRIBUTIONS[text],
                    "first_seen_at": seen,
                    "first_seen_on": home,
                    "origin": origin,
                    "times_seen": 0,
                },
            )
            row["last_seen_at"] = seen
            row["times_seen"] += 1
    return rows


def home_lines(data: Path) -> dict[str, dict[str, Any]]:
    """The table's rows of the loopback ticker's lines (the article pages show other lines)."""
    db = sqlite3.connect(store_path(data))
    db.row_factory = sqlite3.Row
    columns = "text, attribution, first_seen_at, last_seen_at, times_seen, first_seen_on, origin"
    rows = {row["text"]: dict(row) for row in db.execute(f"SELECT {columns} FROM breaking")}  # noqa: S608
    return {text: {k: v for k, v in row.items() if k != "text"} for text, row in rows.items()
            if text in LINES}  # fmt: skip


def stamps(moments: Iterable[datetime]) -> list[str]:
    return sorted(stamp(moment) for moment in moments)


def test_wayback_home_captures_per_hour_since_then_back_to_the_first_then_none_again(
    archive: Archive, tmp_path: Path
) -> None:
    root = archive.root
    # since: only 2 and 5 March; per hour: 09:30 shares 09:00's hour.
    read = backfill(archive, tmp_path, "-a", "via=wayback", "-a", "since=2024-03-02")
    first = [at(2, 9, 0), at(5, 12, 0)]
    assert read == stamps(first)
    assert home_lines(tmp_path) == expected(first, "wayback", root)
    stats = run_stats(tmp_path)
    assert stats["mayadeen/ticker/captures/wayback/read"] == 2
    assert stats["mayadeen/items/new"] == 0, "the home page's captures are not articles"
    assert stats["mayadeen/discovery/wayback/not_article"] == 0

    # Without since: back to 1 March (10:20 shares 10:00's hour); 2 and 5 March are not read again.
    read = backfill(archive, tmp_path, "-a", "via=wayback")
    earlier = [at(1, 10, 0), at(1, 11, 5), at(1, 13, 0)]
    assert read == stamps(earlier)
    assert home_lines(tmp_path) == expected(earlier + first, "wayback", root)
    stats = run_stats(tmp_path)
    assert stats["mayadeen/ticker/captures/wayback/read"] == 3
    # The archive collapses a listing to the first capture of each hour; 2 and 5 March were read.
    assert stats["mayadeen/ticker/captures/wayback/listed"] == 5
    assert stats["mayadeen/ticker/captures/wayback/already_read"] == 2

    # Once more: nothing new in the archive, no home capture fetched, no count changed.
    before = home_lines(tmp_path)
    assert backfill(archive, tmp_path, "-a", "via=wayback") == []
    assert home_lines(tmp_path) == before
    assert run_stats(tmp_path)["mayadeen/ticker/captures/wayback/read"] == 0

    # A crawl of the site itself (its ticker of 5 March, 12:00) keeps the archived first sightings.
    done = crawl(root, tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    shown = TICKER.shown(TICKER.bucket(SITE_CLOCK))
    after = home_lines(tmp_path)
    for text in shown:
        assert after[text]["first_seen_at"] == before[text]["first_seen_at"]
        assert (after[text]["origin"], after[text]["first_seen_on"]) == ("wayback", root)
        assert after[text]["last_seen_at"] > before[text]["last_seen_at"]
        assert after[text]["times_seen"] > before[text]["times_seen"]


def test_commoncrawl_home_captures_per_day_and_none_again(archive: Archive, tmp_path: Path) -> None:
    root = archive.root
    per_day = ["-a", "via=commoncrawl", "-s", "MAYADEEN_TICKER_CAPTURES=day"]
    backfill(archive, tmp_path, *per_day)
    first_of_each_day = [at(1, 10, 0), at(2, 9, 0), at(5, 12, 0)]
    assert home_lines(tmp_path) == expected(first_of_each_day, "commoncrawl", root)
    stats = run_stats(tmp_path)
    assert stats["mayadeen/ticker/captures/commoncrawl/read"] == 3
    assert stats["mayadeen/ticker/captures/commoncrawl/not_selected"] == 4

    before = home_lines(tmp_path)
    backfill(archive, tmp_path, *per_day)
    assert not [r for r in archive.server.requests if r.path.startswith("/crawl-data/")]
    assert run_stats(tmp_path)["mayadeen/ticker/captures/commoncrawl/read"] == 0
    assert home_lines(tmp_path) == before


def test_a_home_capture_that_fails_stops_its_listing_and_the_next_run_begins_with_it(
    archive: Archive, tmp_path: Path
) -> None:
    root = archive.root
    archive.server.add_fault(f"/web/{stamp(at(1, 11, 5))}*=status:404")
    try:
        read = backfill(archive, tmp_path, "-a", "via=wayback")
    finally:
        archive.server.clear_faults()
    assert read == stamps([at(1, 10, 0)]), "11:05 was asked and failed; none after it"
    assert home_lines(tmp_path) == expected([at(1, 10, 0)], "wayback", root)
    assert run_stats(tmp_path)["mayadeen/ticker/captures/wayback/failed"] == 1

    read = backfill(archive, tmp_path, "-a", "via=wayback")
    rest = [at(1, 11, 5), at(1, 13, 0), at(2, 9, 0), at(5, 12, 0)]
    assert read == stamps(rest)
    assert home_lines(tmp_path) == expected([at(1, 10, 0), *rest], "wayback", root)
