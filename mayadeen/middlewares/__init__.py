"""Downloader middlewares: blocks and back-off, Retry-After, on-site redirects, browser rendering,
the BREAKING ticker of every page (``ticker``).

A middleware that drops a request for a reason it has already logged and counted raises
:class:`AlreadyReported` (an ``IgnoreRequest``), so the spider's errback can tell it from a failure.
"""

from scrapy.exceptions import IgnoreRequest


class AlreadyReported(IgnoreRequest):
    """A request dropped for a reason a middleware has already logged and counted."""


class GivenUp(AlreadyReported):
    """A request given up through ``mayadeen.signals.give_up``, which told the
    run's ledger already (a refused redirect, a request a shutdown cancelled)."""
