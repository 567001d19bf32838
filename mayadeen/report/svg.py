"""Charts for ``scrapy report`` as inline SVG, built by hand: three kinds of chart need no plotting
library (matplotlib would add tens of MB with numpy for bars and a grid), the output is the same
on every machine, and each mark carries its number (``data-*`` attributes and a ``<title>``
tooltip) so a reader can hover it and a test can check it against the store.

Every mark is ``<rect data-category=… data-series=… data-value=…>``; every chart is one ``<svg
data-chart=NAME>``. Text is escaped; nothing is fetched.
"""

from collections.abc import Mapping, Sequence
from html import escape
from typing import NamedTuple

PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442")
"""Okabe–Ito's qualitative palette without its black: seven colours colour-blind readers tell
apart (Okabe & Ito, *Color Universal Design*). A chart needing more series groups the rest."""
GREY = "#999999"
"""Okabe–Ito's grey, kept for what is grouped (a chart's "other")."""
FONT = 'font-family="system-ui, sans-serif" font-size="11"'
HATCH = (
    '<defs><pattern id="failed-hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
    'patternTransform="rotate(45)"><path d="M0 0h6v6h-6z" fill="#fbeaea"/>'
    '<path d="M0 0v6" stroke="#b03030" stroke-width="2"/></pattern></defs>'
)
"""Red diagonal stripes on the failed rows' pink: a failed column reads as such in grey print."""


def colour(index: int) -> str:
    """
    >>> colour(0), colour(7)
    ('#0072B2', '#0072B2')
    """
    return PALETTE[index % len(PALETTE)]


def _mark(x: float, y: float, w: float, h: float, fill: str, tip: str, **data: object) -> str:
    attributes = " ".join(f'data-{key}="{escape(str(value))}"' for key, value in data.items())
    return (
        f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}" fill="{fill}" '
        f"{attributes}><title>{escape(tip)}</title></rect>"
    )


def _svg(name: str, width: float, height: float, body: list[str], label: str) -> str:
    return (
        f'<svg data-chart="{escape(name)}" xmlns="http://www.w3.org/2000/svg" role="img" '
        f'aria-label="{escape(label)}" viewBox="0 0 {width:.0f} {height:.0f}" '
        f'width="{width:.0f}" height="{height:.0f}" {FONT}>' + "".join(body) + "</svg>"
    )


NICE_TENTHS = (10, 12, 15, 20, 25, 30, 35, 40, 50, 60, 70, 80, 100)
"""Axis maxima in tenths of a power of ten: close enough together that the tallest bar fills most
of the plot (300 gets 300, 301 gets 350, not 500)."""


def nice_ceiling(value: int) -> int:
    """The axis maximum: the first round number at or above ``value`` (1, 1.2, 1.5, 2, 2.5, 3,
    3.5, 4, 5, 6, 7 or 8 times a power of ten; below 10 an even number, so the middle gridline is
    a whole one).

    >>> [nice_ceiling(n) for n in (0, 1, 3, 7, 12, 48, 140, 230, 300, 301, 1999)]
    [2, 2, 4, 8, 12, 50, 150, 250, 300, 350, 2000]
    """
    if value <= 10:
        return max(2, value + value % 2)
    power: int = 10 ** (len(str(value)) - 1)
    return next(tenths * power // 10 for tenths in NICE_TENTHS if value * 10 <= tenths * power)


def stacked_bars(
    name: str,
    categories: Sequence[str],
    series: Mapping[str, Sequence[int]],
    label: str,
    labels: Sequence[str] | None = None,
    *,
    colours: Sequence[str] | None = None,
    failures: Mapping[str, str] | None = None,
) -> str:
    """One bar per category, one stacked segment per series (zero segments are left out);
    ``labels`` are shown under the bars in place of the categories, ``colours`` (one per series)
    in place of the palette's. A category in ``failures`` (category → a word: ``blocked``,
    ``failed``) gets a hatched column behind its bar with the word written up it, so a failed
    run with nothing stored is not mistaken for a quiet one.

    >>> svg = stacked_bars("x", ["a", "b"], {"new": [2, 0], "updated": [1, 3]}, "demo",
    ...                    failures={"b": "blocked"})
    >>> svg.count("<rect"), 'data-category="b" data-series="updated" data-value="3"' in svg
    (3, True)
    >>> '<g data-run="b" data-outcome="blocked">' in svg, ">blocked</text>" in svg
    (True, True)
    """
    left, top, bottom, band = 80, 10, 84, max(14, min(40, 640 / max(len(categories), 1)))
    height, plot_h = 260, 260 - top - bottom
    width = left + band * len(categories) + 10
    shown = labels or categories
    fills = colours or [colour(s) for s in range(len(series))]
    failures = failures or {}
    totals = [sum(values[i] for values in series.values()) for i in range(len(categories))]
    ceiling = nice_ceiling(max(totals, default=0))
    body = _axis(left, top, plot_h, width, ceiling) + ([HATCH] if failures else [])
    for i, category in enumerate(categories):
        x, base = left + i * band + 2, float(top + plot_h)
        if category in failures:
            body.append(_failed_column(x, top, band - 4, plot_h, category, failures[category]))
        for s, (serie, values) in enumerate(series.items()):
            if not values[i]:
                continue
            h = values[i] / ceiling * plot_h
            base -= h
            tip = f"{category} · {serie}: {values[i]}"
            data = {"category": category, "series": serie, "value": values[i]}
            body.append(_mark(x, base, band - 4, h, fills[s], tip, **data))
        if category in failures:
            body.append(_failed_word(x + (band - 4) / 2, top, failures[category]))
        lx, ly = x + band / 2, top + plot_h + 8
        body.append(
            f'<text x="{lx:.1f}" y="{ly:.1f}" text-anchor="end" '
            f'transform="rotate(-45 {lx:.1f} {ly:.1f})">{escape(shown[i])}</text>'
        )
    return _svg(name, width, height, body, label)


def _failed_column(x: float, top: float, w: float, h: float, category: str, word: str) -> str:
    """The hatched column of a failed category, a ``<g>`` (not a ``rect``: marks are rects)."""
    return (
        f'<g data-run="{escape(category)}" data-outcome="{escape(word)}">'
        f'<path d="M{x:.1f} {top:.1f}h{w:.1f}v{h:.1f}h{-w:.1f}z" fill="url(#failed-hatch)" '
        f'stroke="#b03030"/><title>{escape(category)}: {escape(word)}</title></g>'
    )


def _failed_word(x: float, top: float, word: str) -> str:
    """The word up a failed column, from its top, haloed in white to read over a bar."""
    return (
        f'<text x="{x:.1f}" y="{top + 6:.1f}" text-anchor="end" dominant-baseline="central" '
        f'transform="rotate(-90 {x:.1f} {top + 6:.1f})" font-weight="700" fill="#8b0000" '
        f'stroke="#fff" stroke-width="3" paint-order="stroke">{escape(word)}</text>'
    )


def _axis(left: float, top: float, plot_h: float, width: float, ceiling: int) -> list[str]:
    """Gridlines at 0, ½ and the top, with their values."""
    parts = []
    for share in (0, 0.5, 1):
        y = top + plot_h * (1 - share)
        value = ceiling * share
        text = f"{value:g}"
        parts.append(
            f'<line x1="{left}" x2="{width - 6:.0f}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ccc"/>'
            f'<text class="tick" x="{left - 4}" y="{y + 4:.1f}" text-anchor="end">{text}</text>'
        )
    return parts


def horizontal_bars(name: str, pairs: Sequence[tuple[str, int]], label: str) -> str:
    """One labelled bar per (name, count), longest first as given.

    >>> 'data-category="Gaza" data-series="articles" data-value="4"' in horizontal_bars(
    ...     "tags", [("Gaza", 4)], "t")
    True
    """
    left, row, width = 170, 18, 520
    most = max((count for _, count in pairs), default=0) or 1
    body = []
    for i, (text, count) in enumerate(pairs):
        y, w = 4 + i * row, (width - left - 40) * count / most
        short = text if len(text) <= 26 else text[:25] + "…"
        body.append(f'<text x="{left - 6}" y="{y + 12}" text-anchor="end">{escape(short)}</text>')
        body.append(
            _mark(
                left,
                y + 2,
                w,
                row - 4,
                colour(0),
                f"{text}: {count}",
                category=text,
                series="articles",
                value=count,
            )
        )
        body.append(f'<text x="{left + w + 4:.1f}" y="{y + 12}">{count}</text>')
    return _svg(name, width, 8 + row * len(pairs), body, label)


class Cell(NamedTuple):
    """A grid cell: its number (``data-value``, None when not measured), what it shows, its
    colours, its tooltip and more ``data-*`` attributes."""

    value: float | None
    text: str
    fill: str
    ink: str
    tip: str
    data: Mapping[str, str] = {}


def heatmap(
    name: str,
    rows: Sequence[str],
    columns: Sequence[str],
    cells: Mapping[tuple[str, str], Cell],
    label: str,
    labels: Sequence[str] | None = None,
) -> str:
    """A grid with a cell per (row, column), drawn as ``cells`` says (blank where none is given).

    >>> cell = Cell(0.5, "50", "#eee", "#000", "half")
    >>> svg = heatmap("c", ["title"], ["R1"], {("title", "R1"): cell}, "demo")
    >>> 'data-category="R1" data-series="title" data-value="0.5"' in svg, ">50<" in svg
    (True, True)
    """
    shown = labels or columns
    # Column labels run up at 45°: room above (and right) for the longest, ~6 px a character.
    reach = 12 + round(max((len(text) for text in shown), default=0) * 6 * 0.71)
    left, top, cell_w, cell_h = 130, max(60, reach), 46, 18
    width, height = left + cell_w * len(columns) + max(90, reach), top + cell_h * len(rows) + 6
    body = []
    for c in range(len(columns)):
        lx = left + c * cell_w + cell_w / 2
        body.append(
            f'<text x="{lx:.1f}" y="{top - 6}" text-anchor="start" '
            f'transform="rotate(-45 {lx:.1f} {top - 6})">{escape(shown[c])}</text>'
        )
    for r, row in enumerate(rows):
        y = top + r * cell_h
        body.append(f'<text x="{left - 6}" y="{y + 13}" text-anchor="end">{escape(row)}</text>')
        for c, column in enumerate(columns):
            cell = cells.get((row, column)) or Cell(None, "", "#ffffff", "#000", "")
            x = left + c * cell_w
            value = "" if cell.value is None else cell.value
            data = {"category": column, "series": row, "value": value, **cell.data}
            body.append(_mark(x, y, cell_w - 2, cell_h - 2, cell.fill, cell.tip, **data))
            body.append(
                f'<text x="{x + cell_w / 2 - 1:.1f}" y="{y + 12}" text-anchor="middle" '
                f'fill="{cell.ink}">{escape(cell.text)}</text>'
            )
    return _svg(name, width, height, body, label)


def legend(names: Sequence[str], colours: Sequence[str] | None = None, more: str = "") -> str:
    """An HTML legend for a chart's series, in the series' colours (the palette's by default),
    then ``more`` (HTML keys of the chart's other marks)."""
    fills = colours or [colour(i) for i in range(len(names))]
    keys = (
        f'<span class="key"><i style="background:{fill}"></i>{escape(n)}</span>'
        for n, fill in zip(names, fills, strict=True)
    )
    return '<p class="legend">' + " ".join([*keys, more]) + "</p>"
