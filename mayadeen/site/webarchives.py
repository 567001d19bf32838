"""Where the site's articles sit in the public web archives' indexes, and the archives' addresses.

The Wayback Machine and Common Crawl index captures by URL; a prefix query per article path
family finds the site's articles in them (``mayadeen.webarchives``). Which paths hold articles is a
site rule, so it is here, beside ``mayadeen.site.urls``.
"""

from typing import Final

from mayadeen.site.navigation import LISTING_ROOTS

ARCHIVE_VIAS: Final = ("wayback", "commoncrawl")
"""The web archives a crawl can read the site from; each is also the name of its own download
slot (its own pace, ``MAYADEEN_ARCHIVE_DELAY``)."""
VIAS: Final = ("site", *ARCHIVE_VIAS)
"""The sources a crawl can read the site from (``-a via=``): the site itself, or an archive."""

WAYBACK_URL: Final = "https://web.archive.org"
"""The Wayback Machine: its CDX API (``/cdx/search/cdx``) and its replays (``/web/<time>id_/<url>``)."""
COMMONCRAWL_INDEX_URL: Final = "https://index.commoncrawl.org"
"""Common Crawl's index server: ``collinfo.json`` lists the crawls, each with its CDX API."""
COMMONCRAWL_DATA_URL: Final = "https://data.commoncrawl.org"
"""Where Common Crawl's WARC files are read, a record at a time, with HTTP range requests."""

ARCHIVE_MIME: Final = "text/html"
"""Captures of article pages: HTML answered with status 200."""


def index_prefixes(sections: tuple[str, ...]) -> tuple[str, ...]:
    """The URL paths to ask an archive's index for: the chosen sections' paths, else each family
    of article paths (``/news/``, ``/articles/``).

    >>> index_prefixes(())
    ('/news/', '/articles/')
    >>> index_prefixes(("news/politics",))
    ('/news/politics/',)
    """
    if sections:
        return tuple(f"/{section}/" for section in sections)
    return tuple(f"/{root}/" for root in LISTING_ROOTS)
