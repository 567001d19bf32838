"""``scrapy report``'s field coverage grid: each run's coverage of each field, coloured by its
*change* against the runs before it, not by its level. A field the site gives on 15% of its pages
run after run (``coverage``, the live-coverage box) is healthy; a field at 98% that falls to 60%
is the site's markup drifting (``docs/drift.md``), the same drop the ``coverage`` health check
fails a run on (``mayadeen.report.health``).

The baseline of a cell is the median of the field's coverage in up to ``BASELINE_RUNS`` earlier
runs shown that measured it and did not fail (a failed run is never a baseline, as in
``mayadeen.report.manifest.baselines``) and counted enough article pages to be judged (the health
check's ``min_pages``): one odd run does not move it. Each earlier run's coverage is taken on the
cell's run's sections, as the health check compares runs (``mayadeen.report.strata``): fewer news
pages in a run is not a fall of the fields only news pages give. A change smaller than
``STEADY`` or than the sampling noise of the pages counted is steady; a run of too few pages is
not judged at all.
"""

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from typing import Literal

from mayadeen.report import svg
from mayadeen.report.health import NOISE_LIMIT, Thresholds
from mayadeen.report.history import RunFigures, short_run
from mayadeen.report.strata import compare, strata

BASELINE_RUNS = 5
"""How many earlier runs a cell's baseline is the median of."""
STEADY = 0.05
"""A change of less than this (5 points) is steady, whatever the sample."""
Trend = Literal["fell", "falling", "steady", "rising", "first", "few", "unmeasured"]


@dataclass(frozen=True)
class Style:
    fill: str
    ink: str
    glyph: str
    meaning: str


# ColorBrewer's RdBu (red–blue, safe for colour-blind readers), and a glyph so that the trend
# reads without colour too: filled ▼ fell, hollow ▽ falling, ▲ rising.
STYLES: dict[Trend, Style] = {
    "fell": Style(
        "#b2182b", "#fff", "▼", "fell more than {drop} points (the health check fails such a run)"
    ),
    "falling": Style("#f4a582", "#000", "▽", "fell {steady} to {drop} points"),
    "steady": Style("#f7f7f7", "#333", "", "steady (within {steady} points or sampling noise)"),
    "rising": Style("#92c5de", "#000", "▲", "rose {steady} points or more"),
    "first": Style("#ffffff", "#777", "", "no earlier run to compare with"),
    "few": Style("#ffffff", "#777", "", "fewer than {pages} article pages: not judged"),
    "unmeasured": Style("#dddddd", "#555", "–", "not measured (no article page)"),
}


@dataclass(frozen=True)
class Change:
    share: float | None
    baseline: float | None
    """The median coverage of the earlier runs compared with; None without any."""
    runs: int
    """How many earlier runs the baseline is the median of."""
    trend: Trend


def changes(runs: Sequence[RunFigures], thresholds: Thresholds) -> dict[tuple[str, str], Change]:
    """Every (field, run id) cell of ``runs`` (oldest first) with its change."""
    fields = list(dict.fromkeys(name for run in runs for name in run.coverage))
    cells = {}
    for i, run in enumerate(runs):
        earlier = [r for r in runs[:i] if r.outcome != "failed" and _judged(r, thresholds)]
        for name in fields:
            measured = [r for r in earlier if r.coverage.get(name) is not None]
            before = measured[-BASELINE_RUNS:]
            cells[(name, run.run_id)] = _change(run, before, name, thresholds)
    return cells


def _judged(run: RunFigures, thresholds: Thresholds) -> bool:
    return run.field_pages >= thresholds.min_pages


def _change(run: RunFigures, before: list[RunFigures], name: str, thresholds: Thresholds) -> Change:
    share = run.coverage.get(name)
    if share is None:
        return Change(None, None, 0, "unmeasured")
    if not before:
        return Change(share, None, 0, "first")
    baseline = _baseline(run, before, name)
    if not _judged(run, thresholds):
        return Change(share, baseline, len(before), "few")
    noise = _noise(baseline, sum(r.field_pages for r in before), share, run.field_pages)
    judged = trend(share - baseline, noise, thresholds.max_coverage_drop)
    return Change(share, baseline, len(before), judged)


def _baseline(run: RunFigures, before: list[RunFigures], name: str) -> float:
    """The median of the earlier runs' coverage of the field, each taken on ``run``'s sections
    (``mayadeen.report.strata``, as the health check compares runs); its own coverage for a run
    whose manifest counted no page for the field, or when its sections would not move it."""
    now = strata(name, run.field_figures)
    compared = [(compare(now, strata(name, r.field_figures)), r) for r in before]
    return statistics.median(
        c.then if c and c.weighted else r.coverage[name] or 0.0 for c, r in compared
    )


def trend(change: float, noise: float, max_drop: float) -> Trend:
    """A change (in shares) judged against the noise of its samples and the health check's drop.

    >>> trend(-0.01, 0, 0.2), trend(-0.1, 0, 0.2), trend(-0.3, 0, 0.2), trend(0.08, 0, 0.2)
    ('steady', 'falling', 'fell', 'rising')
    >>> trend(-0.25, 0.1, 0.2)  # 25 points on a handful of pages: could be luck
    'steady'
    """
    if abs(change) < max(STEADY, NOISE_LIMIT * noise):
        return "steady"
    if change > 0:
        return "rising"
    return "fell" if -change > max_drop else "falling"


def _noise(then: float, then_pages: int, now: float, now_pages: int) -> float:
    """The standard error of the difference of two shares (0 when a page count is unknown).

    >>> round(_noise(0.65, 1000, 0.4, 30), 3), _noise(0.65, 0, 0.4, 30)
    (0.089, 0.0)
    """
    if not then_pages or not now_pages:
        return 0.0
    pooled = (then * then_pages + now * now_pages) / (then_pages + now_pages)
    return math.sqrt(pooled * (1 - pooled) * (1 / then_pages + 1 / now_pages))


def _cell(name: str, run: RunFigures, change: Change, thresholds: Thresholds) -> svg.Cell:
    style = STYLES[change.trend]
    if change.share is None:
        return svg.Cell(None, style.glyph, style.fill, style.ink, f"{name} in {run.run_id}: –")
    tip = f"{name} in {run.run_id}: {change.share:.1%} of {run.field_pages} article pages"
    if change.baseline is not None:
        points = (change.share - change.baseline) * 100
        tip += (
            f"; median of the {change.runs} earlier runs {change.baseline:.1%}: "
            f"{points:+.1f} points"
        )
    tip += f" ({_meaning(change.trend, thresholds)})"
    text = f"{style.glyph}{change.share:.0%}".rstrip("%")
    return svg.Cell(change.share, text, style.fill, style.ink, tip, {"trend": change.trend})


def _meaning(trend: Trend, thresholds: Thresholds) -> str:
    return STYLES[trend].meaning.format(
        drop=round(thresholds.max_coverage_drop * 100),
        steady=round(STEADY * 100),
        pages=thresholds.min_pages,
    )


def _legend(thresholds: Thresholds) -> str:
    keys = (
        f'<span class="key" data-trend="{name}"><b style="background:{style.fill};'
        f'color:{style.ink}">{style.glyph or "&nbsp;"}</b>{escape(_meaning(name, thresholds))}'
        "</span>"
        for name, style in STYLES.items()
    )
    return '<p class="legend trend">' + " ".join(keys) + "</p>"


def section(runs: list[RunFigures], thresholds: Thresholds) -> str:
    """The grid's section of the page, for the runs with field figures (oldest first)."""
    title = '<section id="coverage"><h2>Field coverage per run</h2>'
    if not runs:
        return title + '<p class="empty">No run manifest with field figures.</p></section>'
    fields = list(dict.fromkeys(name for run in runs for name in run.coverage))
    found = changes(runs, thresholds)
    cells = {
        (name, run.run_id): _cell(name, run, found[(name, run.run_id)], thresholds)
        for run in runs
        for name in fields
    }
    ids = [run.run_id for run in runs]
    labels = [short_run(r.run_id) + (f" ({r.failed_as})" if r.failed_as else "") for r in runs]
    chart = svg.heatmap("coverage", fields, ids, cells, "Field coverage", labels)
    return (
        title + "<p>The share of article pages where some source gave the field (%), per run, "
        "coloured by its <em>change</em> against the median of up to "
        f"{BASELINE_RUNS} earlier runs that did not fail, not by its level: a field steady at a "
        "low share (<code>coverage</code>, given by few articles) stays pale; a field falling "
        "turns orange, then red once it falls by more than the health check allows, which is "
        "the site's markup drifting (<code>docs/drift.md</code>).</p>"
        f"<figure>{chart}{_legend(thresholds)}</figure></section>"
    )
