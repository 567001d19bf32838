"""The spider arguments of the contract (``-a name=value``), checked before a run starts."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from difflib import get_close_matches
from typing import Final
from urllib.parse import urljoin, urlsplit, urlunsplit

from mayadeen.pages.processors import unique
from mayadeen.site.navigation import SECTION_LISTINGS
from mayadeen.site.urls import LIVE_HOSTS, LIVE_ROOT, section_path
from mayadeen.site.webarchives import VIAS


class ArgumentError(ValueError):
    """A spider argument the crawl cannot run with; the message says which and why."""


SPIDER_ARGUMENTS: Final = {
    "urls": "comma-separated article URLs (or paths such as /news/politics/<slug>): fetch and "
    "parse exactly these, no discovery",
    "sections": "comma-separated section listings to limit discovery to, e.g. "
    "news/politics,articles/opinion",
    "since": "YYYY-MM-DD: skip articles published before this date (and older sitemaps)",
    "max_articles": "stop after this many articles were stored",
    "full": "1 to ignore the incremental state and fetch everything again",
    "via": "site (the default), wayback or commoncrawl: read the site's pages from a web archive",
}
"""The contract's spider arguments (``-a name=value``) and what each does."""
SCRAPY_SPIDER_ATTRIBUTES: Final = frozenset(
    {
        "user_agent",
        "download_delay",
        "download_timeout",
        "download_maxsize",
        "download_warnsize",
        "max_concurrent_requests",
        "http_user",
        "http_pass",
        "http_auth_domain",
        "handle_httpstatus_list",
        "handle_httpstatus_all",
        "custom_settings",
    }
)
"""Spider attributes Scrapy's own components read, which ``-a`` may set: they pass, as do names
starting with ``_`` (Scrapyd's ``_job`` and ``_version``)."""


def check_names(names: Iterable[str]) -> None:
    """Reject a ``-a`` name that is neither the spider's nor Scrapy's, listing the valid ones.

    >>> check_names(["since", "_job", "download_delay"])
    >>> check_names(["section"])
    Traceback (most recent call last):
    ...
    mayadeen.crawl.arguments.ArgumentError: unknown spider argument 'section' (did you mean \
sections?): the articles spider takes full, max_articles, sections, since, urls, via
    """
    for name in names:
        if name in SPIDER_ARGUMENTS or name in SCRAPY_SPIDER_ATTRIBUTES or name.startswith("_"):
            continue
        close = get_close_matches(name, SPIDER_ARGUMENTS, n=1)
        hint = f" (did you mean {close[0]}?)" if close else ""
        raise ArgumentError(
            f"unknown spider argument {name!r}{hint}: the articles spider takes "
            f"{', '.join(sorted(SPIDER_ARGUMENTS))}"
        )


@dataclass(frozen=True)
class Arguments:
    sections: tuple[str, ...] = ()
    """Section listings (``news/politics``) discovery is limited to; empty: all of them."""
    since: date | None = None
    max_articles: int | None = None
    full: bool = False


def parse_arguments(
    sections: str | None = None,
    since: str | None = None,
    max_articles: str | int | None = None,
    full: str | bool | None = None,
) -> Arguments:
    """Read the arguments as given on the command line.

    >>> parse_arguments(sections="news/politics, /articles/opinion/", since="2024-05-01",
    ...                 max_articles="50", full="1")  # doctest: +NORMALIZE_WHITESPACE
    Arguments(sections=('news/politics', 'articles/opinion'), since=datetime.date(2024, 5, 1),
              max_articles=50, full=True)
    >>> parse_arguments(since="1 May 2024")
    Traceback (most recent call last):
    ...
    mayadeen.crawl.arguments.ArgumentError: since: expected a date as YYYY-MM-DD, got '1 May 2024'
    """
    return Arguments(
        sections=_sections(sections),
        since=_since(since),
        max_articles=_max_articles(max_articles),
        full=_flag("full", full),
    )


def parse_via(value: str | None) -> str:
    """Where the pages are read: the site, or a web archive's captures.

    >>> parse_via(None), parse_via(" Wayback ")
    ('site', 'wayback')
    >>> parse_via("archive")
    Traceback (most recent call last):
    ...
    mayadeen.crawl.arguments.ArgumentError: via: 'archive' is not a source; use site, wayback or commoncrawl
    """
    chosen = (value or "site").strip().lower() or "site"
    if chosen not in VIAS:
        raise ArgumentError(
            f"via: {value!r} is not a source; use {', '.join(VIAS[:-1])} or {VIAS[-1]}"
        )
    return chosen


def _sections(value: str | None) -> tuple[str, ...]:
    """Known section listings, matched case-insensitively, in the site's spelling."""
    chosen = []
    for entry in (value or "").split(","):
        if not (path := entry.strip().strip("/")):
            continue
        listing = section_path(f"{LIVE_ROOT}/{path}")
        if path.count("/") != 1 or listing not in SECTION_LISTINGS:
            raise ArgumentError(
                f"sections: {entry.strip()!r} is not a section path of the site; use one or more of "
                f"{', '.join(SECTION_LISTINGS)}, separated by commas"
            )
        chosen.append(listing)
    return tuple(dict.fromkeys(chosen))


def _since(value: str | None) -> date | None:
    if value is None or not value.strip():
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise ArgumentError(f"since: expected a date as YYYY-MM-DD, got {value!r}") from None


def _max_articles(value: str | int | None) -> int | None:
    if value is None or str(value).strip() == "":
        return None
    text = str(value).strip()
    if not text.isdigit() or int(text) < 1:
        raise ArgumentError(f"max_articles: expected a positive whole number, got {value!r}")
    return int(text)


def _flag(name: str, value: str | bool | None) -> bool:
    """``1``/``true``/``yes`` or ``0``/``false``/``no`` (any case); absent is false."""
    if value is None or isinstance(value, bool):
        return bool(value)
    text = value.strip().lower()
    if text in {"1", "true", "yes", "on"}:
        return True
    if text in {"", "0", "false", "no", "off"}:
        return False
    raise ArgumentError(f"{name}: expected 1 or 0, got {value!r}")


def check_urls(argument: str | None, root: str) -> None:
    """Reject a ``urls`` argument with an entry that cannot be a page of the site (not a URL, or
    another host) or with no entry at all.

    >>> check_urls("/news/politics/a,https://english.almayadeen.net/articles/x", "http://h:1")
    >>> check_urls("garbage", "http://h:1")
    Traceback (most recent call last):
    ...
    mayadeen.crawl.arguments.ArgumentError: urls: 'garbage' is not a page of http://h:1 or \
https://english.almayadeen.net: give URLs such as https://english.almayadeen.net/news/politics/<slug> \
or paths such as /news/politics/<slug>, separated by commas
    """
    entries = [entry.strip() for entry in (argument or "").split(",") if entry.strip()]
    _, rejected = requested_urls(argument, root)
    bad = [e for e in entries if e in rejected or not e.startswith(("/", "http://", "https://"))]
    if bad or not entries:
        shown = repr(bad[0]) if bad else "(nothing)"
        raise ArgumentError(
            f"urls: {shown} is not a page of {root} or {LIVE_ROOT}: give URLs such as "
            f"{LIVE_ROOT}/news/politics/<slug> or paths such as /news/politics/<slug>, "
            "separated by commas"
        )


def requested_urls(argument: str | None, root: str) -> tuple[list[str], list[str]]:
    """The ``urls`` argument split into URLs to fetch on ``root`` and entries that are rejected.

    A path is taken relative to the root; a live-site URL is moved onto the root, so that the same
    list works against a copy of the site; any other host is rejected. A URL given twice is
    fetched once.

    >>> requested_urls("/news/politics/a, https://english.almayadeen.net/news/x/b?p=1,ftp://x/y,"
    ...                "/news/politics/a#top", "http://127.0.0.1:8123")
    (['http://127.0.0.1:8123/news/politics/a', 'http://127.0.0.1:8123/news/x/b?p=1'], ['ftp://x/y'])
    """
    accepted, rejected = [], []
    root_parts = urlsplit(root)
    for entry in (argument or "").split(","):
        if not (entry := entry.strip()):
            continue
        parts = urlsplit(urljoin(root + "/", entry))
        host = (parts.hostname or "").lower()
        if parts.scheme not in {"http", "https"} or (
            host not in LIVE_HOSTS and host != root_parts.hostname
        ):
            rejected.append(entry)
            continue
        accepted.append(urlunsplit((*root_parts[:2], parts.path or "/", parts.query, "")))
    return unique(accepted), rejected
