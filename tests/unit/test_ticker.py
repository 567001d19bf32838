"""The BREAKING ticker read from the real sample pages, the fixtures and the loopback site's
changing ticker, through the real reading code; and no ticker line in any extracted article."""

from urllib.parse import urlsplit

import pytest
from scrapy.http import HtmlResponse

from mayadeen.loopback import Fixture, FixtureSite, LoopbackServer, load_fixtures
from mayadeen.loopback.anatomy import LIVE_ROOT
from mayadeen.loopback.ticker import LINES, Ticker
from mayadeen.pages.extract import extract
from mayadeen.pages.ticker import TickerLine, attribution, ticker_lines
from tests.helpers.runs import SHARED, fetch
from tests.helpers.ticker import ATTRIBUTIONS

WITH_ITEMS = [f for f in load_fixtures() if f.expected_ref]
SAMPLES = SHARED / "site" / "samples"
SAMPLE_TICKER = [
    TickerLine(
        "Trump: Technical teams will meet again on Monday in Egypt to discuss and clarify the "
        "final details",
        "Trump",
    ),
    TickerLine(
        "Local sources in Aleppo: Violent clashes erupt on the Deir Hafer and Tishrin Dam fronts",
        "Local sources in Aleppo",
    ),
    TickerLine(
        "Israeli media: Ben Gurion Airport's airspace closed to air traffic following missile "
        "launch from Yemen",
        "Israeli media",
    ),
]


def page(body: bytes, url: str = f"{LIVE_ROOT}/") -> HtmlResponse:
    return HtmlResponse(url, body=body, encoding="utf-8")


@pytest.mark.skipif(not SAMPLES.is_dir(), reason="needs ../shared/site/samples")
@pytest.mark.parametrize(
    "name",
    [
        "home.html",
        "listing-news-politics.html",
        "article-belarusian-troops.html",
        "article-recognition-dpr-lpr.html",
    ],
)
def test_the_real_samples_ticker_is_read_line_by_line(name: str) -> None:
    assert ticker_lines(page((SAMPLES / name).read_bytes())) == SAMPLE_TICKER


@pytest.mark.parametrize("fixture", load_fixtures(), ids=lambda f: f.name)
def test_every_fixture_page_shows_the_ticker_and_no_article_holds_it(fixture: Fixture) -> None:
    html, url = fixture.html(), fixture.url
    lines = ticker_lines(page(html, url))
    assert [line.text for line in lines] == [line.text for line in SAMPLE_TICKER]
    item = extract(page(html, url), LIVE_ROOT).item
    if item is None:
        return
    text = " ".join(str(value) for value in (item.title, item.summary, item.body, item.source))
    for line in lines:
        assert line.text not in text
        assert line.text.partition(": ")[2] not in text


def test_the_attribution_is_the_opening_that_names_a_source() -> None:
    assert {line: attribution(line) for line in LINES} == ATTRIBUTIONS


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Yemen: Sirens sound", None),
        ("Southern Lebanon: An Israeli drone strike", None),
        ("At 10:30 sirens sounded in Eilat", None),
        ('He said "we will respond": the minister', None),
        ("Hezbollah:", None),
        (": nothing before it", None),
        ("A very long opening that is clearly a sentence and not a source of anything: x", None),
        (
            "Iranian Foreign Ministry spokesperson: Talks go on: no date yet",
            "Iranian Foreign Ministry spokesperson",
        ),
    ],
)
def test_openings_that_name_no_source_have_no_attribution(line: str, expected: str | None) -> None:
    assert attribution(line) == expected


def test_text_is_normalised_entities_whitespace_and_repeats() -> None:
    body = (
        b'<html><body><div class="breaking-news"><span class="breaking-label">BREAKING</span>'
        b'<ul class="ticker"><li>\n Israeli&nbsp;media:\n\tSirens&#x27; sound  in <b>Eilat</b> </li>'
        b"<li>Israeli media: Sirens' sound in Eilat</li><li>  </li>"
        b"<li>Trump says &quot;soon&quot; &amp; more&#8203;</li></ul></div></body></html>"
    )
    assert ticker_lines(page(body)) == [
        TickerLine("Israeli media: Sirens' sound in Eilat", "Israeli media"),
        TickerLine('Trump says "soon" & more', None),
    ]


def test_a_page_without_a_ticker_has_no_lines() -> None:
    assert ticker_lines(page(b"<html><body><p>Israeli media: no ticker</p></body></html>")) == []


def test_the_loopback_ticker_changes_by_the_clock_it_is_given(fixture_site: FixtureSite) -> None:
    now = [0.0]
    ticker = Ticker(clock=lambda: now[0], period=60)
    with LoopbackServer(fixture_site, ticker=ticker) as server:
        seen = []
        for moment in (0.0, 59.0, 60.0, 600.0):
            now[0] = moment
            home = fetch(server.root, "/").body
            seen.append([line.text for line in ticker_lines(page(home, f"{server.root}/"))])
        article_path = urlsplit(WITH_ITEMS[0].url).path
        article = fetch(server.root, article_path).body
    assert seen[0] == seen[1] == list(ticker.shown(0)) == [LINES[3], LINES[2], LINES[1], LINES[0]]
    assert seen[2] == list(ticker.shown(1)) == [LINES[4], LINES[3], LINES[2], LINES[1]]
    assert seen[3] == list(ticker.shown(10)) == [LINES[3], LINES[2], LINES[1], LINES[0]]
    # every page shows the ticker of its moment
    article_lines = ticker_lines(page(article, f"{server.root}{article_path}"))
    assert [line.text for line in article_lines] == list(ticker.shown(10))
