"""What ``scrapy report`` shows, read from a data directory: each run from the store's ``runs``
table with its manifest's figures (``runs/<run_id>.json``), articles per day by section, field
coverage per run, and the most frequent tags and authors. Plain data; ``report.page`` draws it.

The store is the authority on what a run committed (new, updated, unchanged, quarantined); the
manifest adds what only it knows (pages, quarantine reasons, blocks, duration, outcome, fields).
A run without a manifest (still running, killed, or a canary) keeps its store figures alone.
"""

import json
import logging
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from mayadeen.report import breaking, edits
from mayadeen.report.breaking import Breaking
from mayadeen.report.edits import Edits

logger = logging.getLogger(__name__)
STOPPED_BY = ("blocked", "unreachable")
"""Close reasons that say in one word why a failed run stopped (``mayadeen.report.outcome``)."""


@dataclass(frozen=True)
class RunFigures:
    run_id: str
    started_at: str
    finished_at: str | None
    close_reason: str | None
    new: int
    updated: int
    unchanged: int
    quarantined: int
    pages: int | None = None
    quarantine_reasons: dict[str, int] = field(default_factory=dict)
    blocks: int | None = None
    duration_seconds: float | None = None
    failure: str | None = None
    manifest: str | None = None
    coverage: dict[str, float | None] = field(default_factory=dict)
    field_pages: int = 0
    """The article pages the coverage was counted on (how much a share can be trusted)."""
    field_figures: dict[str, Any] = field(default_factory=dict)
    """The manifest's ``fields`` and ``sections``: each field's coverage section by section
    (``mayadeen.report.strata``)."""

    @property
    def outcome(self) -> str:
        """``success``, ``failed``, ``running`` (no finish yet) or ``unknown`` (no manifest).

        >>> RunFigures("R", "t", None, None, 0, 0, 0, 0).outcome
        'running'
        >>> RunFigures("R", "t", "u", "finished", 0, 0, 0, 0, manifest="m").outcome
        'success'
        """
        if self.finished_at is None:
            return "running"
        if self.manifest is None:
            return "unknown"
        return "failed" if self.failure else "success"

    @property
    def failed_as(self) -> str | None:
        """How a failed run is labelled in the charts: ``blocked`` or ``unreachable`` when that
        stopped it, else ``failed``; None for a run that did not fail.

        >>> RunFigures("R", "t", "u", "blocked", 0, 0, 0, 0, failure="x", manifest="m").failed_as
        'blocked'
        >>> RunFigures("R", "t", "u", "finished", 0, 0, 0, 0, failure="x", manifest="m").failed_as
        'failed'
        """
        if self.outcome != "failed":
            return None
        return self.close_reason if self.close_reason in STOPPED_BY else "failed"


@dataclass(frozen=True)
class History:
    runs: list[RunFigures]
    """Oldest first."""
    per_day: dict[str, dict[str, int]]
    """Publication day (in the article's own offset) → section → articles; the last ``days``."""
    tags: list[tuple[str, int]]
    authors: list[tuple[str, int]]
    articles: int
    edits: Edits
    breaking: Breaking


def read(
    store: sqlite3.Connection, runs_dir: Path, *, last_runs: int, days: int, top: int
) -> History:
    """Everything the report shows, from an open store and the manifests' directory."""
    rows = store.execute(
        "SELECT run_id, started_at, finished_at, close_reason, items_new, items_updated, "
        "items_unchanged, quarantined FROM runs ORDER BY run_id DESC LIMIT ?",
        (last_runs,),
    ).fetchall()
    runs = [_with_manifest(RunFigures(*row), runs_dir) for row in reversed(rows)]
    return History(
        runs=runs,
        per_day=per_day(store, days),
        tags=_top(store, "SELECT tag, count(*) FROM article_tags GROUP BY tag COLLATE NOCASE", top),
        authors=_top(
            store,
            "SELECT value, count(*) FROM articles, json_each(articles.authors) GROUP BY value",
            top,
        ),
        articles=store.execute("SELECT count(*) FROM articles").fetchone()[0],
        edits=edits.read(store, top),
        breaking=breaking.read(store, days),
    )


def per_day(store: sqlite3.Connection, days: int) -> dict[str, dict[str, int]]:
    """Articles per publication day and section over the ``days`` days up to the latest one."""
    latest = store.execute("SELECT max(substr(published_at, 1, 10)) FROM articles").fetchone()[0]
    if latest is None:
        return {}
    counts: dict[str, dict[str, int]] = {}
    for day, section, count in store.execute(
        "SELECT substr(published_at, 1, 10) AS day, coalesce(section, '(none)'), count(*) "
        "FROM articles WHERE day > date(?, ?) GROUP BY 1, 2 ORDER BY 1, 2",
        (latest, f"-{days} days"),
    ):
        counts.setdefault(day, {})[section] = count
    return counts


def _top(store: sqlite3.Connection, query: str, top: int) -> list[tuple[str, int]]:
    return [
        (str(name), int(count))
        for name, count in store.execute(f"{query} ORDER BY 2 DESC, 1 LIMIT ?", (top,))
    ]


def _with_manifest(run: RunFigures, runs_dir: Path) -> RunFigures:
    path = runs_dir / f"{run.run_id}.json"
    try:
        manifest: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return run
    except (OSError, ValueError) as error:
        logger.warning("report: skipping unreadable run manifest %s: %s", path, error)
        return run
    fields: Mapping[str, Mapping[str, Any]] = manifest.get("fields") or {}
    outcome = manifest.get("outcome") or {}
    return replace(
        run,
        pages=(manifest.get("pages") or {}).get("responses"),
        quarantine_reasons=dict(manifest.get("quarantine_reasons") or {}),
        blocks=manifest.get("blocks"),
        duration_seconds=manifest.get("duration_seconds"),
        failure=outcome.get("reason") if outcome.get("failed") else None,
        manifest=str(path),
        coverage={name: figures.get("coverage") for name, figures in fields.items()},
        field_pages=max(
            (sum((f.get("sources") or {}).values()) for f in fields.values()), default=0
        ),
        field_figures={"fields": fields, "sections": manifest.get("sections") or {}},
    )


def short_run(run_id: str) -> str:
    """A run's label on a chart: its start, month to second (the id holds the year).

    >>> short_run("20261128T231510Z"), short_run("20261128T231510Z_2"), short_run("odd")
    ('11-28 23:15:10', '11-28 23:15:10 (2)', 'odd')
    """
    stamp, _, suffix = run_id.partition("_")
    if len(stamp) != 16 or stamp[8] != "T":
        return run_id
    text = f"{stamp[4:6]}-{stamp[6:8]} {stamp[9:11]}:{stamp[11:13]}:{stamp[13:15]}"
    return f"{text} ({suffix})" if suffix else text
