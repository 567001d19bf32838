"""When an article a run could not settle is requested again, and when it is given up as gone.

An article URL a run requested is *owed* until it is stored, quarantined, found a duplicate or not
an article (``mayadeen.store.ledger``). Each failed attempt pushes its next request back (doubling
from ``MAYADEEN_OWED_RETRY_HOURS``, at most ``MAYADEEN_OWED_RETRY_MAX_HOURS``); an answer of 404 or
410 on two attempts in a row confirms it gone. Pure rules: no crawler, no database.
"""

from datetime import datetime, timedelta
from typing import Final

OWED_META: Final = "owed"
"""Request meta: the request is for an article, owed in the store once it is scheduled until it
is settled (``mayadeen.run.ledger``); a redirect's next hop keeps it."""
GONE_STATUSES: Final = frozenset({404, 410})
GONE_AFTER: Final = 2
"""Consecutive 404/410 answers that confirm an article gone (one may be a publishing hiccup)."""

UNSETTLED: Final = "unsettled"
"""The reason of an owed URL that was requested and has no outcome yet (the run was stopped or
killed before it; a worker of a shared crawl died with it in flight)."""
NOT_ARCHIVED: Final = "not archived"
"""The reason of an owed URL whose article was stored while its page could not be archived (a
full archive disk): due again at once, so the next run fetches and archives it."""


def next_attempt(now: datetime, attempts: int, base: timedelta, cap: timedelta) -> datetime:
    """When to request an article again after ``attempts`` failed attempts.

    >>> start = datetime(2026, 11, 28, 12, 0)
    >>> [str(next_attempt(start, n, timedelta(hours=1), timedelta(days=7)) - start)
    ...  for n in (0, 1, 2, 4, 20)]
    ['0:00:00', '1:00:00', '2:00:00', '8:00:00', '7 days, 0:00:00']
    """
    if attempts <= 0:
        return now
    doublings: int = min(attempts - 1, 30)
    return now + min(base * (1 << doublings), cap)


def confirms_gone(status: int | None, gone_answers: int) -> bool:
    """Whether this answer, after ``gone_answers`` earlier 404/410 answers in a row, confirms
    the article gone.

    >>> confirms_gone(404, 0), confirms_gone(410, 1), confirms_gone(500, 1)
    (False, True, False)
    """
    return status in GONE_STATUSES and gone_answers + 1 >= GONE_AFTER


def counted_as(outcome: str, status: int | None) -> str:
    """The stats key of a failed attempt: ``gone`` (confirmed), ``not_found`` (a first 404/410:
    the site's answer, not a loss) or ``failed`` (on our side, or transient: it counts).

    >>> counted_as("gone", 404), counted_as("owed", 410), counted_as("owed", 503)
    ('gone', 'not_found', 'failed')
    """
    if outcome == "gone":
        return "gone"
    return "not_found" if status in GONE_STATUSES else "failed"
