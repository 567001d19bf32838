"""The incremental rules: which discovered URLs a run requests, when listings stop paging and which
monthly sitemaps are read; and the spider arguments they come from."""

from datetime import UTC, date, datetime, timedelta
from typing import NamedTuple

import pytest

from mayadeen.crawl.arguments import ArgumentError, parse_arguments
from mayadeen.crawl.frontier import Decision, Frontier

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


LISTING = f"{ROOT}/news/politics"
COVERED = {LISTING: NOW - timedelta(days=1)}
"""A listing an earlier trustworthy run paged to its end."""


def frontier(**options: object) -> Frontier:
    options.setdefault("covered", COVERED)
    return Frontier(KNOWN, now=NOW, **options)  # type: ignore[arg-type]


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


def test_a_covered_listing_stops_at_the_first_page_without_an_unknown_article() -> None:
    run = frontier()
    assert run.incremental
    known_only = [run.consider(OLD), run.consider(YOUNG)]
    assert not run.keep_paging(LISTING, known_only, [])
    assert run.keep_paging(LISTING, [*known_only, run.consider(NEW)], [])
    assert run.keep_paging(LISTING, [run.consider(NEW)], [])  # already requested, not stored


def test_a_listing_never_paged_to_its_end_is_followed_to_its_end() -> None:
    """Only what a trustworthy run covered may be shortened: how the last run ended says
    nothing (a crashed run, or one that reached nothing, leaves nothing covered)."""
    run = frontier()
    assert run.keep_paging(f"{ROOT}/news/economics", [run.consider(OLD)], [])
    nothing_covered = Frontier(KNOWN, now=NOW)
    assert not nothing_covered.incremental
    assert nothing_covered.keep_paging(LISTING, [nothing_covered.consider(OLD)], [])
    assert frontier(full=True).keep_paging(LISTING, [], [])


def test_since_stops_paging_past_its_date() -> None:
    run = Frontier({}, now=NOW, since=date(2026, 10, 10))
    assert run.keep_paging(LISTING, [run.consider(NEW)], [date(2026, 10, 12), date(2026, 10, 10)])
    assert not run.keep_paging(LISTING, [run.consider(OLD)], [date(2026, 10, 9), date(2026, 10, 1)])


def test_a_covered_monthly_sitemap_is_skipped_once_its_month_closed_before_the_cover() -> None:
    def sitemap(month: int) -> str:
        return f"{ROOT}/sitemaps/2026-{month:02d}.xml"

    read_at = datetime(2026, 11, 2, 21, 0, tzinfo=UTC)  # 23:00 on 2 November in Beirut
    run = frontier(covered={sitemap(m): read_at for m in (8, 9, 10, 11)})
    # October closed 47 hours before the cover: inside the 48-hour window, it is read again.
    wanted = [run.wants_sitemap(sitemap(m), (2026, m)) for m in (8, 9, 10, 11, 12)]
    assert wanted == [False, False, True, True, True]
    later = frontier(covered={sitemap(10): read_at + timedelta(hours=2)})
    assert not later.wants_sitemap(sitemap(10), (2026, 10))
    assert run.wants_sitemap(f"{ROOT}/sitemap.xml", None), "an index, not a month"
    edited = "2026-11-03T09:00:00+02:00"  # the index says August's sitemap changed since
    assert run.wants_sitemap(sitemap(8), (2026, 8), edited)
    assert not run.wants_sitemap(sitemap(8), (2026, 8), "2026-09-01T00:00:00+03:00")
    anchored = frontier(covered={sitemap(8): read_at}, newest=datetime(2026, 8, 20, tzinfo=UTC))
    assert anchored.wants_sitemap(sitemap(8), (2026, 8)), "the newest stored article's month"
    assert frontier(full=True, covered={sitemap(8): read_at}).wants_sitemap(sitemap(8), (2026, 8))


def test_monthly_sitemaps_before_since_are_skipped() -> None:
    since_run = Frontier({}, now=NOW, since=date(2024, 3, 15))
    months = [since_run.wants_sitemap(f"{ROOT}/s-{m}.xml", (2024, m)) for m in (2, 3, 4)]
    assert months == [False, True, True]
    full = frontier(full=True, since=date(2024, 3, 15))
    assert not full.wants_sitemap(f"{ROOT}/s.xml", (2024, 2))


def test_an_owed_article_is_requested_whatever_the_store_knows() -> None:
    run = frontier(owed=frozenset({OLD, NEW}))
    assert run.consider(OLD) == Decision("owed", False)
    assert run.consider(NEW) == Decision("owed", True)
    assert run.consider(OLD) == Decision("seen", False)
    gone = frontier(gone=frozenset({NEW, OLD}))
    assert [gone.consider(url).reason for url in (NEW, OLD)] == ["gone", "known"]
    sections = frontier(owed=frozenset({OLD}), sections=("news/economics",))
    assert sections.consider(OLD).reason == "section"


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


def test_what_robots_txt_forbade_is_asked_again_only_once_robots_txt_changed() -> None:
    forbidden = {NEW: "robots-1", YOUNG: "robots-1"}
    same = frontier(forbidden=forbidden, robots="robots-1")
    assert [same.consider(url).reason for url in (NEW, YOUNG)] == ["forbidden", "forbidden"]
    assert not same.consider(NEW).fetch
    changed = frontier(forbidden=forbidden, robots="robots-2")
    assert changed.consider(NEW).reason == "new", "robots.txt changed: asked again"
    unread = frontier(forbidden=forbidden)
    assert unread.consider(NEW).reason == "new", "robots.txt not read (not obeyed): it decides"
