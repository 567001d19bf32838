"""The run's log lines for people: the progress line while crawling and the summary at the end."""

from collections.abc import Mapping
from typing import Any

from mayadeen.report import figures
from mayadeen.report.figures import Stats


def progress(stats: Stats, pages_per_minute: float) -> str:
    """The periodic progress line.

    >>> progress({"response_received_count": 1200, "mayadeen/items/new": 300,
    ...           "mayadeen/items/updated": 4, "mayadeen/quarantine/items": 2}, 96.0)
    'progress: 1200 pages (96/min); articles 300 new, 4 updated, 0 unchanged; 2 quarantined, 0 blocked'
    """
    counts = figures.articles(stats)
    return (
        f"progress: {figures.counter(stats, 'response_received_count')} pages "
        f"({pages_per_minute:.0f}/min); articles {counts['new']} new, {counts['updated']} updated, "
        f"{counts['unchanged']} unchanged; {counts['quarantined']} quarantined, "
        f"{figures.counter(stats, 'mayadeen/blocks/total')} blocked"
    )


def summary(manifest: Mapping[str, Any], path: str) -> list[str]:
    """The end-of-run summary: a few lines, the manifest's figures in brief.

    >>> manifest = {"run_id": "R", "close_reason": "finished", "duration_seconds": 125.0,
    ...     "pages": {"responses": 250}, "articles": {"new": 3, "updated": 1, "unchanged": 0,
    ...     "quarantined": 1, "duplicates": 0}, "quarantine_reasons": {"missing:title": 1},
    ...     "blocks": 0, "errors": 0, "outcome": {"reason": None},
    ...     "owed": {"failed": 2, "not_found": 1, "gone": 0, "forbidden": 1, "settled": 1,
    ...              "outstanding": 3},
    ...     "health": [{"check": "articles", "status": "ok", "detail": "4 stored"}]}
    >>> print("\\n".join(summary(manifest, "data/runs/R.json")))  # doctest: +NORMALIZE_WHITESPACE
    run R finished in 2m05s: 250 pages (120/min); articles 3 new, 1 updated, 0 unchanged, 0 duplicates
    quarantined 1 (missing:title 1); 0 blocked; 0 errors
    owed: 2 failed in this run, 1 not found (404/410), 0 gone, 1 forbidden by robots.txt,
        1 settled from earlier runs, 3 outstanding
    health: articles ok
    outcome: success; manifest data/runs/R.json
    """
    seconds = manifest.get("duration_seconds") or 0.0
    responses = manifest["pages"]["responses"]
    counts = manifest["articles"]
    reasons = ", ".join(f"{r} {n}" for r, n in manifest["quarantine_reasons"].items())
    failure = manifest["outcome"]["reason"]
    return [
        f"run {manifest['run_id']} {manifest['close_reason']} in {duration_text(seconds)}: "
        f"{responses} pages ({figures.per_minute(responses, seconds):.0f}/min); "
        f"articles {counts['new']} new, {counts['updated']} updated, {counts['unchanged']} "
        f"unchanged, {counts['duplicates']} duplicates",
        f"quarantined {counts['quarantined']}{f' ({reasons})' if reasons else ''}; "
        f"{manifest['blocks']} blocked; {manifest['errors']} errors{_given_up(manifest)}",
        _owed(manifest.get("owed") or {}),
        "health: " + "; ".join(_check(check) for check in manifest["health"]),
        f"outcome: {f'FAILED, {failure}' if failure else 'success'}; manifest {path}",
    ]


def _owed(owed: Mapping[str, Any]) -> str:
    return (
        f"owed: {owed.get('failed', 0)} failed in this run, "
        f"{owed.get('not_found', 0)} not found (404/410), {owed.get('gone', 0)} gone, "
        f"{owed.get('forbidden', 0)} forbidden by robots.txt, "
        f"{owed.get('settled', 0)} settled from earlier runs, "
        f"{owed.get('outstanding', 0)} outstanding"
    )


def _given_up(manifest: Mapping[str, Any]) -> str:
    """The requests given up, by reason, when there were any.

    >>> _given_up({"given_up": {"redirect_loop": 2, "shutdown": 1}}), _given_up({"given_up": {}})
    ('; 3 given up (redirect_loop 2, shutdown 1)', '')
    """
    given_up: Mapping[str, int] = manifest.get("given_up") or {}
    if not (total := sum(given_up.values())):
        return ""
    return f"; {total} given up ({', '.join(f'{r} {n}' for r, n in given_up.items())})"


def _check(check: Mapping[str, str]) -> str:
    if check["status"] == "failed":
        return f"{check['check']} FAILED ({check['detail']})"
    return f"{check['check']} {check['status']}"


def duration_text(seconds: float) -> str:
    """
    >>> duration_text(59.4), duration_text(125), duration_text(3725)
    ('59s', '2m05s', '1h02m05s')
    """
    minutes, secs = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    if hours:
        return f"{hours}h{minutes:02d}m{secs:02d}s"
    return f"{minutes}m{secs:02d}s" if minutes else f"{secs}s"
