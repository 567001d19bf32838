"""The loopback site's structure and page chrome, copied from the reconstructed samples.

The loopback site is an independent stand-in for english.almayadeen.net: it keeps its own copy of
the site's navigation instead of importing the crawler's site rules, so that tests of those rules
compare against something they did not produce.
"""

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from html import escape
from typing import Any
from zoneinfo import ZoneInfo

LIVE_ROOT = "https://english.almayadeen.net"
BEIRUT = ZoneInfo("Asia/Beirut")


@dataclass(frozen=True, slots=True)
class Section:
    """A navigation section: its path below the root and the names the site shows for it."""

    path: str
    nav_label: str
    display_name: str

    @property
    def content_type(self) -> str:
        return "news" if self.path.startswith("news/") else self.path.split("/", 1)[1]


NEWS_SECTIONS = (
    Section("news/politics", "Politics", "Politics"),
    Section("news/economics", "Economy", "Economy"),
    Section("news/sports", "Sports", "Sports"),
    Section("news/arts-culture", "Arts&Culture", "Arts & Culture"),
    Section("news/health", "Health", "Health"),
    Section("news/miscellaneous", "Miscellaneous", "Miscellaneous"),
    Section("news/technology", "Technology", "Technology"),
    Section("news/environment", "Environment", "Environment"),
)
ARTICLE_SECTIONS = (
    Section("articles/opinion", "Opinion", "Opinion"),
    Section("articles/analysis", "Analysis", "Analysis"),
    Section("articles/blog", "Blog", "Blog"),
    Section("articles/features", "Features", "Features"),
)
SECTIONS = NEWS_SECTIONS + ARTICLE_SECTIONS
SECTION_BY_PATH = {section.path: section for section in SECTIONS}
VIDEO_CATEGORIES = (
    ("newsfeed", "NewsFeed"),
    ("video-features", "Video Features"),
    ("explainers", "Explainers"),
    ("tv", "TV"),
    ("digital-series", "Digital Series"),
)
REGIONS = (
    ("africa", "Africa"),
    ("asia", "Asia"),
    ("asia-pacific", "Asia-Pacific"),
    ("europe", "Europe"),
    ("latin-america", "Latin America"),
    ("mena", "MENA"),
    ("palestine", "Palestine"),
    ("us---canada", "US & Canada"),
)
STATIC_PAGES = (
    ("privacy-policy", "Privacy Policy"),
    ("about-us", "About Us"),
    ("contact-us", "Contact Us"),
)
TICKER = (
    "Trump: Technical teams will meet again on Monday in Egypt to discuss and clarify the final details",
    "Local sources in Aleppo: Violent clashes erupt on the Deir Hafer and Tishrin Dam fronts",
    "Israeli media: Ben Gurion Airport's airspace closed to air traffic following missile launch from Yemen",
)
DISCLAIMER = (
    "The opinions mentioned in this article do not necessarily reflect the opinion of Al Mayadeen, "
    "but rather express the opinion of its writer exclusively."
)


def url(path: str) -> str:
    """Absolute live URL of a site path (the server rewrites the root when it serves)."""
    return f"{LIVE_ROOT}/{path.lstrip('/')}"


def listing_date(moment: datetime) -> str:
    """Date as listing cards show it: ``30 Sep 2025``."""
    local = moment.astimezone(BEIRUT)
    return f"{local.day} {local:%b %Y}"


def visible_datetime(moment: datetime) -> str:
    """Date and time as an article shows it: ``24 Feb 2022 14:05``."""
    local = moment.astimezone(BEIRUT)
    return f"{local.day} {local:%b %Y %H:%M}"


def cms_wall_time(moment: datetime) -> str:
    """The CMS's meta-tag format: Beirut wall time, seven fractional digits, no zone."""
    return f"{moment.astimezone(BEIRUT):%Y-%m-%dT%H:%M:%S}.0000000"


def iso(moment: datetime) -> str:
    """ISO-8601 in Beirut time with its offset, seconds precision."""
    return moment.astimezone(BEIRUT).isoformat(timespec="seconds")


def _links(items: Iterable[tuple[str, str]]) -> str:
    return "".join(f'<li><a href="{url(path)}">{escape(label)}</a></li>' for path, label in items)


def _header() -> str:
    news = _links((s.path, s.nav_label) for s in NEWS_SECTIONS)
    articles = _links((s.path, s.nav_label) for s in ARTICLE_SECTIONS)
    videos = _links((f"videos/{slug}", label) for slug, label in VIDEO_CATEGORIES)
    regions = _links((f"region/{slug}", label) for slug, label in REGIONS)
    ticker = "".join(f"<li>{escape(item)}</li>" for item in TICKER)
    dropdown = '<li class="nav-item dropdown"><a class="nav-link">{}</a><ul class="dropdown-menu">{}</ul></li>'
    return (
        f'<header class="site-header"><div class="top-bar"><a class="logo" href="{url("")}">'
        'Al Mayadeen English</a><ul class="lang-switch"><li><a href="https://www.almayadeen.net/">'
        'Ar</a></li><li><a href="https://espanol.almayadeen.net/">Es</a></li></ul></div>'
        '<nav class="main-nav"><ul class="navbar-nav">'
        + dropdown.format("News", news)
        + dropdown.format("Articles", articles)
        + dropdown.format("Videos", videos)
        + f'<li class="nav-item"><a class="nav-link" href="{url("infographs")}">Infographs</a></li>'
        f'<li class="nav-item"><a class="nav-link" href="{url("in-pictures")}">In Pictures</a></li>'
        f'<li class="nav-item live"><a href="{url("live")}">LIVE</a></li></ul>'
        f'<ul class="regions-nav">{regions}</ul></nav></header>'
        f'<div class="breaking-news"><span class="breaking-label">BREAKING</span>'
        f'<ul class="ticker">{ticker}</ul></div>'
    )


def _footer() -> str:
    links = _links([*STATIC_PAGES, ("authors", "Authors")])
    return (
        '<footer class="site-footer"><div class="footer_top_menu"><p class="footer-bottom-text">'
        "Al Mayadeen is an Arab Independent Media Satellite Channel.</p></div>"
        '<div class="footer_middle_menu"><span>All Rights Reserved</span></div>'
        f'<div class="footer_btm_row"><ul>{links}</ul></div></footer>'
    )


HEADER = _header()
FOOTER = _footer()


def document(title: str, head: str, body_class: str, main: str) -> str:
    """A whole page: head, the site header and ticker, ``main`` and the footer."""
    return (
        '<!DOCTYPE html>\n<html lang="en" dir="ltr">\n<head>\n<meta charset="utf-8">'
        f"<title>{escape(title)} | Al Mayadeen English</title>\n"
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'{head}</head>\n<body class="{body_class}">\n{HEADER}\n{main}\n{FOOTER}\n</body>\n</html>\n'
    )


def _script_json(data: Any) -> str:
    """JSON safe inside a ``<script>`` element (no ``</`` that would close it)."""
    return json.dumps(data, ensure_ascii=False, indent=2).replace("</", "<\\/")


def tawsiyat(data: dict[str, Any], broken: bool = False) -> str:
    """The CMS's ``text/tawsiyat`` block: pretty-printed JSON with CRLF line ends."""
    body = _script_json(data).replace("\n", "\r\n")
    if broken:  # cut mid-document, as a failed template render leaves it
        body = body[: len(body) // 2]
    return f'<script type="text/tawsiyat" id="tawsiyat-metadata">\r\n{body}\r\n</script>\n'
