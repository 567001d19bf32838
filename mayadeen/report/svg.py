"""Charts for ``scrapy report`` as inline SVG, built by hand: three kinds of chart need no plotting
library (matplotlib would add tens of MB with numpy for bars and a grid), the output is the same
on every machine, and each mark carries its number (``data-*`` attributes and a ``<title>``
tooltip) so a reader can hover it and a test can check it against the store.

Every mark is ``<rect data-category=… data-series=… data-value=…>``; every chart is one ``<svg
data-chart=NAME>``. Text is escaped; nothing is fetched.
"""

from collections.abc import Mapping, Sequence
from html import escape

PALETTE = (
    *("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#999999"),
    *("#332288", "#88CCEE", "#117733", "#882255", "#DDCC77", "#AA4499"),
)
"""Okabe–Ito, then Tol's muted colours: told apart by colour-blind readers."""
FONT = 'font-family="system-ui, sans-serif" font-size="11"'


def colour(index: int) -> str:
    """
    >>> colour(0), colour(14)
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


def nice_ceiling(value: int) -> int:
    """The axis maximum: ``value`` rounded up to 1, 2 or 5 times a power of ten.

    >>> [nice_ceiling(n) for n in (0, 3, 7, 12, 48, 230)]
    [1, 5, 10, 20, 50, 500]
    """
    step = 1
    while True:
        for factor in (1, 2, 5):
            if value <= step * factor:
                return step * factor
        step *= 10


def stacked_bars(
    name: str,
    categories: Sequence[str],
    series: Mapping[str, Sequence[int]],
    label: str,
    labels: Sequence[str] | None = None,
) -> str:
    """One bar per category, one stacked segment per series (zero segments are left out);
    ``labels`` are shown under the bars in place of the categories.

    >>> svg = stacked_bars("x", ["a", "b"], {"new": [2, 0], "updated": [1, 3]}, "demo")
    >>> svg.count("<rect"), 'data-category="b" data-series="updated" data-value="3"' in svg
    (3, True)
    """
    left, top, bottom, band = 80, 10, 84, max(14, min(40, 640 / max(len(categories), 1)))
    height, plot_h = 260, 260 - top - bottom
    width = left + band * len(categories) + 10
    shown = labels or categories
    totals = [sum(values[i] for values in series.values()) for i in range(len(categories))]
    ceiling = nice_ceiling(max(totals, default=0))
    body = _axis(left, top, plot_h, width, ceiling)
    for i, category in enumerate(categories):
        x, base = left + i * band + 2, float(top + plot_h)
        for s, (serie, values) in enumerate(series.items()):
            if not values[i]:
                continue
            h = values[i] / ceiling * plot_h
            base -= h
            tip = f"{category} · {serie}: {values[i]}"
            body.append(
                _mark(
                    x,
                    base,
                    band - 4,
                    h,
                    colour(s),
                    tip,
                    category=category,
                    series=serie,
                    value=values[i],
                )
            )
        lx, ly = x + band / 2, top + plot_h + 8
        body.append(
            f'<text x="{lx:.1f}" y="{ly:.1f}" text-anchor="end" '
            f'transform="rotate(-45 {lx:.1f} {ly:.1f})">{escape(shown[i])}</text>'
        )
    return _svg(name, width, height, body, label)


def _axis(left: float, top: float, plot_h: float, width: float, ceiling: int) -> list[str]:
    """Gridlines at 0, ½ and the top, with their values."""
    parts = []
    for share in (0, 0.5, 1):
        y = top + plot_h * (1 - share)
        value = ceiling * share
        text = f"{value:g}"
        parts.append(
            f'<line x1="{left}" x2="{width - 6:.0f}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ccc"/>'
            f'<text x="{left - 4}" y="{y + 4:.1f}" text-anchor="end">{text}</text>'
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


def heatmap(
    name: str,
    rows: Sequence[str],
    columns: Sequence[str],
    values: Mapping[tuple[str, str], float | None],
    label: str,
    labels: Sequence[str] | None = None,
) -> str:
    """A grid of shares (0..1): a cell per (row, column), darker where lower (what drift looks
    like), blank where there was nothing to measure.

    >>> svg = heatmap("c", ["title"], ["R1"], {("title", "R1"): 0.5}, "demo")
    >>> 'data-category="R1" data-series="title" data-value="0.5"' in svg, ">50<" in svg
    (True, True)
    """
    left, top, cell_w, cell_h = 130, 96, 46, 18
    width, height = left + cell_w * len(columns) + 90, top + cell_h * len(rows) + 6
    shown = labels or columns
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
            share = values.get((row, column))
            x = left + c * cell_w
            shown = "–" if share is None else f"{share:.0%}".rstrip("%")
            tip = f"{row} in {column}: " + ("not measured" if share is None else f"{share:.1%}")
            body.append(
                _mark(
                    x,
                    y,
                    cell_w - 2,
                    cell_h - 2,
                    _shade(share),
                    tip,
                    category=column,
                    series=row,
                    value="" if share is None else share,
                )
            )
            ink = "#fff" if share is not None and share < 0.5 else "#000"
            body.append(
                f'<text x="{x + cell_w / 2 - 1:.1f}" y="{y + 12}" text-anchor="middle" fill="{ink}">{shown}</text>'
            )
    return _svg(name, width, height, body, label)


def _shade(share: float | None) -> str:
    """Full coverage pale green, none dark red, unmeasured light grey.

    >>> _shade(1.0), _shade(0.0), _shade(None)
    ('#d9f0d3', '#8b1a1a', '#eeeeee')
    """
    if share is None:
        return "#eeeeee"
    low, high = (0x8B, 0x1A, 0x1A), (0xD9, 0xF0, 0xD3)
    mixed = (round(lo + (hi - lo) * share) for lo, hi in zip(low, high, strict=True))
    return "#" + "".join(f"{part:02x}" for part in mixed)


def legend(names: Sequence[str]) -> str:
    """An HTML legend for a chart's series, in the series' colours."""
    keys = (
        f'<span class="key"><i style="background:{colour(i)}"></i>{escape(n)}</span>'
        for i, n in enumerate(names)
    )
    return '<p class="legend">' + " ".join(keys) + "</p>"
