"""The incremental rules: which discovered URLs a run requests, when listings stop paging and which
monthly sitemaps are read; and the spider arguments they come from."""

from datetime import UTC, date, datetime, timedelta
from typing import NamedTuple

import pytest

from mayadeen.crawl.arguments import ArgumentError, parse_arguments
from mayadeen.crawl.frontier import Decision, Frontier, recent_cutoff

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
ROOT = "https://english.almayadeen.net"
OLD = f"{ROOT}/news/politics/old"
YOUNG = f"{ROOT}/news/politics/young"
UNSTATED = f"{ROOT}/articles/opinion/never-modified"
NEW = f"{ROOT}/news/economics/new"


class Known(NamedTuple):
    published_at: str | None
    modified_at: str | None
    last_seen_at: str | None = None


KNOWN = {
    OLD: Known("2026-10-01T10:00:00+03:00", "2026-10-02T09:00:00+03:00"),
    YOUNG: Known("2026-11-20T18:00:00+02:00", "2026-11-20T18:00:00+02:00"),
    UNSTATED: Known("2026-09-01T10:00:00+03:00", None, "2026-09-03T00:00:00+00:00"),
}


def frontier(**options: object) -> Frontier:
    return Frontier(KNOWN, now=NOW, history_complete=True, **options)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("url", "lastmod", "reason"),
    [
        (NEW, None, "new"),
        (OLD, None, "known"),
        (YOUNG, None, "recheck"),  # younger than the 48-hour window: late edits are caught
        (OLD, "2026-10-02T09:00:00+03:00", "known"),  # lastmod equal to modified_at
        (OLD, "2026-10-02T07:00:00+01:00", "known"),  # the same instant in another offset
        (OLD, "2026-10-05T09:00:00+03:00", "lastmod"),
        (OLD, "2026-10-05", "lastmod"),  # a date-only lastmod
        (UNSTATED, "2026-09-02T10:00:00+03:00", "known"),  # before our last fetch
        (UNSTATED, "2026-09-04T10:00:00+03:00", "lastmod"),  # after it
        (f"{ROOT}/videos/tv/clip", None, "not_article"),
        (f"{ROOT}/news/politics", None, "not_article"),
    ],
)
def test_each_discovered_url_gets_the_contracts_decision(
    url: str, lastmod: str | None, reason: str
) -> None:
    assert frontier().consider(url, lastmod).reason == reason


def test_a_url_is_requested_once_per_run() -> None:
    run = frontier()
    assert run.consider(NEW) == Decision("new", True)
    assert run.consider(NEW) == Decision("seen", True)
    assert run.consider(YOUNG).fetch
    assert run.consider(YOUNG) == Decision("seen", False)


def test_full_refetches_known_articles() -> None:
    run = frontier(full=True)
    assert [run.consider(url).reason for url in (OLD, NEW)] == ["full", "new"]
    assert not run.incremental


def test_sections_and_since_limit_what_is_requested() -> None:
    run = frontier(sections=("news/economics",), since=date(2026, 10, 10))
    assert run.consider(OLD).reason == "section"
    assert run.consider(NEW, "2026-10-09T23:00:00+03:00").reason == "since"
    assert run.consider(NEW, "2026-10-10T00:30:00+03:00").reason == "new"
    assert run.too_old("2026-10-09T23:59:00+03:00")
    assert not run.too_old("2026-10-10T00:00:00+03:00")
    assert not frontier().too_old("2000-01-01T00:00:00+02:00")


def test_listings_stop_at_the_first_page_without_an_unknown_article() -> None:
    run = frontier()
    known_only = [run.consider(OLD), run.consider(YOUNG)]
    assert not run.keep_paging(known_only, [])
    assert run.keep_paging([*known_only, run.consider(NEW)], [])
    assert run.keep_paging([run.consider(NEW)], [])  # already requested, still not stored


def test_without_a_finished_run_every_listing_page_is_followed() -> None:
    """A crashed or first run left no complete history: paging on is how nothing is missed."""
    run = Frontier(KNOWN, now=NOW, history_complete=False)
    assert not run.incremental
    assert run.keep_paging([run.consider(OLD)], [])
    assert run.wants_month(2001, 1)


def test_since_stops_paging_past_its_date() -> None:
    run = Frontier({}, now=NOW, since=date(2026, 10, 10))
    assert run.keep_paging([run.consider(NEW)], [date(2026, 10, 12), date(2026, 10, 10)])
    assert not run.keep_paging([run.consider(OLD)], [date(2026, 10, 9), date(2026, 10, 1)])


def test_monthly_sitemaps_before_since_or_the_recent_window_are_skipped() -> None:
    recent = datetime(2026, 9, 30, 22, 30, tzinfo=UTC)  # already October in Beirut
    run = frontier(recent=recent)
    assert [run.wants_month(2026, m) for m in (8, 9, 10, 11)] == [False, False, True, True]
    since_run = Frontier({}, now=NOW, since=date(2024, 3, 15))
    assert [since_run.wants_month(2024, m) for m in (2, 3, 4)] == [False, True, True]
    assert not frontier(full=True, since=date(2024, 3, 15)).wants_month(2024, 2)
    assert frontier(full=True, recent=recent).wants_month(2001, 1)


def test_the_recent_window_starts_before_the_earlier_of_last_run_and_newest_article() -> None:
    window = timedelta(hours=48)
    assert recent_cutoff(NOW, NOW - timedelta(days=30), window) == NOW - timedelta(days=32)
    assert recent_cutoff(NOW, None, window) == NOW - window
    assert recent_cutoff(None, NOW, window) is None


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"sections": "politics"}, "sections: 'politics' is not a section path"),
        ({"sections": "news/politics/slug"}, "is not a section path"),
        ({"since": "2024/05/01"}, "since: expected a date as YYYY-MM-DD"),
        ({"max_articles": "0"}, "max_articles: expected a positive whole number"),
        ({"max_articles": "ten"}, "max_articles: expected a positive whole number"),
        ({"full": "maybe"}, "full: expected 1 or 0"),
    ],
)
def test_bad_arguments_are_refused_with_a_reason(arguments: dict[str, str], message: str) -> None:
    with pytest.raises(ArgumentError, match=message):
        parse_arguments(**arguments)


def test_absent_arguments_mean_an_unlimited_incremental_run() -> None:
    parsed = parse_arguments(sections="", since=" ", max_articles=None, full="0")
    assert (parsed.sections, parsed.since, parsed.max_articles, parsed.full) == (
        (),
        None,
        None,
        False,
    )
