"""robots.txt, sitemaps (index and monthly, month not zero-padded) and the RSS feed."""

from collections.abc import Iterable
from email.utils import format_datetime
from html import escape

from mayadeen.loopback.anatomy import BEIRUT, LIVE_ROOT, iso, url
from mayadeen.loopback.catalog import Entry

SITEMAP_INDEX_PATH = "/sitemaps/all.xml"
SITEMAPS_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
DISALLOWED = ("/search", "/api/")


def robots_txt() -> str:
    disallow = "".join(f"Disallow: {path}\n" for path in DISALLOWED)
    return f"User-agent: *\n{disallow}Sitemap: {LIVE_ROOT}{SITEMAP_INDEX_PATH}\n"


def month_key(entry: Entry) -> tuple[int, int]:
    """(year, month) of an entry's publication in Beirut time."""
    local = entry.published.astimezone(BEIRUT)
    return local.year, local.month


def monthly_sitemap_path(year: int, month: int) -> str:
    """``/sitemaps/all/sitemap-2022-2.xml``: the month is not zero-padded.

    >>> monthly_sitemap_path(2022, 2)
    '/sitemaps/all/sitemap-2022-2.xml'
    """
    return f"/sitemaps/all/sitemap-{year}-{month}.xml"


def sitemap_index(months: Iterable[tuple[int, int]]) -> str:
    items = "".join(
        f"<sitemap><loc>{url(monthly_sitemap_path(y, m))}</loc></sitemap>" for y, m in months
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<sitemapindex xmlns="{SITEMAPS_NS}">{items}</sitemapindex>'
    )


def monthly_sitemap(entries: Iterable[Entry]) -> str:
    items = "".join(
        f"<url><loc>{escape(url(e.path))}</loc><lastmod>{iso(e.modified or e.published)}</lastmod></url>"
        for e in entries
    )
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="{SITEMAPS_NS}">{items}</urlset>'


def rss(entries: Iterable[Entry]) -> str:
    items = "".join(
        "<item>"
        f"<title>{escape(e.title)}</title><link>{escape(url(e.path))}</link>"
        f'<guid isPermaLink="true">{escape(url(e.path))}</guid>'
        f"<pubDate>{format_datetime(e.published)}</pubDate>"
        f"<description>{escape(e.summary)}</description>"
        "</item>"
        for e in entries
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>'
        f"<title>Al Mayadeen English</title><link>{LIVE_ROOT}/</link>"
        f"<description>Latest news from Al Mayadeen English</description>{items}"
        "</channel></rss>"
    )
