"""Scrapy's robots.txt middleware with its concurrency bug fixed.

In Scrapy 2.19, requests that arrive while robots.txt is still being fetched all wait on one
Deferred, and each waiter consumes its result: the first gets the parser, every later one gets
``None`` and is let through unchecked (scrapy/scrapy#6802 replaced a relaying callback with
``maybe_deferred_to_future``). A crawl's start requests arrive exactly then, so a disallowed section
listing was fetched. Here every waiter gets its own Deferred relaying the parser.

A URL robots.txt forbids fails with :class:`ForbiddenByRobots`, which names the fingerprint of
the robots.txt that forbade it: the run's ledger settles the URL as forbidden (never owed), and
later runs skip it while the site's robots.txt keeps that fingerprint
(``mayadeen.crawl.frontier``).

A robots.txt that cannot be fetched (no network, a DNS failure) is logged by Scrapy with the
exception's traceback; here it is the one line that names the error: the retry middleware has
already said which request failed and how often.
"""

import hashlib
import logging

from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response
from scrapy.robotstxt import RobotParser
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred

from mayadeen.middlewares import AlreadyReported


class ForbiddenByRobots(AlreadyReported):
    """robots.txt forbids the request; ``robots`` is that robots.txt's fingerprint."""

    def __init__(self, robots: str) -> None:
        super().__init__("Forbidden by robots.txt")
        self.robots = robots


def robots_fingerprint(body: bytes) -> str:
    """What robots.txt says, as a short hash: its lines without comments, blank lines and the
    spacing around them, so an edit of a comment is no change.

    >>> robots_fingerprint(b"User-agent: *\\nDisallow: /x # no\\n") == robots_fingerprint(
    ...     b"# ours\\n\\nUser-agent: *\\n  Disallow: /x\\n")
    True
    >>> robots_fingerprint(b"User-agent: *\\nDisallow: /x") == robots_fingerprint(b"User-agent: *")
    False
    """
    lines = (line.split(b"#", 1)[0].strip() for line in body.splitlines())
    return hashlib.sha256(b"\n".join(line for line in lines if line)).hexdigest()[:16]


class WithoutTraceback(logging.Filter):
    """Drops the traceback from the lines of Scrapy's robots.txt middleware (its "Error
    downloading" line is the only one with one); the line stays.

    >>> record = logging.LogRecord("x", logging.ERROR, "", 0, "Error downloading %s", ("a",), (1, 2, 3))
    >>> WithoutTraceback().filter(record), record.exc_info
    (True, None)
    """

    def filter(self, record: logging.LogRecord) -> bool:
        record.exc_info = None
        record.exc_text = None
        return True


logging.getLogger(RobotsTxtMiddleware.__module__).addFilter(WithoutTraceback())


class SharedRobotsTxtMiddleware(RobotsTxtMiddleware):
    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.fingerprints: dict[str, str] = {}
        """Host (``netloc``) → the fingerprint of its robots.txt, once read."""

    def process_request_2(self, rp: RobotParser | None, request: Request) -> None:
        try:
            super().process_request_2(rp, request)
        except IgnoreRequest:
            netloc = urlparse_cached(request).netloc
            raise ForbiddenByRobots(self.fingerprint(netloc) or "") from None

    def fingerprint(self, netloc: str) -> str | None:
        """The fingerprint of the robots.txt of ``netloc`` (None: not read, or unavailable)."""
        return self.fingerprints.get(netloc)

    async def _parse_robots(self, response: Response, netloc: str, request: Request) -> None:
        self.fingerprints[netloc] = robots_fingerprint(response.body)
        await super()._parse_robots(response, netloc, request)

    async def robot_parser(self, request: Request) -> RobotParser | None:
        pending = self._parsers.get(urlparse_cached(request).netloc)
        if not isinstance(pending, Deferred):
            return await super().robot_parser(request)
        waiter: Deferred[RobotParser | None] = Deferred()

        def relay(parser: RobotParser | None) -> RobotParser | None:
            waiter.callback(parser)
            return parser  # the next waiter gets it too

        pending.addCallback(relay)
        return await maybe_deferred_to_future(waiter)
