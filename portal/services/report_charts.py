"""Report charts drawn on the server as inline SVG strings (no script, no library, nothing the CSP refuses).

Each function returns one ``Markup`` ``<svg role="img">`` with a ``<title>`` and a ``<desc>``; every label
is escaped here, so a program title or an applicant's free-text answer can never become markup. The
viewBox is narrow (480 units) and the SVG scales to 100 % of its container, so text stays readable on a
375-px phone. Charts are an illustration: the page always puts a table with the same figures beside it.
Colours come from css/reports.css classes, with presentation-attribute fallbacks of the same colours.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import TypedDict, Unpack

from markupsafe import Markup, escape

WIDTH = 480
_FONT = 17  # about 12 px on a 375-px phone, where the 480-unit chart is some 345 px wide
_SMALL_FONT = 15
_BAR_COLOUR = "#0b52a0"
_TEXT_COLOUR = "#1d1d1f"
_MUTED_COLOUR = "#4a4a50"
_GRID_COLOUR = "#c9c6bf"

Rows = Sequence[tuple[str, float]]
Formatter = Callable[[float], str]


def format_number(value: float, unit: str = "") -> str:
    """Whole numbers without decimals, others to one; ``unit`` is appended as given (" h", "%", " days")."""
    text = f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"
    return f"{text}{unit}"


def _r(value: float) -> str:
    return f"{round(value, 1):g}"


def _nice_top(maximum: float) -> tuple[float, float]:
    """The scale's top and tick step: 1, 2 or 5 times a power of ten, four or five ticks above 0."""
    if maximum <= 0:
        return 1.0, 1.0
    raw = maximum / 4
    power = 10 ** math.floor(math.log10(raw))
    step = next(factor * power for factor in (1, 2, 5, 10) if factor * power >= raw)
    if step < 1 and maximum >= 1:
        step = 1.0
    return math.ceil(maximum / step) * step, step


def _open(chart_id: str, height: float, title: str, description: str, kind: str) -> list[str]:
    ident = escape(chart_id)
    return [
        f'<svg class="report-chart report-chart--{kind}" id="{ident}" viewBox="0 0 {WIDTH} {_r(height)}" '
        f'width="100%" preserveAspectRatio="xMinYMin meet" role="img" '
        f'aria-labelledby="{ident}-title {ident}-desc" xmlns="http://www.w3.org/2000/svg" focusable="false">',
        f'<title id="{ident}-title">{escape(title)}</title>',
        f'<desc id="{ident}-desc">{escape(description)}</desc>',
    ]


def _describe(rows: Rows, description: str | None, formatter: Formatter) -> str:
    if description is not None:
        return description
    if not rows:
        return "No figures for this selection."
    label, value = max(rows, key=lambda row: row[1])
    count = len(rows)
    return (
        f"{count} value{'s' if count != 1 else ''}; the highest is {label}: {formatter(value)}. "
        "The table with the chart lists every figure."
    )


def _empty(parts: list[str], height: float) -> Markup:
    parts.append(
        f'<text class="report-chart__empty" x="{WIDTH / 2:g}" y="{_r(height / 2)}" text-anchor="middle" '
        f'fill="{_MUTED_COLOUR}" font-size="{_FONT}">No figures for this selection</text>'
    )
    parts.append("</svg>")
    # Every piece above is escaped or a number, so the joined SVG is safe to mark as such.
    return Markup("\n".join(parts))  # noqa: S704  # nosec B704


class ChartOptions(TypedDict, total=False):
    description: str  # the <desc>; by default it names the highest value
    formatter: Formatter  # how a value is written; by default format_number(value, unit)
    max_labels: int  # column and line charts: how many labels along the bottom at most (6)


def _formatter(unit: str, options: ChartOptions) -> Formatter:
    return options.get("formatter") or (lambda value: format_number(value, unit))


def bar_chart(
    rows: Rows, *, title: str, unit: str = "", chart_id: str = "bar-chart", **options: Unpack[ChartOptions]
) -> Markup:
    """Horizontal bars, one row per (label, value), each label above its bar and the value after it:
    for a funnel or a distribution, where labels are long and a phone has no room for them at the side."""
    fmt = _formatter(unit, options)
    left, right, row_height, top = 4, 110, 52, 6
    height = top + max(len(rows), 1) * row_height + 4
    parts = _open(chart_id, height if rows else 80, title, _describe(rows, options.get("description"), fmt), "bar")
    if not rows:
        return _empty(parts, 80)
    top_value = max(max(value for _, value in rows), 0) or 1
    span = WIDTH - left - right
    for index, (label, value) in enumerate(rows):
        y = top + index * row_height
        width = span * max(value, 0) / top_value
        parts.append(
            f'<text class="report-chart__label" x="{left}" y="{_r(y + 17)}" fill="{_TEXT_COLOUR}" '
            f'font-size="{_FONT}">{escape(label)}</text>'
        )
        parts.append(
            f'<rect class="report-chart__bar" x="{left}" y="{_r(y + 24)}" width="{_r(max(width, 1))}" height="20" '
            f'fill="{_BAR_COLOUR}" data-label="{escape(label)}" data-value="{escape(fmt(value))}"/>'
        )
        parts.append(
            f'<text class="report-chart__value" x="{_r(left + max(width, 1) + 6)}" y="{_r(y + 40)}" '
            f'fill="{_TEXT_COLOUR}" font-size="{_FONT}" font-weight="700">{escape(fmt(value))}</text>'
        )
    parts.append("</svg>")
    # Every piece above is escaped or a number, so the joined SVG is safe to mark as such.
    return Markup("\n".join(parts))  # noqa: S704  # nosec B704


def _axes(rows: Rows, fmt_tick: Formatter) -> tuple[list[str], Callable[[float], float], float, float, float]:
    """The value grid shared by the column and line charts: ticks, and y for a value."""
    left, top, bottom = 60, 12, 218
    top_value, step = _nice_top(max((value for _, value in rows), default=0))
    parts: list[str] = []

    def y_of(value: float) -> float:
        return bottom - (bottom - top) * max(value, 0) / top_value

    for index in range(round(top_value / step) + 1):
        tick = round(index * step, 10)
        y = y_of(tick)
        parts.append(
            f'<line class="report-chart__grid" x1="{left}" x2="{WIDTH - 8}" y1="{_r(y)}" y2="{_r(y)}" '
            f'stroke="{_GRID_COLOUR}" stroke-width="1"/>'
        )
        parts.append(
            f'<text class="report-chart__tick" x="{left - 6}" y="{_r(y + 4)}" text-anchor="end" '
            f'fill="{_MUTED_COLOUR}" font-size="{_SMALL_FONT}">{escape(fmt_tick(tick))}</text>'
        )
    return parts, y_of, left, bottom, WIDTH - 8


def _x_labels(labels: Sequence[str], centres: Sequence[float], bottom: float, max_labels: int) -> list[str]:
    every = max(1, -(-len(labels) // max_labels))
    parts = []
    for index, (label, x) in enumerate(zip(labels, centres, strict=True)):
        if index % every == 0:
            parts.append(
                f'<text class="report-chart__axis-label" x="{_r(x)}" y="{_r(bottom + 22)}" text-anchor="middle" '
                f'fill="{_TEXT_COLOUR}" font-size="{_SMALL_FONT}">{escape(label)}</text>'
            )
    return parts


def _marks(
    kind: str, rows: Rows, centres: Sequence[float], slot: float, y_of: Callable[[float], float], fmt: Formatter
) -> list[str]:
    """Columns standing on the baseline, or a line with a dot per point; each mark carries its label
    and value as data attributes."""
    points = [(x, y_of(value)) for x, (_, value) in zip(centres, rows, strict=True)]
    bottom = y_of(0)
    parts = []
    if kind == "line":
        line_points = " ".join(f"{_r(x)},{_r(y)}" for x, y in points)
        parts.append(
            f'<polyline class="report-chart__line" fill="none" stroke="{_BAR_COLOUR}" stroke-width="2.5" '
            f'points="{line_points}"/>'
        )
    width = max(slot * 0.7, 1)
    for (label, value), (x, y) in zip(rows, points, strict=True):
        data = f'data-label="{escape(label)}" data-value="{escape(fmt(value))}"'
        if kind == "column":
            shape = (
                f'rect class="report-chart__bar" x="{_r(x - width / 2)}" y="{_r(y)}" '
                f'width="{_r(width)}" height="{_r(bottom - y)}"'
            )
        else:
            shape = f'circle class="report-chart__point" cx="{_r(x)}" cy="{_r(y)}" r="4"'
        parts.append(f'<{shape} fill="{_BAR_COLOUR}" {data}/>')
    return parts


def _over_time(rows: Rows, kind: str, title: str, unit: str, chart_id: str, options: ChartOptions) -> Markup:
    """A value axis with its grid, the columns or the line, and at most ``max_labels`` labels along the
    bottom so they never overlap."""
    fmt = _formatter(unit, options)
    height = 250
    parts = _open(chart_id, height, title, _describe(rows, options.get("description"), fmt), kind)
    if not rows:
        return _empty(parts, height)
    grid, y_of, left, bottom, right = _axes(rows, fmt)
    parts.extend(grid)
    slot = (right - left) / len(rows)
    centres = [left + slot * index + slot / 2 for index in range(len(rows))]
    parts.extend(_marks(kind, rows, centres, slot, y_of, fmt))
    parts.append(
        f'<line class="report-chart__baseline" x1="{left}" x2="{right}" y1="{bottom}" y2="{bottom}" '
        f'stroke="{_TEXT_COLOUR}" stroke-width="1.5"/>'
    )
    parts.extend(_x_labels([label for label, _ in rows], centres, bottom, options.get("max_labels", 6)))
    parts.append("</svg>")
    # Every piece above is escaped or a number, so the joined SVG is safe to mark as such.
    return Markup("\n".join(parts))  # noqa: S704  # nosec B704


def column_chart(
    rows: Rows, *, title: str, unit: str = "", chart_id: str = "column-chart", **options: Unpack[ChartOptions]
) -> Markup:
    """Vertical columns over time (applications per week, hours per month); each column carries its
    label and value as data attributes."""
    return _over_time(rows, "column", title, unit, chart_id, options)


def line_chart(
    rows: Rows, *, title: str, unit: str = "", chart_id: str = "line-chart", **options: Unpack[ChartOptions]
) -> Markup:
    """A line with a dot per point over time (a share per month, a running total), on the same axes as
    ``column_chart``."""
    return _over_time(rows, "line", title, unit, chart_id, options)
