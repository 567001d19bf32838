"""The spider arguments of the contract (``-a name=value``), checked before a run starts."""

from dataclasses import dataclass
from datetime import date
from urllib.parse import urljoin, urlsplit, urlunsplit

from mayadeen.pages.processors import unique
from mayadeen.site.navigation import listing_path
from mayadeen.site.urls import LIVE_HOSTS, LIVE_ROOT


class ArgumentError(ValueError):
    """A spider argument the crawl cannot run with; the message says which and why."""


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


def _sections(value: str | None) -> tuple[str, ...]:
    chosen = []
    for entry in (value or "").split(","):
        if not (path := entry.strip().strip("/")):
            continue
        if listing_path(f"{LIVE_ROOT}/{path}") != path:
            raise ArgumentError(
                f"sections: {entry.strip()!r} is not a section path such as news/politics or "
                "articles/opinion"
            )
        chosen.append(path)
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
