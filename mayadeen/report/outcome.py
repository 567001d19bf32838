"""Whether a finished run failed, judged from its stats, so that cron and Scrapyd users notice.

A quiet day (nothing new, no trouble) is a success; a run that stored nothing while it was blocked
or hit errors, or that was stopped by blocks or interrupted, is not.
"""

from collections.abc import Mapping
from typing import Any, Final

from mayadeen.report.figures import plural
from mayadeen.report.health import SUCCESSFUL_CLOSE_REASONS, stored_something

HEALTH_FAILURES = "mayadeen/health/failed"
"""Stats key: the details of the health checks that failed (a list; empty when all passed)."""

COMMITTED: Final = ("mayadeen/items/new", "mayadeen/items/updated", "mayadeen/items/unchanged")
"""Stats keys: the articles whose writes the store committed (counted at the commit, so an
article scraped and then lost with its batch, to a full disk or a forced stop, is not)."""


def committed(stats: Mapping[str, Any]) -> int:
    """How many articles the run's store committed (not how many reached the pipelines).

    >>> committed({"item_scraped_count": 80, "mayadeen/items/new": 50, "mayadeen/items/updated": 9})
    59
    """
    return sum(int(stats.get(key, 0)) for key in COMMITTED)


def failure_reason(stats: Mapping[str, Any]) -> str | None:
    """One line saying why the run failed, or None when it did not: a close reason that is not a
    success, else the details of the failed health checks (``mayadeen.report.health``) that the
    run report recorded in ``mayadeen/health/failed``. Without that record (the report extension
    turned off), the one check that needs no history is made here.

    >>> failure_reason({"finish_reason": "finished", "item_scraped_count": 3})
    >>> failure_reason({"finish_reason": "finished"})  # a quiet day
    >>> failure_reason({"finish_reason": "finished", "log_count/ERROR": 2})
    'stored no article and hit 2 errors'
    >>> failure_reason({"finish_reason": "finished", HEALTH_FAILURES: ["a", "b"]})
    'a; b'
    >>> failure_reason({"finish_reason": "blocked", "mayadeen/blocks/total": 5,
    ...                 "item_scraped_count": 2, "mayadeen/items/new": 1})
    'stopped because the site blocked the crawl (5 blocked responses); 1 article stored'
    >>> failure_reason({"finish_reason": "unreachable", "mayadeen/unreachable": "cannot reach x"})
    'cannot reach x'
    """
    stored = committed(stats)
    blocks = stats.get("mayadeen/blocks/total", 0)
    reason = stats.get("finish_reason", "unknown")
    articles = plural(stored, "article") + " stored"
    if reason == "blocked":
        return (
            f"stopped because the site blocked the crawl ({blocks} blocked responses); {articles}"
        )
    if reason == "unreachable" and (line := stats.get("mayadeen/unreachable")):
        return str(line)  # which host, why, what to check (mayadeen.middlewares.reachability)
    if reason not in SUCCESSFUL_CLOSE_REASONS:
        return f"the crawl did not finish (close reason: {reason}); {articles}"
    failed = stats.get(HEALTH_FAILURES)
    if failed is None:
        check = stored_something(stats)
        failed = [check.detail] if check.status == "failed" else []
    return "; ".join(failed) or None
