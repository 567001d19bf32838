"""Whether a finished run failed, judged from its stats, so that cron and Scrapyd users notice.

A quiet day (nothing new, no trouble) is a success; a run that stored nothing while it was blocked
or hit errors, or that was stopped by blocks or interrupted, is not.
"""

from collections.abc import Mapping
from typing import Any

SUCCESSFUL_CLOSE_REASONS = frozenset({"finished", "max_articles"})


def failure_reason(stats: Mapping[str, Any]) -> str | None:
    """One line saying why the run failed, or None when it did not.

    >>> failure_reason({"finish_reason": "finished", "item_scraped_count": 3})
    >>> failure_reason({"finish_reason": "finished"})  # a quiet day
    >>> failure_reason({"finish_reason": "finished", "log_count/ERROR": 2})
    'stored no article and hit 2 errors'
    >>> failure_reason({"finish_reason": "blocked", "mayadeen/blocks/total": 5,
    ...                 "item_scraped_count": 1})
    'stopped because the site blocked the crawl (5 blocked responses); 1 article stored'
    """
    stored = stats.get("item_scraped_count", 0)
    blocks = stats.get("mayadeen/blocks/total", 0)
    errors = stats.get("log_count/ERROR", 0)
    reason = stats.get("finish_reason", "unknown")
    articles = _count(stored, "article") + " stored"
    if reason == "blocked":
        return (
            f"stopped because the site blocked the crawl ({blocks} blocked responses); {articles}"
        )
    if reason not in SUCCESSFUL_CLOSE_REASONS:
        return f"the crawl did not finish (close reason: {reason}); {articles}"
    if stored == 0 and (blocks or errors):
        trouble = [
            f"{blocks} blocked responses" if blocks else "",
            f"{errors} errors" if errors else "",
        ]
        return "stored no article and hit " + " and ".join(filter(None, trouble))
    return None


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"
