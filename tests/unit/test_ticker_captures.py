"""Which of the home page's web-archive captures a run reads for the BREAKING ticker
(``mayadeen.webarchives.home``): per ``MAYADEEN_TICKER_CAPTURES``, ``since``, and what earlier
listings read."""

from datetime import date
from urllib.parse import parse_qs, urlsplit

import pytest
from scrapy.settings import BaseSettings

from mayadeen.crawl.configuration import SettingError, check_settings
from mayadeen.webarchives.captures import Capture
from mayadeen.webarchives.commoncrawl import Crawl
from mayadeen.webarchives.home import (
    EARLIEST,
    Span,
    Timeline,
    commoncrawl_query,
    home_captures,
    listing_key,
    listing_prefix,
    spans,
    start_time,
    wayback_query,
)

TIMES = [
    "20240301100000",
    "20240301102000",
    "20240301110500",
    "20240301130000",
    "20240302090000",
    "20240302093000",
    "20240305120000",
]


def chosen(per: str, read: list[Span] | None = None) -> list[str]:
    timeline = Timeline(per, read or [])
    captures = [Capture("wayback", "h", "h", t) for t in TIMES]
    return [c.timestamp for c in captures if timeline.why_not(c) is None]


def test_all_hour_and_day_keep_the_first_capture_of_each_bucket() -> None:
    assert chosen("all") == TIMES
    assert chosen("hour") == [TIMES[0], TIMES[2], TIMES[3], TIMES[4], TIMES[6]]
    assert chosen("day") == [TIMES[0], TIMES[4], TIMES[6]]


def test_a_capture_an_earlier_listing_read_is_passed_over_and_takes_its_bucket() -> None:
    read = [Span("20240302000000", "20240305120000")]  # a run with since=2024-03-02
    assert chosen("hour", read) == [TIMES[0], TIMES[2], TIMES[3]]
    # The capture read last stands for its day: a later one that day is not read.
    assert chosen("day", [Span(EARLIEST, "20240301100000")]) == [TIMES[4], TIMES[6]]
    timeline = Timeline("all", read)
    assert timeline.why_not(Capture("wayback", "h", "h", TIMES[4])) == "already_read"


def test_the_same_second_twice_is_read_once() -> None:
    timeline = Timeline("all")
    capture = Capture("wayback", "h", "h", TIMES[0])
    assert [timeline.why_not(capture), timeline.why_not(capture)] == [None, "not_selected"]


def test_spans_come_from_every_listing_of_the_same_archive_and_crawl() -> None:
    prefix = listing_prefix("commoncrawl", "CC-MAIN-2024-10")
    cursors = {
        listing_key("commoncrawl", "CC-MAIN-2024-10", None): "20240301130000",
        listing_key("commoncrawl", "CC-MAIN-2024-10", date(2024, 3, 2)): "20240305120000",
        listing_key("commoncrawl", "CC-MAIN-2023-50", None): "20231210000000",
        listing_key("wayback", None, None): "20240401000000",
    }
    assert spans(cursors, prefix) == [
        Span(EARLIEST, "20240301130000"),
        Span("20240302000000", "20240305120000"),
    ]


def test_a_listing_is_asked_from_since_or_from_its_newest_capture_read() -> None:
    assert start_time(None, None) is None
    assert start_time(date(2024, 3, 2), None) == "20240302000000"
    assert start_time(None, "20240301130000") == "20240301130000"
    assert start_time(date(2024, 3, 2), "20240301130000") == "20240302000000"


def query(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def test_the_queries_ask_the_home_page_exactly_from_the_start_time() -> None:
    wayback = query(wayback_query("http://w", "http://h:1", "20240302000000", "hour", 9, "K"))
    assert wayback["url"] == ["h:1/"]
    assert wayback["matchType"] == ["exact"]
    assert (wayback["from"], wayback["collapse"], wayback["resumeKey"]) == (
        ["20240302000000"],
        ["timestamp:10"],
        ["K"],
    )
    assert "collapse" not in query(wayback_query("http://w", "http://h:1", None, "all", 9, None))
    assert "from" not in query(wayback_query("http://w", "http://h:1", None, "all", 9, None))
    cc = query(commoncrawl_query(Crawl("C", "http://i/C-index"), "http://h:1", "20240302", 2))
    assert (cc["url"], cc["from"], cc["page"]) == (["h:1/"], ["20240302"], ["2"])


def test_only_the_home_page_itself_oldest_first() -> None:
    listed = [
        Capture("wayback", "http://h", "http://h/", "20240302000000"),
        Capture("wayback", "http://h/news/a", "http://h/news/a", "20240101000000"),
        Capture("wayback", "http://h", "https://www.h/", "20240301000000"),
    ]
    assert [c.timestamp for c in home_captures(listed, "http://h")] == [
        "20240301000000",
        "20240302000000",
    ]


def test_the_setting_takes_all_hour_or_day() -> None:
    with pytest.raises(SettingError, match="MAYADEEN_TICKER_CAPTURES"):
        check_settings(BaseSettings({"MAYADEEN_TICKER_CAPTURES": "minute"}))
