"""A few given pages fetched through the project's own downloader: the same settings, User-Agent,
robots.txt, politeness, retries, block detection and redirect rules as ``scrapy crawl articles``,
with no discovery, no pipelines and nothing stored.

Pages are named by their live URL and fetched from ``MAYADEEN_BASE_URL``, so the same list works
against the live site and against a copy of it (the loopback site).
"""

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import Any

import scrapy
from scrapy.crawler import CrawlerProcessBase
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadConnectionRefusedError,
    DownloadTimeoutError,
    IgnoreRequest,
)
from scrapy.http import Response, TextResponse
from scrapy.settings import BaseSettings
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet.error import ConnectionRefusedError, DNSLookupError, TimeoutError
from twisted.python.failure import Failure

from mayadeen.crawl.arguments import requested_urls
from mayadeen.middlewares.blocks import Blocked, ContentlessPage, CrawlStopped
from mayadeen.middlewares.redirects import OffsiteRedirect, RedirectLoop
from mayadeen.run import Run
from mayadeen.site.urls import LIVE_ROOT

_STATUS_NAMES = {404: "not found", 410: "gone", 401: "unauthorized", 451: "unavailable"}


@dataclass
class Fetched:
    """What came back for one page: a text response, or why there is none."""

    url: str
    """The URL requested, on the crawled root."""
    response: TextResponse | None = None
    failure: str | None = None


def on_root(live_url: str, root: str) -> str | None:
    """A live-site URL (or a path) moved onto ``root``, as the ``urls`` spider argument does;
    None for a URL of another host.

    >>> on_root("https://english.almayadeen.net/news/politics/a:b", "http://127.0.0.1:8123")
    'http://127.0.0.1:8123/news/politics/a:b'
    >>> on_root("https://example.com/x", "http://127.0.0.1:8123") is None
    True
    """
    accepted, _rejected = requested_urls(live_url.replace(",", "%2C"), root)
    return accepted[0] if accepted else None


def to_live(text: str, root: str) -> str:
    """URLs on ``root`` written as the live site's again (the inverse of the loopback server's
    rewriting); unchanged when ``root`` is the live site.

    >>> to_live("http://127.0.0.1:8123/news/x", "http://127.0.0.1:8123")
    'https://english.almayadeen.net/news/x'
    """
    if root == LIVE_ROOT:
        return text
    escaped_root, escaped_live = root.replace("/", "\\/"), LIVE_ROOT.replace("/", "\\/")
    return text.replace(root, LIVE_ROOT).replace(escaped_root, escaped_live)


def why_not_fetched(error: BaseException, timeout: float) -> str:
    """What a user needs to know about a page that did not come back, in a few words."""
    if isinstance(error, HttpError):
        status = error.response.status
        name = _STATUS_NAMES.get(status) or ("server error" if status >= 500 else "")
        return f"HTTP {status}" + (f" ({name})" if name else "")
    if isinstance(error, Blocked):
        return f"blocked: {error}"
    if isinstance(error, ContentlessPage):
        return "the page has no article markup (content written by JavaScript?)"
    if isinstance(error, CrawlStopped):
        return "not sent: the site had blocked the requests before it"
    if isinstance(error, OffsiteRedirect | RedirectLoop):
        return str(error)
    if isinstance(error, DownloadTimeoutError | TimeoutError):
        return f"timeout: no response within {timeout:g} s (DOWNLOAD_TIMEOUT), retries included"
    if isinstance(error, CannotResolveHostError | DNSLookupError):
        return f"DNS lookup failed: {error}"
    if isinstance(error, DownloadConnectionRefusedError | ConnectionRefusedError):
        return "connection refused"
    if isinstance(error, IgnoreRequest) and "robots.txt" in str(error):
        return "forbidden by robots.txt"
    return str(error) or type(error).__name__


class PageFetcher(scrapy.Spider):
    """Requests exactly the given URLs once each and keeps what came back in ``results``."""

    name = "mayadeen-pages"

    @classmethod
    def update_settings(cls, settings: BaseSettings) -> None:
        super().update_settings(settings)
        for name in ("ITEM_PIPELINES", "FEEDS"):  # nothing is stored or exported
            settings.set(name, {}, priority="spider")
        # Nor is it a run of the crawl: no run recorded, no per-run feeds, no run manifest, no
        # health checks.
        run = f"{Run.__module__}.{Run.__qualname__}"
        extensions = {**settings.getdict("EXTENSIONS"), run: None}
        settings.set("EXTENSIONS", extensions, priority="spider")

    def __init__(
        self, urls: Sequence[str] = (), results: dict[str, Fetched] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.urls = list(urls)
        self.results = results if results is not None else {}

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for url in self.urls:
            yield scrapy.Request(
                url,
                callback=self.fetched,
                errback=self.failed,
                dont_filter=True,
                cb_kwargs={"requested": url},
            )

    def fetched(self, response: Response, requested: str) -> None:
        if isinstance(response, TextResponse):
            self.results[requested] = Fetched(requested, response)
        else:
            kind = (response.headers.get("Content-Type") or b"no Content-Type").decode("latin-1")
            self.results[requested] = Fetched(requested, failure=f"not a text page ({kind})")

    def failed(self, failure: Failure) -> None:
        request = failure.request  # type: ignore[attr-defined]
        timeout = self.settings.getfloat("DOWNLOAD_TIMEOUT")
        requested = request.cb_kwargs["requested"]
        error = failure.value or Exception(failure.getErrorMessage())
        self.results[requested] = Fetched(requested, failure=why_not_fetched(error, timeout))


def fetch_pages(
    process: CrawlerProcessBase,
    urls: Sequence[str],
    fetcher: type[PageFetcher] = PageFetcher,
    **arguments: Any,
) -> dict[str, Fetched]:
    """Fetch ``urls`` (on the crawled root) in one small crawl of ``fetcher`` (given
    ``arguments``); one result per URL. ``mayadeen.drift.wayback.page_fetcher`` names the
    fetcher of the newest Wayback captures instead, whose ``sample`` more recent articles' results
    follow, by the article's URL.

    A URL that neither came back nor failed (a middleware dropped it without an error) gets a
    failure saying so, rather than no result.
    """
    results: dict[str, Fetched] = {}
    process.crawl(fetcher, urls=urls, results=results, **arguments)
    process.start()
    for url in urls:
        results.setdefault(url, Fetched(url, failure="no response and no error (see the log)"))
    return results
