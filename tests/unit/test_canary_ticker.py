"""The canary's check of the BREAKING ticker (``mayadeen.drift.ticker``): lines found by the site's
selectors match; a page whose ticker markup changed is drift naming ``mayadeen/site/ticker.py``."""

from scrapy.http import HtmlResponse

from mayadeen.drift.expectations import NO_CAPTURE, passed, render_text, summary
from mayadeen.drift.fetch import Fetched
from mayadeen.drift.ticker import ticker_finding
from mayadeen.loopback import load_fixtures

PAGE = load_fixtures()[0].html()
REDESIGNED = PAGE.replace(b'class="breaking-news"', b'class="urgent"').replace(
    b'class="ticker"', b'class="urgent-lines"'
)


def fetched(body: bytes, url: str = "http://h/") -> Fetched:
    return Fetched(url, HtmlResponse(url, body=body, encoding="utf-8"))


def test_a_page_with_ticker_lines_matches_and_quotes_them() -> None:
    report = ticker_finding([fetched(PAGE)])
    assert report.status == "matches"
    assert report.notes[0].startswith("3 lines on http://h/: 'Trump: Technical teams")


def test_a_ticker_whose_markup_changed_is_drift_naming_its_rule() -> None:
    report = ticker_finding([fetched(REDESIGNED)])
    assert report.status == "differs"
    [difference] = report.differences
    assert (difference.field, difference.got) == ("ticker", "none")
    assert "mayadeen/site/ticker.py" in difference.line()
    assert "correct TICKER_LINES in mayadeen/site/ticker.py" in report.notes[0]
    assert not passed([report])
    assert "ticker: differs" in render_text([report], "http://h")


def test_one_page_of_several_with_lines_is_enough() -> None:
    pages = [fetched(REDESIGNED, "http://h/a"), fetched(PAGE, "http://h/b")]
    assert ticker_finding(pages).status == "matches"


def test_no_capture_of_the_home_page_is_not_drift() -> None:
    report = ticker_finding([Fetched("http://h/", failure=NO_CAPTURE)])
    assert report.status == "not captured"


def test_the_summary_names_a_ticker_that_found_nothing() -> None:
    assert summary([ticker_finding([fetched(REDESIGNED)])]).endswith("; ticker: no line found")
