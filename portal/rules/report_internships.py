"""What the internships report counts, as pure definitions (no Flask, no database, "today" passed in).

- A week belongs to the report's range when its **Thursday** is in it, as a week belongs to the month
  that holds its Thursday (``rules.weeks.week_month``): every week is in exactly one month, so the
  monthly hours, the qualifying share and the stipends of a month all count the same weeks.
- The **learning share** of an intern is learning minutes ÷ all minutes logged in the range (any
  status, as the compliance page's share), shown as a distribution over ``LEARNING_BUCKETS``; the
  first boundary is the half that the compliance page flags.
- **Time to answer** a concern: its median and 90th percentile are ``rules.report_statistics``'s, as
  for the recruitment report's times; ``format_wait`` writes them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction

from portal.rules.weeks import week_monday, week_month

_DAY = timedelta(days=1)
_WEEK = timedelta(days=7)


@dataclass(frozen=True)
class LearningBucket:
    """Interns whose learning share is at least ``lower`` and under ``upper`` (no upper: up to 100 %)."""

    label: str
    lower: Fraction
    upper: Fraction | None


LEARNING_BUCKETS: tuple[LearningBucket, ...] = (
    LearningBucket("Under 25%", Fraction(0), Fraction(1, 4)),
    LearningBucket("25% to under 50%", Fraction(1, 4), Fraction(1, 2)),
    LearningBucket("50% to under 75%", Fraction(1, 2), Fraction(3, 4)),
    LearningBucket("75% and more", Fraction(3, 4), None),
)


def learning_bucket(learning_minutes: int, total_minutes: int) -> int | None:
    """The index in ``LEARNING_BUCKETS`` of an intern's share; None when nothing was logged."""
    if total_minutes <= 0:
        return None
    share = Fraction(learning_minutes, total_minutes)
    for index, bucket in enumerate(LEARNING_BUCKETS):
        if share >= bucket.lower and (bucket.upper is None or share < bucket.upper):
            return index
    return len(LEARNING_BUCKETS) - 1


def range_mondays(first: date, last: date) -> list[date]:
    """Mondays of the weeks whose Thursday is from ``first`` to ``last`` (both included), oldest first."""
    monday = week_monday(first)
    if monday + 3 * _DAY < first:
        monday += _WEEK
    mondays = []
    while monday + 3 * _DAY <= last:
        mondays.append(monday)
        monday += _WEEK
    return mondays


def range_months(mondays: list[date]) -> list[tuple[int, int]]:
    """The (year, month) of those weeks by the Thursday rule, oldest first, each once."""
    months: list[tuple[int, int]] = []
    for monday in mondays:
        key = week_month(monday)
        if key not in months:
            months.append(key)
    return months


def share_percent(part: int, whole: int) -> int | None:
    """A share as a whole percentage rounded down (49.9% never shows as 50%); None when ``whole`` is 0."""
    if whole <= 0:
        return None
    return part * 100 // whole


def format_wait(seconds: float) -> str:
    """A time to answer as people say it: "40 min", "5 h", "3 days" (hours and days rounded half-up)."""
    minutes = int(Fraction(seconds) / 60 + Fraction(1, 2))
    if minutes < 60:
        return f"{minutes} min"
    hours = int(Fraction(minutes, 60) + Fraction(1, 2))
    if hours < 48:
        return f"{hours} h"
    days = int(Fraction(hours, 24) + Fraction(1, 2))
    return f"{days} days"
