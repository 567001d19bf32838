"""A site that cannot be reached at all ends the run at once, with one line that says why.

Without the network (no DNS, no route, a proxy that is needed and not set, a port nothing listens
on), every request of a run failed on its own: robots.txt, the home page and each section listing,
each retried three times at the polite pace, some thirty ERROR lines over more than a minute, and
a last line that named neither the host nor the cause. Here, when a request to the site's host
fails to resolve or connect before anything at all has answered in this run, the run stops (close
reason ``unreachable``): that request is not retried, the requests still waiting are not sent,
and ``scrapy crawl`` ends with ``run failed: cannot reach <host>: <cause>; check ...`` (the
``mayadeen/unreachable`` stat), exit status 1. A run that got an answer first (the network went
down midway) goes on as before: what it could not fetch is owed.

It also tells the run when the first answer came (``Run.site_answered``): a data
directory is bound to its site then (or at the close of a run that was not ``unreachable``), and an
unreachable run leaves no feed: nothing a later run would take for a quiet day.

Placed just inside the downloader stats (850), so it sees each response before any other
middleware can turn it into an exception, and each exception before the retries (550).
"""

from typing import Any, Final
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.core.downloader.handlers.http11 import TunnelError
from scrapy.crawler import Crawler
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadConnectionRefusedError,
    NotConfigured,
)
from scrapy.http import Response
from scrapy.utils.defer import deferred_from_coro
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.error import (
    ConnectError,
    ConnectionRefusedError,
    DNSLookupError,
    NoRouteError,
    TCPTimedOutError,
    TimeoutError,
)

from mayadeen.middlewares import AlreadyReported
from mayadeen.run import Run
from mayadeen.run.ledger import UNREACHABLE_STAT
from mayadeen.site.urls import site_root

CLOSE_REASON: Final = "unreachable"


class SiteUnreachable(AlreadyReported):
    """Not fetched: the site cannot be reached, and the run is stopping."""


def cause(error: BaseException) -> str | None:
    """What kept a request from reaching its host, when it never got a connection (None: it got
    one, or it failed otherwise: a timeout while downloading is a slow site, not a missing one).
    Scrapy 2.19's download handlers raise their own errors for the first two.

    >>> cause(CannotResolveHostError("site.invalid")), cause(DownloadConnectionRefusedError())
    ('its name does not resolve (DNS lookup failed)', 'connection refused')
    >>> cause(NoRouteError()), cause(TimeoutError()), cause(ValueError())
    ('no route to it (network unreachable)', None, None)
    """
    if isinstance(error, CannotResolveHostError | DNSLookupError):
        return "its name does not resolve (DNS lookup failed)"
    if isinstance(error, DownloadConnectionRefusedError | ConnectionRefusedError):
        return "connection refused"
    if isinstance(error, TCPTimedOutError):
        return "the connection timed out"
    if isinstance(error, NoRouteError):
        return "no route to it (network unreachable)"
    if isinstance(error, TunnelError):
        return f"the proxy could not open a tunnel to it ({error})"
    if isinstance(error, ConnectError) and not isinstance(error, TimeoutError):
        return str(error) or type(error).__name__
    return None


def unreachable_line(host: str, why: str, proxy: str | None) -> str:
    """The one line of a run that could not reach the site.

    >>> print(unreachable_line("site.invalid", "connection refused", None))  # doctest: +ELLIPSIS
    cannot reach site.invalid: connection refused; check ... network connection and DNS, or ...
    >>> print(unreachable_line("a.net", "connection refused", "http://p:3128"))  # doctest: +ELLIPSIS
    cannot reach a.net through the proxy http://p:3128: connection refused; check the proxy ...
    """
    if proxy:
        return (
            f"cannot reach {host} through the proxy {proxy}: {why}; check the proxy "
            "(https_proxy, http_proxy) and this machine's network connection"
        )
    return (
        f"cannot reach {host}: {why}; check this machine's network connection and DNS, or set "
        "https_proxy if it reaches the web through a proxy (or MAYADEEN_BASE_URL, if it is wrong)"
    )


class ReachabilityMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.site = urlsplit(site_root(crawler.settings["MAYADEEN_BASE_URL"])).netloc
        self.answered = False
        self.stopping: Any = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "ReachabilityMiddleware":
        if crawler.get_extension(Run) is None:  # not a run of the crawl (the canary's)
            raise NotConfigured
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        if self.stopping is not None:
            raise SiteUnreachable(f"not sent, the site cannot be reached: {request.url}")

    def process_response(self, request: Request, response: Response) -> Response:
        if not self.answered:
            self.answered = True
            Run.of(self.crawler).site_answered()
        return response

    def process_exception(self, request: Request, exception: Exception) -> None:
        if self.stopping is not None:
            raise SiteUnreachable(f"not fetched, the site cannot be reached: {request.url}")
        host = urlparse_cached(request).netloc
        why = cause(exception)
        if self.answered or host != self.site or why is None:
            return  # retried, or failed, as any other error
        self._stop(unreachable_line(host, why, request.meta.get("proxy")))
        raise SiteUnreachable(f"{request.url}: {why}")

    def _stop(self, line: str) -> None:
        assert self.crawler.stats is not None
        assert self.crawler.engine is not None
        self.crawler.stats.set_value(UNREACHABLE_STAT, line)
        for slot in self.crawler.engine.downloader.slots.values():  # not sent, not retried
            while slot.queue:
                request, queued = slot.queue.popleft()
                queued.errback(SiteUnreachable(f"not sent: {request.url}"))
        self.stopping = deferred_from_coro(
            self.crawler.engine.close_spider_async(reason=CLOSE_REASON)
        )
