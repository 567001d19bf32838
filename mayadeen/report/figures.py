"""A run's figures, read off its Scrapy stats: what the progress line, the end-of-run summary, the
run manifest and the health checks all report, so the four never disagree.

Pure functions of a stats mapping (the keys the spider, the middlewares, the pipelines and
``mayadeen.pages.extract.count`` increment); nothing here needs a running crawler.
"""

from collections.abc import Mapping
from datetime import datetime
from typing import Any

Stats = Mapping[str, Any]

VERDICTS = ("new", "updated", "unchanged")
QUARANTINE_TOTAL = "items"
"""``mayadeen/quarantine/items`` counts quarantined items; its other keys count reasons."""
MISSING = "missing"
"""The source name ``mayadeen.pages.extract`` records for a field no source gave."""


def counter(stats: Stats, key: str) -> int:
    """A counter, 0 when it never happened.

    >>> counter({"mayadeen/items/new": 3}, "mayadeen/items/new"), counter({}, "x")
    (3, 0)
    """
    return int(stats.get(key, 0) or 0)


def under(stats: Stats, prefix: str) -> dict[str, int]:
    """Every counter below ``prefix`` by the rest of its key, sorted.

    >>> under({"mayadeen/pages/article": 5, "mayadeen/pages/video": 1, "x": 2}, "mayadeen/pages/")
    {'article': 5, 'video': 1}
    """
    return {
        key[len(prefix) :]: int(value)
        for key, value in sorted(stats.items())
        if key.startswith(prefix) and isinstance(value, int)
    }


def nested(counts: Mapping[str, int]) -> dict[str, dict[str, int]]:
    """``{"a/b": n}`` → ``{"a": {"b": n}}``, splitting at the first ``/``.

    >>> nested({"home/new": 3, "home/known": 1, "rss/failed": 1})
    {'home': {'new': 3, 'known': 1}, 'rss': {'failed': 1}}
    """
    grouped: dict[str, dict[str, int]] = {}
    for key, value in counts.items():
        head, _, rest = key.partition("/")
        grouped.setdefault(head, {})[rest] = value
    return grouped


def numeric(stats: Stats) -> dict[str, int | float]:
    """Every number among the stats, by key, sorted: Scrapy's and the project's counters in full,
    for what the sections of the manifest do not name (times, lists and texts left out).

    >>> numeric({"retry/count": 2, "start_time": datetime(2026, 11, 21), "memusage/max": 1.5,
    ...          "mayadeen/health/failed": [], "finish_reason": "finished", "flag": True})
    {'memusage/max': 1.5, 'retry/count': 2}
    """
    return {
        key: value
        for key, value in sorted(stats.items())
        if isinstance(value, int | float) and not isinstance(value, bool)
    }


def articles(stats: Stats) -> dict[str, int]:
    """Articles by what became of them in this run.

    >>> articles({"mayadeen/items/new": 4, "mayadeen/quarantine/items": 1})
    {'new': 4, 'updated': 0, 'unchanged': 0, 'quarantined': 1, 'duplicates': 0}
    """
    figures = {verdict: counter(stats, f"mayadeen/items/{verdict}") for verdict in VERDICTS}
    figures["quarantined"] = counter(stats, f"mayadeen/quarantine/{QUARANTINE_TOTAL}")
    figures["duplicates"] = sum(under(stats, "mayadeen/duplicates/").values())
    return figures


def quarantine_reasons(stats: Stats) -> dict[str, int]:
    """Quarantine reason → how many quarantined items had it.

    >>> quarantine_reasons({"mayadeen/quarantine/items": 2, "mayadeen/quarantine/missing:title": 2})
    {'missing:title': 2}
    """
    reasons = under(stats, "mayadeen/quarantine/")
    reasons.pop(QUARANTINE_TOTAL, None)
    return reasons


def owed(stats: Stats) -> dict[str, Any]:
    """Articles the run could not settle, owed to later runs (``mayadeen.crawl.owed``): attempts
    failed in this run (on our side or transiently), answered 404/410 (owed once more, to confirm),
    confirmed gone, forbidden by robots.txt (settled, not owed), owed by earlier runs and settled
    now, outstanding after the run, and this run's failed attempts by reason.

    >>> owed({"mayadeen/owed/failed": 2, "mayadeen/owed/reasons/HTTP 500": 2,
    ...       "mayadeen/owed/outstanding": 5})["reasons"]
    {'HTTP 500': 2}
    """
    return {
        "failed": counter(stats, "mayadeen/owed/failed"),
        "not_found": counter(stats, "mayadeen/owed/not_found"),
        "gone": counter(stats, "mayadeen/owed/gone"),
        "forbidden": counter(stats, "mayadeen/owed/forbidden"),
        "settled": counter(stats, "mayadeen/owed/settled"),
        "outstanding": counter(stats, "mayadeen/owed/outstanding"),
        "reasons": under(stats, "mayadeen/owed/reasons/"),
    }


def fields(stats: Stats) -> dict[str, dict[str, Any]]:
    """Per field: how many article pages took it from each source, and its coverage (the share of
    those pages where some source gave it), or None when no article page was extracted.

    >>> fields({"mayadeen/field/image/meta": 3, "mayadeen/field/image/missing": 1})
    {'image': {'sources': {'meta': 3, 'missing': 1}, 'coverage': 0.75}}
    """
    report: dict[str, dict[str, Any]] = {}
    for name, sources in nested(under(stats, "mayadeen/field/")).items():
        pages = sum(sources.values())
        found = pages - sources.get(MISSING, 0)
        report[name] = {"sources": sources, "coverage": round(found / pages, 4) if pages else None}
    return report


def sections(stats: Stats) -> dict[str, dict[str, Any]]:
    """Per section of the articles (``(none)`` for those without one): its article pages, and
    per field how many of them no source gave it (``mayadeen.pages.extract.count``); the strata
    the coverage check compares runs by (``mayadeen.report.strata``).

    >>> sections({"mayadeen/sections/Politics/pages": 4,
    ...           "mayadeen/sections/Politics/missing/source": 1})
    {'Politics': {'pages': 4, 'missing': {'source': 1}}}
    """
    report: dict[str, dict[str, Any]] = {}
    for section, counts in nested(under(stats, "mayadeen/sections/")).items():
        missing = {k.removeprefix("missing/"): n for k, n in counts.items() if k != "pages"}
        report[section] = {"pages": counts.get("pages", 0), "missing": missing}
    return report


def pages(stats: Stats) -> dict[str, Any]:
    """Requests and responses, responses by status, and pages by kind."""
    return {
        "requests": counter(stats, "downloader/request_count"),
        "responses": counter(stats, "response_received_count"),
        "by_status": under(stats, "downloader/response_status_count/"),
        "by_kind": under(stats, "mayadeen/pages/"),
        "retries": counter(stats, "retry/count"),
        "ignored": counter(stats, "httperror/response_ignored_count"),
    }


def duration(stats: Stats, now: datetime | None = None) -> float | None:
    """Seconds from ``start_time`` to ``finish_time`` (or ``now``), None before the start.

    >>> from datetime import UTC
    >>> duration({"start_time": datetime(2026, 11, 21, 10, 0, tzinfo=UTC),
    ...           "finish_time": datetime(2026, 11, 21, 10, 2, 3, 500000, tzinfo=UTC)})
    123.5
    """
    started, finished = stats.get("start_time"), stats.get("finish_time") or now
    if not isinstance(started, datetime) or not isinstance(finished, datetime):
        return None
    return round((finished - started).total_seconds(), 3)


def per_minute(count: int, seconds: float | None) -> float:
    """A rate per minute, 0 before any time has passed.

    >>> per_minute(150, 60.0), per_minute(5, 0), per_minute(5, None)
    (150.0, 0.0, 0.0)
    """
    return round(count * 60 / seconds, 1) if seconds else 0.0


def plural(number: int, noun: str) -> str:
    """
    >>> plural(1, "article"), plural(2, "blocked response")
    ('1 article', '2 blocked responses')
    """
    return f"{number} {noun}{'' if number == 1 else 's'}"


def origins(stats: Stats) -> dict[str, Any]:
    """The stored articles by where their bytes came from (``site``, ``wayback``,
    ``commoncrawl``), Common Crawl's crawls, and the oldest and newest archive capture.

    >>> origins({"mayadeen/origins/wayback": 3, "mayadeen/origin_captured/oldest": "2024-01-01"})
    {'wayback': 3, 'collections': {}, 'captured': {'oldest': '2024-01-01', 'newest': None}}
    """
    return {
        **under(stats, "mayadeen/origins/"),
        "collections": under(stats, "mayadeen/origin_collections/"),
        "captured": {
            "oldest": stats.get("mayadeen/origin_captured/oldest"),
            "newest": stats.get("mayadeen/origin_captured/newest"),
        },
    }
