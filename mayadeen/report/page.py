"""``scrapy report``'s HTML page: one self-contained file (inline CSS and SVG, no script, nothing
fetched) that reads in a browser and prints on paper. The figures come from ``report.history``;
the charts from ``report.svg``. Table cells carry ``data-run`` and ``data-figure`` so that what a
reader sees can be checked against the store and the manifests."""

from collections.abc import Callable
from datetime import datetime
from html import escape

from mayadeen.report import breaking, coverage, svg
from mayadeen.report.changes import after_text
from mayadeen.report.edits import Edit, Edits
from mayadeen.report.figures import plural
from mayadeen.report.health import Thresholds
from mayadeen.report.history import History, RunFigures, short_run
from mayadeen.report.lines import duration_text

RUN_SERIES = ("new", "updated", "unchanged", "quarantined")
TOP_SECTIONS = len(svg.PALETTE)
"""Sections drawn apart in the per-day chart, one palette colour each; the rest are one grey
"other" (twelve hues are more than anyone tells apart)."""
OTHER = "other"
STYLE = """
body { font: 14px/1.45 system-ui, sans-serif; color: #222; margin: 2em auto; max-width: 1100px;
       padding: 0 1em; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; } h2 { font-size: 1.2em; margin-top: 2em; }
h3 { font-size: 1em; }
.meta { color: #555; margin-top: 0; }
section { break-inside: avoid; } figure { margin: 0.5em 0; overflow-x: auto; }
svg text:not([fill]) { fill: #333; } svg rect[data-value]:hover { opacity: 0.75; }
table { border-collapse: collapse; width: 100%; font-size: 12px; }
th, td { border-bottom: 1px solid #ddd; padding: 3px 6px; text-align: right; vertical-align: top; }
th:first-child, td:first-child, td.text { text-align: left; }
td code { overflow-wrap: anywhere; } td.manifest code { overflow-wrap: normal; }
tr.failed td { background: #fbeaea; } .failed-word { color: #a00; font-weight: 600; }
.legend .key { margin-right: 1em; white-space: nowrap; }
.legend i { display: inline-block; width: 10px; height: 10px; margin-right: 4px; }
.legend i.hatch { width: 14px; border: 1px solid #b03030;
  background: repeating-linear-gradient(45deg, #fbeaea 0 2px, #b03030 2px 4px); }
.legend.trend b { display: inline-block; min-width: 1.6em; margin-right: 4px; text-align: center;
  border: 1px solid #ccc; font-weight: normal; }
.pair { display: flex; gap: 2em; flex-wrap: wrap; } .pair section { flex: 1 1 460px; }
.empty { color: #777; font-style: italic; }
@media print { body { margin: 0; max-width: none; font-size: 11px; } figure { overflow: visible; }
  h2 { break-after: avoid; } tr { break-inside: avoid; } }
"""


def render(
    history: History,
    *,
    data_dir: str,
    generated_at: datetime,
    thresholds: Thresholds | None = None,
) -> str:
    """The page; the coverage grid judges changes as the health checks' ``thresholds`` do."""
    runs = history.runs
    sections = [
        _runs_section(runs),
        _per_day_section(history.per_day),
        coverage.section([run for run in runs if run.coverage], thresholds or Thresholds()),
        _edits_section(history.edits, history.articles),
        '<div class="pair">'
        + _top_section("tags", "Top tags", history.tags)
        + _top_section("authors", "Top authors", history.authors)
        + "</div>",
        breaking.section(history.breaking),
    ]
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>mayadeen report: {escape(data_dir)}</title><style>{STYLE}</style></head><body>"
        "<h1>Al Mayadeen English crawl report</h1>"
        f'<p class="meta">Data directory <code>{escape(data_dir)}</code> · '
        f'<span data-figure="articles">{history.articles}</span> articles stored · '
        f"{plural(len(runs), 'run')} shown · generated {generated_at.isoformat(timespec='seconds')}</p>"
        + "".join(sections)
        + "</body></html>\n"
    )


def _runs_section(runs: list[RunFigures]) -> str:
    if not runs:
        return '<section id="runs"><h2>Run history</h2><p class="empty">No runs yet.</p></section>'
    ids = [run.run_id for run in runs]
    series = {name: [getattr(run, name) for run in runs] for name in RUN_SERIES}
    failures = {run.run_id: word for run in runs if (word := run.failed_as)}
    chart = svg.stacked_bars(
        "runs",
        ids,
        series,
        "Articles per run by verdict",
        [short_run(i) for i in ids],
        failures=failures,
    )
    hatch = (
        '<span class="key"><i class="hatch"></i>a failed run, hatched and labelled: '
        "<em>blocked</em> (the site blocked the crawl), <em>unreachable</em>, or "
        "<em>failed</em> (a health check); its reason is in the table</span>"
    )
    header = (
        "<tr><th>run</th><th>started (UTC)</th><th>duration</th><th>pages</th><th>new</th>"
        "<th>updated</th><th>unchanged</th><th>quarantined</th><th>blocks</th><th>outcome</th>"
        "<th>manifest</th></tr>"
    )
    rows = "".join(_run_row(run) for run in reversed(runs))
    return (
        '<section id="runs"><h2>Run history</h2>'
        "<p>Articles each run stored as new, updated or unchanged, and quarantined "
        "(kept aside with a reason), from the store's <code>runs</code> table.</p>"
        f"<figure>{chart}{svg.legend(RUN_SERIES, more=hatch if failures else '')}</figure>"
        f"<table><thead>{header}</thead><tbody>{rows}</tbody></table></section>"
    )


def _run_row(run: RunFigures) -> str:
    def cell(figure: str, value: object, shown: str | None = None) -> str:
        text = "–" if value is None else (shown if shown is not None else str(value))
        data = "" if value is None else escape(str(value))
        return f'<td data-run="{escape(run.run_id)}" data-figure="{figure}" data-value="{data}">{escape(text)}</td>'

    reasons = ", ".join(f"{reason} {n}" for reason, n in run.quarantine_reasons.items())
    duration = None if run.duration_seconds is None else duration_text(run.duration_seconds)
    outcome = escape(run.outcome)
    if run.failure:
        outcome = f'<span class="failed-word">failed</span>: {escape(run.failure)}'
    return (
        f'<tr class="{run.outcome}"><td class="text">{escape(run.run_id)}</td>'
        f'<td class="text">{escape(run.started_at)}</td>'
        + cell("duration", run.duration_seconds, duration)
        + cell("pages", run.pages)
        + cell("new", run.new)
        + cell("updated", run.updated)
        + cell("unchanged", run.unchanged)
        + cell(
            "quarantined",
            run.quarantined,
            f"{run.quarantined}" + (f" ({reasons})" if reasons else ""),
        )
        + cell("blocks", run.blocks)
        + f'<td class="text" data-run="{escape(run.run_id)}" data-figure="outcome" '
        f'data-value="{escape(run.outcome)}">{outcome}</td>'
        f'<td class="text manifest"><code>{_breakable(run.manifest or "")}</code></td></tr>'
    )


def _breakable(path: str) -> str:
    """A path that wraps after its slashes only, never inside a run id.

    >>> _breakable("data/runs/R.json")
    'data/<wbr>runs/<wbr>R.json'
    """
    return escape(path).replace("/", "/<wbr>")


def _per_day_section(per_day: dict[str, dict[str, int]]) -> str:
    title = '<section id="per-day"><h2>Articles per day by section</h2>'
    if not per_day:
        return title + '<p class="empty">No articles stored.</p></section>'
    days = list(per_day)
    top, rest = top_sections(per_day)
    series = {name: [per_day[day].get(name, 0) for day in days] for name in top}
    if rest:
        series[OTHER] = [sum(per_day[day].get(name, 0) for name in rest) for day in days]
    colours = [*svg.PALETTE[: len(top)], *([svg.GREY] if rest else [])]
    chart = svg.stacked_bars(
        "per-day", days, series, "Articles per publication day by section", colours=colours
    )
    others = f" ({', '.join(rest)})" if rest else ""
    return (
        title + "<p>Stored articles by publication day (the date as the article states it) "
        f"and section, the last {plural(len(days), 'day')} with articles: the "
        f"{plural(len(top), 'section')} with most articles over these days, the rest as "
        f"<em>{OTHER}</em>{escape(others)}.</p>"
        f"<figure>{chart}{svg.legend(list(series), colours)}</figure></section>"
    )


def top_sections(per_day: dict[str, dict[str, int]]) -> tuple[list[str], list[str]]:
    """The ``TOP_SECTIONS`` sections with most articles (most first), and the rest by name.

    >>> top_sections({"d1": {"a": 1, "b": 5}, "d2": {"a": 9, "c": 1}})
    (['a', 'b', 'c'], [])
    """
    totals: dict[str, int] = {}
    for counts in per_day.values():
        for name, count in counts.items():
            totals[name] = totals.get(name, 0) + count
    ranked = sorted(totals, key=lambda name: (-totals[name], name))
    if len(ranked) <= TOP_SECTIONS + 1:  # an "other" of one section would hide its name
        return ranked, []
    return ranked[:TOP_SECTIONS], sorted(ranked[TOP_SECTIONS:])


def _top_section(name: str, title: str, pairs: list[tuple[str, int]]) -> str:
    head = f'<section id="{name}"><h2>{title}</h2>'
    if not pairs:
        return head + '<p class="empty">None stored.</p></section>'
    return head + f"<figure>{svg.horizontal_bars(name, pairs, title)}</figure></section>"


def _edits_section(edits: Edits, articles: int) -> str:
    title = '<section id="edits"><h2>Edited after publication</h2>'
    if not edits.edits:
        return (
            title
            + '<p class="empty">No stored article has changed since it was stored.</p></section>'
        )
    share = f" ({edits.edited / articles:.0%})" if articles else ""
    delays = "".join(
        f'<tr><td>{escape(label)}</td><td data-figure="delay" data-value="{count}" '
        f'data-label="{escape(label)}">{count}</td></tr>'
        for label, count in edits.delays.items()
    )
    return (
        title + f'<p><span data-figure="edited">{edits.edited}</span> of {articles} stored '
        f"articles{share} changed after the crawler first stored them, in "
        f'<span data-figure="edits">{len(edits.edits)}</span> '
        f"{'edit' if len(edits.edits) == 1 else 'edits'} (a new version stored). "
        "<code>scrapy diff URL</code> shows an article's changes word by word.</p>"
        '<div class="pair"><section><h3>How long after publication</h3>'
        "<table><thead><tr><th>seen</th><th>edits</th></tr></thead>"
        f"<tbody>{delays}</tbody></table></section>"
        + _edit_table("largest", "Largest edits", edits.largest, _largest_row)
        + "</div>"
        + _edit_table("headlines", "Headline changes", edits.headlines, _headline_row)
        + "</section>"
    )


def _edit_table(name: str, title: str, edits: list[Edit], row: Callable[[Edit], str]) -> str:
    head = f'<section id="{name}"><h3>{title}</h3>'
    if not edits:
        return head + '<p class="empty">None.</p></section>'
    header = (
        "<tr><th>article</th><th>words changed</th><th>seen after</th></tr>"
        if name == "largest"
        else "<tr><th>stored (UTC)</th><th>headline before</th><th>headline after</th></tr>"
    )
    rows = "".join(row(edit) for edit in edits)
    return head + f"<table><thead>{header}</thead><tbody>{rows}</tbody></table></section>"


def _after(edit: Edit) -> str:
    hours = edit.hours_after_publication
    return "–" if hours is None else after_text(hours)


def _largest_row(edit: Edit) -> str:
    first, second = edit.versions
    return (
        f'<tr data-url="{escape(edit.url)}"><td class="text">{escape(edit.title)}<br>'
        f"<code>{escape(edit.url)}</code> v{first} → v{second}: {escape(', '.join(edit.fields))}"
        f'</td><td data-figure="words" data-value="{edit.words_changed}">{edit.words_changed}'
        f"</td><td>{escape(_after(edit))}</td></tr>"
    )


def _headline_row(edit: Edit) -> str:
    old, new = edit.headline or ("", "")
    return (
        f'<tr data-url="{escape(edit.url)}"><td class="text">{escape(edit.stored_at)}</td>'
        f'<td class="text" data-figure="old">{escape(old)}</td>'
        f'<td class="text" data-figure="new">{escape(new)}</td></tr>'
    )
