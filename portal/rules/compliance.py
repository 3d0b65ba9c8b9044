"""Where an internship stands, week by week: the definitions behind the dashboards and the statement.

- A week's **approved minutes** are its logged minutes once the timesheet is approved, else 0: only
  approved hours count toward the minimums and stipends (DESIGN.md, "The rules").
- A week is **qualifying** or **short** once approved (``is_short_week`` decides); **waiting** while
  submitted and not yet decided; **missing** when it is over with no submitted or approved timesheet
  (none, a draft or a returned one); **open** while it is the current week and nothing was submitted.
- The **learning share** is learning minutes ÷ all minutes logged (any status) in the last 4 weeks
  that are over; ``None`` when nothing was logged. Under half is flagged (intern rights).
- **At risk**: two short or missing weeks in a row among the last 4 weeks that are over, for a
  placement that has not ended.
- An approval is **overdue** when a week has waited more than 3 days since it was submitted.
- **Stipend months**: the months (by the Thursday rule) of the weeks the placement has been active so
  far; a month is final once each of its weeks in the placement is over and none of them is still
  pending (submitted and waiting, or a draft or returned timesheet with hours that can still be
  submitted), else it is counted "so far", through the last week that is over.

Pure like the rest of ``portal.rules``: records in, figures out, "today" and "now" passed in.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from fractions import Fraction

from portal.formatting import long_date
from portal.rules.settings import ProgramRules
from portal.rules.weeks import (
    Completion,
    CompletionState,
    completion,
    is_short_week,
    month_weeks,
    placement_weeks,
    week_monday,
    week_month,
)

LEARNING_WINDOW_WEEKS = 4
RISK_WINDOW_WEEKS = 4
RISK_RUN_WEEKS = 2
APPROVAL_WAIT_DAYS = 3

# Timesheet statuses as stored (``portal.models.WeekStatus`` values; the rules do not import models).
DRAFT, SUBMITTED, APPROVED, RETURNED = "draft", "submitted", "approved", "returned"

_DAY = timedelta(days=1)


class WeekState(StrEnum):
    QUALIFYING = "qualifying"
    SHORT = "short"
    WAITING = "waiting"
    MISSING = "missing"
    OPEN = "open"

    @property
    def label(self) -> str:
        return _STATE_LABELS[self]


_STATE_LABELS = {
    WeekState.QUALIFYING: "Qualifying",
    WeekState.SHORT: "Short",
    WeekState.WAITING: "Waiting for approval",
    WeekState.MISSING: "Missing",
    WeekState.OPEN: "This week, still open",
}


_LOGGED = (WeekState.QUALIFYING, WeekState.SHORT, WeekState.WAITING)


@dataclass(frozen=True)
class WeekRecord:
    """What is stored about one week: its timesheet's status (None: no timesheet) and minutes logged."""

    monday: date
    status: str | None = None
    logged_minutes: int = 0
    learning_minutes: int = 0
    submitted_at: datetime | None = None

    @property
    def approved_minutes(self) -> int:
        """Logged minutes count only once the week is approved."""
        return self.logged_minutes if self.status == APPROVED else 0

    @property
    def submitted(self) -> bool:
        return self.status in (SUBMITTED, APPROVED)


def week_is_over(monday: date, today: date, end: date | None = None) -> bool:
    """True once the week's last day of the placement (its Sunday, or the end date) is before today."""
    last = monday + 6 * _DAY
    if end is not None and end < last:
        last = end
    return last < today


def week_state(record: WeekRecord, rules: ProgramRules, *, today: date, end: date | None = None) -> WeekState:
    if record.status == APPROVED:
        return WeekState.SHORT if is_short_week(record.approved_minutes, rules) else WeekState.QUALIFYING
    if record.status == SUBMITTED:
        return WeekState.WAITING
    if week_is_over(record.monday, today, end):
        return WeekState.MISSING
    return WeekState.OPEN


def approval_waiting_days(submitted_at: datetime, now: datetime) -> int:
    """Whole days since the week was submitted (0 on the day itself)."""
    return max((now - submitted_at).days, 0)


def approval_overdue(submitted_at: datetime | None, now: datetime, max_days: int = APPROVAL_WAIT_DAYS) -> bool:
    """A submitted week waiting more than ``max_days`` days (exactly 3 days is not yet overdue)."""
    return submitted_at is not None and now - submitted_at > timedelta(days=max_days)


@dataclass(frozen=True)
class LearningShare:
    """Learning minutes out of all minutes logged in the last weeks that are over."""

    weeks: tuple[date, ...]
    learning_minutes: int
    total_minutes: int

    @property
    def share(self) -> Fraction | None:
        return Fraction(self.learning_minutes, self.total_minutes) if self.total_minutes else None

    @property
    def under_half(self) -> bool:
        return self.share is not None and self.share < Fraction(1, 2)

    @property
    def percent(self) -> int | None:
        """The share as a whole percentage, rounded down (so 49.9 % never shows as 50 %)."""
        return None if self.share is None else int(self.share * 100)


def learning_share(
    records: Mapping[date, WeekRecord], over_mondays: Sequence[date], window: int = LEARNING_WINDOW_WEEKS
) -> LearningShare:
    """The share over the last ``window`` of ``over_mondays`` (weeks that are over, oldest first)."""
    weeks = tuple(over_mondays[-window:]) if window > 0 else ()
    learning = sum(records[m].learning_minutes for m in weeks if m in records)
    total = sum(records[m].logged_minutes for m in weeks if m in records)
    return LearningShare(weeks=weeks, learning_minutes=learning, total_minutes=total)


def risk_run(
    states: Sequence[tuple[date, WeekState]], window: int = RISK_WINDOW_WEEKS, run: int = RISK_RUN_WEEKS
) -> tuple[date, ...] | None:
    """The latest ``run`` weeks in a row that are short or missing among the last ``window`` weeks that
    are over (``states`` oldest first; open weeks are skipped), or None."""
    over = [(monday, state) for monday, state in states if state is not WeekState.OPEN][-window:] if window else []
    found: tuple[date, ...] | None = None
    streak: list[date] = []
    for monday, state in over:
        if state in (WeekState.SHORT, WeekState.MISSING):
            streak.append(monday)
            if len(streak) >= run:
                found = tuple(streak[-run:])
        else:
            streak = []
    return found


def completion_wording(result: Completion, rules: ProgramRules, ended_on: date | None = None) -> str:
    """The one sentence about the minimum length that the dashboard, the compliance page, the hours
    statement (page and PDF) and its verification page all print; ``ended_on`` is the end date of a
    placement that has ended ("Ended before the 12-week minimum on 14 November 2026")."""
    on = f" on {long_date(ended_on)}" if ended_on is not None else ""
    if result.state is CompletionState.COMPLETE:
        return f"Completed the {rules.min_weeks}-week minimum" + (f" and ended{on}" if on else "")
    if result.state is CompletionState.ENDED_EARLY:
        return f"Ended before the {rules.min_weeks}-week minimum{on}"
    return f"In progress: {result.qualifying_weeks} of the {rules.min_weeks} qualifying weeks needed so far"


def stipend_threshold_minutes(rules: ProgramRules) -> int:
    """The weekly average from which a stipend is paid: the lowest tier paying more than $0."""
    paying = [tier.min_average_minutes for tier in rules.stipend_tiers if tier.monthly_cents > 0]
    return min(paying) if paying else rules.stipend_min_week_minutes


@dataclass(frozen=True)
class StipendMonth:
    """A month to work a stipend out for; ``counted_end`` is the end date to pass to ``month_stipend``."""

    year: int
    month: int
    final: bool
    counted_end: date | None


def week_pending(record: WeekRecord) -> bool:
    """A week whose approved minutes may still change: submitted and waiting, or a draft or returned
    timesheet with hours logged (it can still be submitted; an empty one would count 0 either way)."""
    if record.status == SUBMITTED:
        return True
    return record.status in (DRAFT, RETURNED) and record.logged_minutes > 0


def stipend_months(
    start: date, end: date | None, today: date, records: Iterable[WeekRecord] = ()
) -> list[StipendMonth]:
    """The months of the placement so far, oldest first; a month still going, or over with a week of
    the placement still pending (``week_pending``), is counted "so far", through the Sunday before
    today's week (later weeks would otherwise count as 0 hours)."""
    pending = {record.monday for record in records if week_pending(record)}
    active = placement_weeks(start, end, today)
    months: list[tuple[int, int]] = []
    for monday in active:
        key = week_month(monday)
        if key not in months:
            months.append(key)
    so_far_end = week_monday(today) - _DAY
    result = []
    for year, month in months:
        month_mondays = month_weeks(year, month)
        final = week_is_over(month_mondays[-1], today, end) and not any(
            monday in pending and monday in active for monday in month_mondays
        )
        counted_end = end if final else (so_far_end if end is None else min(end, so_far_end))
        result.append(StipendMonth(year, month, final, counted_end))
    return result


@dataclass(frozen=True)
class WeekFigure:
    """One week as the pages show it."""

    monday: date
    state: WeekState
    approved_minutes: int
    logged_minutes: int
    learning_minutes: int
    submitted_at: datetime | None
    approval_overdue: bool

    @property
    def sunday(self) -> date:
        return self.monday + 6 * _DAY


@dataclass(frozen=True)
class Standing:
    """Everything the dashboard, the compliance page and the hours statement say about a placement."""

    weeks: tuple[WeekFigure, ...]
    this_week: WeekFigure | None
    this_week_minutes_left: int
    qualifying_weeks: int
    short_weeks: tuple[WeekFigure, ...]
    missing_weeks: tuple[WeekFigure, ...]
    waiting_weeks: tuple[WeekFigure, ...]
    overdue_weeks: tuple[WeekFigure, ...]
    weeks_logged: int
    weeks_over: int
    total_approved_minutes: int
    learning: LearningShare
    risk: tuple[date, ...] | None
    completion: Completion
    ended: bool
    projected_after_end: bool

    @property
    def at_risk(self) -> bool:
        return self.risk is not None


def standing(
    records: Iterable[WeekRecord],
    *,
    start: date,
    end: date | None,
    ended: bool,
    today: date,
    now: datetime,
    rules: ProgramRules,
) -> Standing:
    """Turn a placement's stored weeks into its figures; weeks outside the placement so far are ignored."""
    by_monday = {record.monday: record for record in records}
    mondays = placement_weeks(start, end, today)
    weeks = []
    for monday in mondays:
        record = by_monday.get(monday, WeekRecord(monday))
        state = week_state(record, rules, today=today, end=end)
        weeks.append(
            WeekFigure(
                monday=monday,
                state=state,
                approved_minutes=record.approved_minutes,
                logged_minutes=record.logged_minutes,
                learning_minutes=record.learning_minutes,
                submitted_at=record.submitted_at,
                approval_overdue=state is WeekState.WAITING and approval_overdue(record.submitted_at, now),
            )
        )
    qualifying = sum(1 for week in weeks if week.state is WeekState.QUALIFYING)
    current = week_monday(today)
    this_week = next((week for week in weeks if week.monday == current), None) if not ended else None
    over = [week.monday for week in weeks if week_is_over(week.monday, today, end)]
    counted = {week.monday for week in weeks if week.state is WeekState.QUALIFYING}
    result = completion(qualifying, rules, ended=ended, today=today, start=start, counted_mondays=counted)
    projected = result.projected_completion
    return Standing(
        weeks=tuple(weeks),
        this_week=this_week,
        this_week_minutes_left=max(rules.min_week_minutes - this_week.logged_minutes, 0) if this_week else 0,
        qualifying_weeks=qualifying,
        short_weeks=tuple(week for week in weeks if week.state is WeekState.SHORT),
        missing_weeks=tuple(week for week in weeks if week.state is WeekState.MISSING),
        waiting_weeks=tuple(week for week in weeks if week.state is WeekState.WAITING),
        overdue_weeks=tuple(week for week in weeks if week.approval_overdue),
        weeks_logged=sum(1 for week in weeks if week.state in _LOGGED),
        weeks_over=len(over),
        total_approved_minutes=sum(week.approved_minutes for week in weeks),
        learning=learning_share(by_monday, over),
        risk=None if ended else risk_run([(week.monday, week.state) for week in weeks]),
        completion=result,
        ended=ended,
        projected_after_end=projected is not None and end is not None and projected > end,
    )
