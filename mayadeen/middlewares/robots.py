"""Scrapy's robots.txt middleware with its concurrency bug fixed.

In Scrapy 2.19, requests that arrive while robots.txt is still being fetched all wait on one
Deferred, and each waiter consumes its result: the first gets the parser, every later one gets
``None`` and is let through unchecked (scrapy/scrapy#6802 replaced a relaying callback with
``maybe_deferred_to_future``). A crawl's start requests arrive exactly then, so a disallowed section
listing was fetched. Here every waiter gets its own Deferred relaying the parser.

A robots.txt that cannot be fetched (no network, a DNS failure) is logged by Scrapy with the
exception's traceback; here it is the one line that names the error: the retry middleware has
already said which request failed and how often.
"""

import logging

from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.http import Request
from scrapy.robotstxt import RobotParser
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred


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
