"""The report's BREAKING section: the ticker's lines by the day they were first seen and where
(the site, or a web archive's capture), and the latest of them (``docs/breaking.md``)."""

import sqlite3
from dataclasses import dataclass, field
from html import escape

from mayadeen.report import svg
from mayadeen.report.figures import plural
from mayadeen.site.webarchives import ARCHIVE_VIAS
from mayadeen.store.origins import SITE

ORIGINS = (SITE, *ARCHIVE_VIAS)
"""The chart's series, in order: each has its palette colour, drawn even when absent."""
LATEST = 10
"""Lines listed under the chart, the most recently first seen first."""


@dataclass
class Breaking:
    """What the report shows of the ``breaking`` table."""

    per_day: dict[str, dict[str, int]] = field(default_factory=dict)
    """UTC day of first sighting → origin → lines, over the report's days up to the latest."""
    latest: list[tuple[str, str | None, str, str]] = field(default_factory=list)
    """(text, attribution, first seen at, origin), most recently first seen first."""
    lines: int = 0


def read(store: sqlite3.Connection, days: int) -> Breaking:
    """The section's figures; none from a store older than the table (schema 9)."""
    if not store.execute("SELECT 1 FROM sqlite_master WHERE name = 'breaking'").fetchone():
        return Breaking()
    latest = store.execute("SELECT max(substr(first_seen_at, 1, 10)) FROM breaking").fetchone()[0]
    if latest is None:
        return Breaking()
    per_day: dict[str, dict[str, int]] = {}
    for day, origin, count in store.execute(
        "SELECT substr(first_seen_at, 1, 10) AS day, origin, count(*) FROM breaking "
        "WHERE day > date(?, ?) GROUP BY 1, 2 ORDER BY 1, 2",
        (latest, f"-{days} days"),
    ):
        per_day.setdefault(day, {})[origin] = count
    rows = store.execute(
        "SELECT text, attribution, first_seen_at, origin FROM breaking "
        "ORDER BY first_seen_at DESC, id DESC LIMIT ?",
        (LATEST,),
    ).fetchall()
    total = store.execute("SELECT count(*) FROM breaking").fetchone()[0]
    return Breaking(per_day, [tuple(row) for row in rows], int(total))


def section(breaking: Breaking) -> str:
    title = '<section id="breaking"><h2>BREAKING lines per day</h2>'
    if not breaking.lines:
        return title + '<p class="empty">No ticker line recorded.</p></section>'
    days = list(breaking.per_day)
    series = {origin: [breaking.per_day[day].get(origin, 0) for day in days] for origin in ORIGINS}
    colours = list(svg.PALETTE[: len(ORIGINS)])
    chart = svg.stacked_bars(
        "breaking", days, series, "BREAKING lines per day first seen, by origin", colours=colours
    )
    return (
        title + f'<p><span data-figure="breaking-lines">{breaking.lines}</span> distinct lines '
        "of the site's BREAKING ticker, by the UTC day each was first seen and where: on the "
        f"site, or in a web archive's capture; the last {plural(len(days), 'day')} with lines. "
        "<code>scrapy export --breaking</code> writes them all.</p>"
        f"<figure>{chart}{svg.legend(list(series), colours)}</figure>"
        + _latest_table(breaking.latest)
        + "</section>"
    )


def _latest_table(latest: list[tuple[str, str | None, str, str]]) -> str:
    rows = "".join(
        f'<tr><td class="text">{escape(seen)}</td><td class="text">{escape(origin)}</td>'
        f'<td class="text">{escape(source or "–")}</td>'
        f'<td class="text" data-figure="line">{escape(text)}</td></tr>'
        for text, source, seen, origin in latest
    )
    return (
        f"<h3>The latest {plural(len(latest), 'line')}</h3><table><thead><tr><th>first seen "
        "(UTC)</th><th>origin</th><th>attribution</th><th>line</th></tr></thead>"
        f"<tbody>{rows}</tbody></table>"
    )
