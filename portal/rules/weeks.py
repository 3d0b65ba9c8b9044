"""Internship weeks (Monday to Sunday), which month a week belongs to, and the 12-week minimum."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from enum import Enum

from portal.rules.settings import ProgramRules

_DAY = timedelta(days=1)
_WEEK = timedelta(days=7)


def week_monday(d: date) -> date:
    """Monday of the week containing ``d``; weeks are keyed by their Monday everywhere."""
    return d - timedelta(days=d.weekday())


def week_month(monday: date) -> tuple[int, int]:
    """(year, month) holding the week's Thursday, so each week is paid in exactly one month.

    Any day of the week may be passed; it is moved to its Monday first.
    """
    thursday = week_monday(monday) + 3 * _DAY
    return thursday.year, thursday.month


def month_weeks(year: int, month: int) -> list[date]:
    """Mondays of the 4 or 5 weeks whose Thursday falls in the month: the stipend's denominator."""
    first = date(year, month, 1)
    thursday = first + timedelta(days=(3 - first.weekday()) % 7)
    mondays = []
    while thursday.month == month:
        mondays.append(thursday - 3 * _DAY)
        thursday += _WEEK
    return mondays


def is_short_week(approved_minutes: int, rules: ProgramRules) -> bool:
    """A week under the weekly minimum does not count toward the internship's minimum length."""
    return approved_minutes < rules.min_week_minutes


def placement_weeks(start: date, end: date | None, today: date) -> list[date]:
    """Mondays of the weeks the placement has been active so far (start through end or today).

    Empty when the placement has not started yet (or ends before it starts).
    """
    last = today if end is None else min(end, today)
    if start > last:
        return []
    monday = week_monday(start)
    last_monday = week_monday(last)
    mondays = []
    while monday <= last_monday:
        mondays.append(monday)
        monday += _WEEK
    return mondays


@dataclass(frozen=True)
class WeekSummary:
    """One week as an intern sees it on the progress page."""

    monday: date
    approved_minutes: int
    submitted: bool
    short: bool
    qualifying: bool


def summarise_weeks(
    mondays: list[date],
    approved_minutes_by_monday: Mapping[date, int],
    submitted_mondays: Collection[date],
    rules: ProgramRules,
) -> list[WeekSummary]:
    """Mark each week short or qualifying; a week with no approved hours counts as 0 and is short."""
    summaries = []
    for monday in mondays:
        minutes = approved_minutes_by_monday.get(monday, 0)
        short = is_short_week(minutes, rules)
        summaries.append(
            WeekSummary(
                monday=monday,
                approved_minutes=minutes,
                submitted=monday in submitted_mondays,
                short=short,
                qualifying=not short,
            )
        )
    return summaries


class CompletionState(str, Enum):
    """Where an internship stands against the minimum number of qualifying weeks."""

    COMPLETE = "complete"
    IN_PROGRESS = "in progress"
    ENDED_EARLY = "ended before the minimum"


@dataclass(frozen=True)
class Completion:
    """Completion state plus what is still needed, for the progress page and hours statement."""

    state: CompletionState
    qualifying_weeks: int
    weeks_needed: int
    projected_completion: date | None


def completion(
    qualifying_weeks: int,
    rules: ProgramRules,
    *,
    ended: bool,
    today: date,
    start: date | None = None,
    counted_mondays: Collection[date] = (),
) -> Completion:
    """Say whether the internship is complete, ended early, or when it could finish at the earliest.

    ``weeks_needed`` is how many more qualifying weeks are required (0 once complete).
    The projection assumes every week that can still qualify does: from today's week (or the
    placement's first week, ``start``, when it has not started yet), skipping weeks already counted
    in ``qualifying_weeks`` (``counted_mondays``); it is the Sunday of the week the minimum is reached.
    """
    weeks_needed = max(rules.min_weeks - qualifying_weeks, 0)
    if weeks_needed == 0:
        return Completion(CompletionState.COMPLETE, qualifying_weeks, 0, None)
    if ended:
        return Completion(CompletionState.ENDED_EARLY, qualifying_weeks, weeks_needed, None)
    monday = week_monday(today)
    if start is not None and week_monday(start) > monday:
        monday = week_monday(start)
    counted = set(counted_mondays)
    remaining = weeks_needed
    while True:
        if monday not in counted:
            remaining -= 1
            if remaining == 0:
                break
        monday += _WEEK
    last_sunday = monday + 6 * _DAY
    return Completion(CompletionState.IN_PROGRESS, qualifying_weeks, weeks_needed, last_sunday)
