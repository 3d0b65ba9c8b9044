"""The weekly hours chart as plain geometry; ``timesheets/_progress.html`` draws it as inline SVG.

No script and no library: bars for approved hours per week, a dashed line at the weekly minimum and
one at the stipend threshold, each labelled. The page puts a table with the same figures next to it,
so screen readers get the numbers (the SVG itself is one image with a title and a description).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from portal.rules.compliance import WeekFigure
from portal.rules.hours import format_minutes

WIDTH = 640
HEIGHT = 300
LEFT = 44  # room for the hour ticks
RIGHT = 112  # room for the line labels
TOP = 16
BOTTOM = 40  # room for the week labels
_STEP_MINUTES = 5 * 60
_SHORT_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str  # "6 Oct"
    label_x: float
    show_label: bool
    state: str  # WeekState value, for the bar's colour class
    value: str  # "26 h"
    pending_y: float  # submitted hours still waiting for approval, drawn as an outline
    pending_height: float


@dataclass(frozen=True)
class Line:
    y: float
    label: str  # "15 h minimum"
    kind: str  # "minimum" or "stipend"
    label_y: float


@dataclass(frozen=True)
class Tick:
    y: float
    label: str


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    plot_left: int
    plot_right: int
    plot_top: int
    plot_bottom: int
    bars: tuple[Bar, ...]
    lines: tuple[Line, ...]
    ticks: tuple[Tick, ...]
    title: str
    description: str


def _short_date(week: WeekFigure) -> str:
    return f"{week.monday.day} {_SHORT_MONTHS[week.monday.month - 1]}"


def _pending(week: WeekFigure) -> int:
    return week.logged_minutes if week.state == "waiting" else 0


def _round(value: float) -> float:
    return round(value, 1)


def weekly_hours_chart(
    weeks: Sequence[WeekFigure], *, minimum_minutes: int, stipend_minutes: int | None = None
) -> Chart:
    """Bars of approved hours per week with the minimum (and, for stipend-eligible placements, the
    stipend threshold) drawn across; the scale runs to the next 5 hours above everything shown."""
    top_minutes = max(
        [max(week.approved_minutes, _pending(week)) for week in weeks] + [minimum_minutes, stipend_minutes or 0]
    )
    scale_max = (top_minutes // _STEP_MINUTES + 1) * _STEP_MINUTES
    plot_right, plot_bottom = WIDTH - RIGHT, HEIGHT - BOTTOM
    plot_width, plot_height = plot_right - LEFT, plot_bottom - TOP

    def y_of(minutes: int) -> float:
        return _round(plot_bottom - plot_height * minutes / scale_max)

    slot = plot_width / max(len(weeks), 1)
    every = max(1, -(-len(weeks) // 12))  # at most 12 week labels, so they never overlap
    bars = []
    for index, week in enumerate(weeks):
        width = slot * 0.7
        x = LEFT + slot * index + (slot - width) / 2
        y = y_of(week.approved_minutes)
        pending_y = y_of(_pending(week))
        bars.append(
            Bar(
                x=_round(x),
                y=y,
                width=_round(width),
                height=_round(plot_bottom - y),
                label=_short_date(week),
                label_x=_round(LEFT + slot * index + slot / 2),
                show_label=index % every == 0 or index == len(weeks) - 1,
                state=week.state.value,
                value=format_minutes(week.approved_minutes),
                pending_y=pending_y,
                pending_height=_round(plot_bottom - pending_y),
            )
        )
    lines = [Line(y_of(minimum_minutes), f"{format_minutes(minimum_minutes)} minimum", "minimum", 0)]
    if stipend_minutes is not None:
        lines.append(Line(y_of(stipend_minutes), f"{format_minutes(stipend_minutes)} stipend", "stipend", 0))
    # Keep the two labels apart when the lines are close.
    placed: list[Line] = []
    for line in sorted(lines, key=lambda item: item.y):
        label_y = line.y + 4
        if placed and label_y - placed[-1].label_y < 14:
            label_y = placed[-1].label_y + 14
        placed.append(Line(line.y, line.label, line.kind, _round(label_y)))
    ticks = tuple(
        Tick(y_of(minutes), f"{minutes // 60}") for minutes in range(0, scale_max + 1, _STEP_MINUTES)
    )
    qualifying = sum(1 for week in weeks if week.state == "qualifying")
    description = (
        f"{len(weeks)} week{'s' if len(weeks) != 1 else ''}, {qualifying} at or above the "
        f"{format_minutes(minimum_minutes)} minimum. The table next to the chart lists each week's hours."
    )
    return Chart(
        width=WIDTH,
        height=HEIGHT,
        plot_left=LEFT,
        plot_right=plot_right,
        plot_top=TOP,
        plot_bottom=plot_bottom,
        bars=tuple(bars),
        lines=tuple(placed),
        ticks=ticks,
        title="Approved hours per week",
        description=description,
    )
