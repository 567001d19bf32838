"""What real pages showed (issue 15): post-id URLs, capitalised sections, unknown URL shapes judged
by the page, briefs, and the discovery details (feed links and times, card dates, <base href>,
robots.txt's Sitemap lines), read through the real code."""

from datetime import UTC, date, datetime
from typing import Any

import pytest
from protego import Protego
from scrapy.http import HtmlResponse, XmlResponse
from scrapy.robotstxt import ProtegoRobotParser

from mayadeen.crawl.arguments import ArgumentError, check_names, check_urls, parse_arguments
from mayadeen.crawl.frontier import Frontier
from mayadeen.loopback import GeneratedSite, load_fixtures
from mayadeen.loopback.shapes import SHARES
from mayadeen.pages import discovery
from mayadeen.pages.extract import extract
from mayadeen.site.urls import section_from_url, section_path, url_shape
from mayadeen.site.validity import problems

ROOT = "https://english.almayadeen.net"
FIXTURES = {f.name: f for f in load_fixtures()}


@pytest.mark.parametrize(
    ("path", "shape", "section"),
    [
        ("/news/politics/48213/some-slug", "article", "Politics"),
        ("/news/Economy/some-slug", "article", "Economy"),
        ("/news/ECONOMICS/some-slug", "article", "Economy"),
        ("/articles/Opinion/some-slug", "article", "Opinion"),
        ("/articles/some-slug", "unknown", None),
        ("/press/some-slug", "unknown", None),
        ("/news/politics", "listing", None),
        ("/videos/some-slug", "video", None),
        ("/sitemaps/all.xml", "page", None),
        ("/about-us", "page", None),
    ],
)
def test_url_shapes_and_sections(path: str, shape: str, section: str | None) -> None:
    assert url_shape(ROOT + path) == shape
    if shape == "article":
        assert section_from_url(ROOT + path) == section


def test_the_url_keeps_the_site_spelling_of_a_capitalised_section() -> None:
    fixture = FIXTURES["news-economy-capitalised"]
    item = extract(HtmlResponse(fixture.url, body=fixture.html()), ROOT).item
    assert item is not None
    assert (item.url, item.section) == (fixture.url, "Economy")
    assert section_path(item.url) == "news/economics"


@pytest.mark.parametrize(
    ("name", "kind"), [("articles-unknown-shape", "article"), ("programs-unknown-video", "video")]
)
def test_a_page_under_an_unknown_shape_is_what_it_says(name: str, kind: str) -> None:
    fixture = FIXTURES[name]
    assert url_shape(fixture.url) == "unknown"
    assert extract(HtmlResponse(fixture.url, body=fixture.html()), ROOT).kind == kind


@pytest.mark.parametrize(
    "name",
    ["news-brief-one-sentence", "news-brief-two-sentences", "articles-unknown-shape"],
)
def test_briefs_and_unknown_shape_articles_are_valid(name: str) -> None:
    fixture = FIXTURES[name]
    item = extract(HtmlResponse(fixture.url, body=fixture.html()), ROOT).item
    assert item is not None
    assert problems(item.__dict__, ROOT) == []


@pytest.mark.parametrize(
    ("body", "too_short"),
    [
        ("Loading...", True),
        ("Please wait while the article loads", True),
        ("Photo: Reuters", True),
        ("", False),  # missing:body says it
        ("Army reopens road. Traffic resumed at noon on Wednesday.", False),
        ("Lebanon's health ministry said on Monday that vaccination would resume.", False),
        (" ".join(["word"] * 25), False),  # long enough to be text without punctuation
    ],
)
def test_only_a_body_plainly_not_the_article_is_too_short(body: str, too_short: bool) -> None:
    values = {"body": body, "content_type": "news", "title": "T", "url": f"{ROOT}/news/x/y"}
    assert ("body:too_short" in problems(values, ROOT)) is too_short


# -- the frontier ------------------------------------------------------------------------------


def test_an_unknown_shape_is_fetched_once_and_a_remembered_non_article_not_again() -> None:
    unknown, remembered = f"{ROOT}/press/a", f"{ROOT}/programs/b"
    frontier = Frontier({}, non_articles={remembered: "video"}, now=datetime.now(UTC))
    first = frontier.consider(unknown)
    assert (first.reason, first.fetch) == ("new", True)
    assert frontier.consider(unknown).reason == "seen"
    assert frontier.consider(remembered).reason == "known_not_article"
    full = Frontier({}, full=True, non_articles={remembered: "video"}, now=datetime.now(UTC))
    assert full.consider(remembered).fetch, "full=1 fetches everything again"


def test_sections_match_a_capitalised_segment() -> None:
    frontier = Frontier({}, sections=("news/economics",), now=datetime.now(UTC))
    assert frontier.consider(f"{ROOT}/news/Economy/x").reason == "new"
    assert frontier.consider(f"{ROOT}/news/politics/x").reason == "section"


def test_a_card_older_than_since_prunes_the_request() -> None:
    frontier = Frontier({}, since=date(2024, 5, 1), now=datetime.now(UTC))
    assert frontier.consider(f"{ROOT}/news/politics/old", None, date(2024, 4, 30)).reason == "since"
    assert frontier.consider(f"{ROOT}/news/politics/new", None, date(2024, 5, 1)).fetch


# -- discovery ---------------------------------------------------------------------------------


def test_listing_cards_give_their_dates_and_base_href_is_honoured() -> None:
    body = (
        '<html><head><base href="https://english.almayadeen.net/news/"></head><body>'
        '<div class="news-card"><a href="politics/a-slug">A</a><span class="date">3 Nov 2021</span></div>'
        '<div class="news-card"><a href="/press/b-slug">B</a><span class="date">4 Nov 2021</span></div>'
        '<div class="news-card"><a href="/videos/c">C</a></div></body></html>'
    )
    page = discovery.read_listing(HtmlResponse(f"{ROOT}/", body=body.encode()), ROOT)
    assert page.articles == [f"{ROOT}/news/politics/a-slug", f"{ROOT}/press/b-slug"]
    assert page.card_dates == {
        f"{ROOT}/news/politics/a-slug": date(2021, 11, 3),
        f"{ROOT}/press/b-slug": date(2021, 11, 4),
    }


def test_feed_entries_are_alternate_links_with_their_times() -> None:
    atom = b"""<feed xmlns="http://www.w3.org/2005/Atom"><entry>
      <link rel="enclosure" href="https://english.almayadeen.net/Content/a.jpg"/>
      <link rel="alternate" href="https://english.almayadeen.net/news/politics/a"/>
      <updated>2024-05-02T10:00:00+03:00</updated></entry>
      <entry><link href="https://english.almayadeen.net/news/politics/b"/>
      <published>2024-05-01T09:00:00+03:00</published></entry></feed>"""
    rss = b"""<rss><channel><item><link>https://english.almayadeen.net/news/politics/c</link>
      <enclosure url="https://english.almayadeen.net/Content/c.jpg"/>
      <pubDate>Thu, 02 May 2024 07:00:00 GMT</pubDate></item></channel></rss>"""
    assert discovery.read_feed(XmlResponse(f"{ROOT}/atom", body=atom)) == [
        (f"{ROOT}/news/politics/a", "2024-05-02T10:00:00+03:00"),
        (f"{ROOT}/news/politics/b", "2024-05-01T09:00:00+03:00"),
    ]
    assert discovery.read_feed(XmlResponse(f"{ROOT}/rss", body=rss)) == [
        (f"{ROOT}/news/politics/c", "2024-05-02T07:00:00+00:00")
    ]


def test_robots_sitemaps_come_from_the_middleware_parser() -> None:
    parser: Any = ProtegoRobotParser.__new__(ProtegoRobotParser)
    parser.rp = Protego.parse(
        f"User-agent: *\nDisallow: /search\nSitemap: {ROOT}/sitemaps/all.xml\n"
    )
    assert discovery.robots_sitemaps(parser) == [f"{ROOT}/sitemaps/all.xml"]
    assert discovery.robots_sitemaps(None) == []


# -- arguments ---------------------------------------------------------------------------------


def test_section_arguments_are_matched_in_any_case_and_unknown_ones_rejected() -> None:
    assert parse_arguments(sections="News/Economy,articles/OPINION").sections == (
        "news/economics",
        "articles/opinion",
    )
    with pytest.raises(ArgumentError, match="'news/nonexistent' is not a section path of the site"):
        parse_arguments(sections="news/nonexistent")


def test_scrapyd_and_scrapy_arguments_pass() -> None:
    check_names(["_job", "_version", "download_delay", "user_agent", "urls", "full"])
    with pytest.raises(ArgumentError, match="did you mean max_articles"):
        check_names(["max_article"])


@pytest.mark.parametrize(
    "urls", ["garbage", "ftp://english.almayadeen.net/news/x/y", "https://example.com/news/x/y", ""]
)
def test_impossible_urls_are_rejected(urls: str) -> None:
    with pytest.raises(ArgumentError, match=r"^urls: "):
        check_urls(urls, "http://127.0.0.1:8123")


def test_the_generated_site_has_every_real_shape(small_site: GeneratedSite) -> None:
    taken = {shape for article in small_site.articles_by_index for shape in article.shapes}
    assert taken == set(SHARES)
    unknown = [a for a in small_site.articles_by_index if "unknown-path" in a.shapes]
    assert all(url_shape(ROOT + a.entry.path) == "unknown" for a in unknown)
    briefs = [a for a in small_site.articles_by_index if "brief" in a.shapes]
    assert all(len(a.body.split()) < 60 for a in briefs), "a sentence or two"


def test_with_sections_an_unknown_shape_on_a_chosen_listing_belongs_to_it() -> None:
    frontier = Frontier({}, sections=("articles/blog",), now=datetime.now(UTC))
    assert frontier.consider(f"{ROOT}/articles/x", in_section_listing=True).reason == "new"
    assert frontier.consider(f"{ROOT}/articles/y").reason == "section"


def test_a_url_pruned_by_since_is_not_fetched_from_a_later_dateless_link() -> None:
    frontier = Frontier({}, since=date(2024, 5, 1), now=datetime.now(UTC))
    old = f"{ROOT}/news/politics/old"
    assert frontier.consider(old, None, date(2024, 4, 2)).reason == "since"
    assert frontier.consider(old).reason == "since", "a related link states no date"
    assert frontier.consider(f"{ROOT}/news/politics/sitemap-old", "2024-04-01").reason == "since"
    assert frontier.consider(f"{ROOT}/news/politics/sitemap-old").reason == "since"


def test_every_project_setting_has_a_rule_checked_before_the_crawl() -> None:
    from mayadeen import settings as project
    from mayadeen.crawl.configuration import CHECKS

    assert {name for name in vars(project) if name.startswith("MAYADEEN_")} == set(CHECKS)
