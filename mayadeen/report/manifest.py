"""The run manifest: one JSON file per run, ``<MAYADEEN_DATA_DIR>/runs/<run_id>.json``, with the
figures of the end-of-run summary in full (counts by discovery source, per-field sources and
coverage, quarantine reasons, duration, how the run ended and its health checks), and the run's
numeric Scrapy stats.

Manifests are also the memory of the health checks: a run's field coverage is compared with the
latest earlier manifest that counted enough article pages.
"""

import json
import logging
import os
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from mayadeen.report import figures
from mayadeen.report.figures import Stats
from mayadeen.report.health import Check
from mayadeen.store.files import open_nofollow

logger = logging.getLogger(__name__)
FORMAT_VERSION = 1


def build(
    stats: Stats,
    *,
    run_id: str,
    close_reason: str,
    now: datetime,
    checks: list[Check],
    failure: str | None,
    outputs: Mapping[str, Any],
) -> dict[str, Any]:
    """The manifest of a run that ended at ``now`` with ``close_reason``."""
    started = stats.get("start_time")
    return {
        "format": FORMAT_VERSION,
        "run_id": run_id,
        "started_at": started.isoformat(timespec="seconds") if started else None,
        "finished_at": now.isoformat(timespec="seconds"),
        "duration_seconds": figures.duration(stats, now),
        "close_reason": close_reason,
        "outcome": {
            "failed": failure is not None,
            "reason": failure,
            "exit_status": int(bool(failure)),
        },
        "health": [{"check": c.name, "status": c.status, "detail": c.detail} for c in checks],
        "articles": figures.articles(stats),
        "quarantine_reasons": figures.quarantine_reasons(stats),
        "owed": figures.owed(stats),
        "store_errors": figures.counter(stats, "mayadeen/store/errors"),
        "pages": figures.pages(stats),
        "discovery": figures.nested(figures.under(stats, "mayadeen/discovery/")),
        # URLs of a shape neither an article's nor a known non-article's, by first path segment
        # (a new URL family shows up here), and what their pages said they are.
        "unknown_shapes": figures.nested(figures.under(stats, "mayadeen/unknown_shapes/")),
        "fields": figures.fields(stats),
        # The article pages of each section and the fields each lacked: the coverage check
        # compares a field's coverage with earlier runs' section by section.
        "sections": figures.sections(stats),
        "archive": figures.under(stats, "mayadeen/archive/"),
        # Where the stored articles were read: the site, or a web archive (docs/web-archives.md).
        "origins": figures.origins(stats),
        "reextract": figures.nested(figures.under(stats, "mayadeen/reextract/")),
        "blocks": figures.counter(stats, "mayadeen/blocks/total"),
        # Requests dropped without a page to parse: redirects off the site or in a loop, requests
        # still waiting when a shutdown came (mayadeen/signals.py).
        "given_up": figures.under(stats, "mayadeen/given_up/"),
        # Discovery bounds reached: sitemap indexes too deep, listings paging on without news.
        "limits": figures.under(stats, "mayadeen/limits/"),
        "errors": figures.counter(stats, "log_count/ERROR"),
        "warnings": figures.counter(stats, "log_count/WARNING"),
        "outputs": dict(outputs),
        # Scrapy's stats, numbers only (those of the dump at the end of the log, as they stood
        # when the run was reported): a figure no section above names is read here, not off the log.
        "stats": figures.numeric(stats),
    }


def write(path: Path, manifest: Mapping[str, Any]) -> None:
    """Write the manifest to ``path`` whole or not at all (a reader never sees half a file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".json.partial")
    with open_nofollow(partial, "w") as out:  # os.replace then replaces a link, never follows it
        out.write(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
    os.replace(partial, path)


BASELINE_RUNS = 5
"""How many earlier runs a run's field coverage is compared with (their median)."""


def baselines(
    directory: Path, run_id: str, min_pages: int, count: int = BASELINE_RUNS
) -> list[dict[str, Any]]:
    """The latest ``count`` manifests of runs before ``run_id`` with at least ``min_pages``
    article pages that did not fail, newest first (a failed run is never a baseline: its figures
    may be what failed it). Unreadable manifests are skipped with a warning, never fatal."""
    if not directory.is_dir():
        return []
    found: list[dict[str, Any]] = []
    earlier = sorted((p for p in directory.glob("*.json") if p.stem < run_id), reverse=True)
    for path in earlier:
        try:
            manifest: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            logger.warning("skipping unreadable run manifest %s: %s", path, error)
            continue
        article_pages = manifest.get("pages", {}).get("by_kind", {}).get("article", 0)
        if article_pages >= min_pages and not manifest.get("outcome", {}).get("failed"):
            found.append(manifest)
            if len(found) == count:
                break
    return found
