"""When a placement's midpoint and final evaluations are due, and whether one is late.

Schools that give credit ask for a check-in halfway and an evaluation at the end. Both follow the
placement's own weeks (Monday to Sunday, week 1 holding the start date): the midpoint in its
``midpoint_week`` (6 by default, a program setting), the final in its last week. A placement without a
planned end lasts the program's minimum number of weeks for this purpose. An evaluation opens on the
Monday of its week and is due on that week's last day of the placement (its Sunday, or the planned end
when that comes first); after that it is overdue until it is submitted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import Enum

from portal.rules.weeks import week_monday

DEFAULT_MIDPOINT_WEEK = 6
_WEEK = timedelta(days=7)
_SUNDAY = timedelta(days=6)


class EvaluationKind(str, Enum):
    MIDPOINT = "midpoint"
    FINAL = "final"


class EvaluationState(str, Enum):
    NOT_OPEN = "not_open"  # its week has not come yet
    OPEN = "open"  # its week has come, and it is not due yet (or due today)
    OVERDUE = "overdue"
    SUBMITTED = "submitted"


@dataclass(frozen=True)
class EvaluationWindow:
    """The week an evaluation belongs to: it opens on ``opens`` and is due on ``due`` (both inclusive)."""

    kind: EvaluationKind
    week_number: int
    opens: date
    due: date


def placement_week_count(start: date, planned_end: date | None, min_weeks: int) -> int:
    """How many Monday-to-Sunday weeks the placement spans, start and planned end included; without a
    planned end, the program's minimum."""
    if planned_end is None or planned_end < start:
        return max(1, min_weeks)
    return (week_monday(planned_end) - week_monday(start)).days // 7 + 1


def midpoint_week_number(week_count: int, midpoint_week: int = DEFAULT_MIDPOINT_WEEK) -> int:
    """The setting's week, but never in the second half of a short placement (a 6-week placement has its
    check-in in week 3, not in its last week with the final) and never before week 1."""
    halfway = (week_count + 1) // 2
    return max(1, min(midpoint_week, halfway))


def evaluation_windows(
    start: date,
    planned_end: date | None,
    *,
    min_weeks: int,
    midpoint_week: int = DEFAULT_MIDPOINT_WEEK,
) -> tuple[EvaluationWindow, EvaluationWindow]:
    """The midpoint's and the final evaluation's weeks for a placement starting on ``start``."""
    weeks = placement_week_count(start, planned_end, min_weeks)
    last_day = planned_end if planned_end is not None and planned_end >= start else None

    def window(kind: EvaluationKind, number: int) -> EvaluationWindow:
        monday = week_monday(start) + (number - 1) * _WEEK
        sunday = monday + _SUNDAY
        due = min(sunday, last_day) if last_day is not None else sunday
        return EvaluationWindow(kind, number, max(monday, start), due)

    return window(EvaluationKind.MIDPOINT, midpoint_week_number(weeks, midpoint_week)), window(
        EvaluationKind.FINAL, weeks
    )


def evaluation_state(window: EvaluationWindow, today: date, *, submitted: bool) -> EvaluationState:
    """Where an evaluation stands on ``today``: submitted wins; else by its window."""
    if submitted:
        return EvaluationState.SUBMITTED
    if today < window.opens:
        return EvaluationState.NOT_OPEN
    if today <= window.due:
        return EvaluationState.OPEN
    return EvaluationState.OVERDUE
