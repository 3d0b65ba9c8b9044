"""The few statistics the reports print, written once so every report and its CSV agree.

- ``median``: the usual median (the middle value; the mean of the two middle ones for an even count).
- ``percentile``: the **nearest-rank** method: the smallest observed value with at least p % of the
  values at or below it. It is always a duration that really happened, so "90 % were first reviewed
  within 9 days" can be checked against the list; no interpolation between two applications.
- ``share``: a conversion between two funnel steps, ``None`` (shown as "–") when the step before is empty.
- ``spread_from_sums``: a reviewer's mean and population standard deviation from the count, sum and sum
  of squares the database adds up, so the page never loads every score.
- ``leaning``: whether a reviewer's mean sits far enough from everyone's to call them lenient or strict.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from portal.rules.weeks import week_monday

#: A reviewer whose mean is this many points (on the 1–5 scale) above or below everyone's is pointed out.
LEANING_POINTS = 0.5
#: A reviewer needs this many scores before being called lenient or strict (a few scores say little).
LEANING_MIN_SCORES = 5


def median(values: Sequence[float]) -> float | None:
    """The middle value (the mean of the two middle values for an even count); ``None`` for no values."""
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return float(ordered[middle])
    return (ordered[middle - 1] + ordered[middle]) / 2


def percentile(values: Sequence[float], p: float) -> float | None:
    """Nearest rank: the value at rank ⌈p/100 × n⌉ of the sorted values (0 < p ≤ 100); ``None`` for none."""
    if not 0 < p <= 100:
        raise ValueError(f"A percentile is above 0 and at most 100, not {p!r}")
    if not values:
        return None
    ordered = sorted(values)
    rank = math.ceil(p / 100 * len(ordered))
    return float(ordered[max(rank, 1) - 1])


@dataclass(frozen=True)
class Durations:
    """How many durations, and their median and 90th percentile (in the unit given: days here)."""

    count: int
    median: float | None
    p90: float | None


def summarise_durations(values: Sequence[float]) -> Durations:
    """Median and nearest-rank 90th percentile; a negative duration (clock skew) counts as 0."""
    cleaned = [max(value, 0.0) for value in values if value is not None and not math.isnan(value)]
    return Durations(len(cleaned), median(cleaned), percentile(cleaned, 90))


def share(count: int, base: int) -> float | None:
    """``count`` as a fraction of ``base`` (0.0–1.0 for a funnel); ``None`` when ``base`` is 0."""
    if base <= 0:
        return None
    return count / base


def format_share(value: float | None) -> str:
    """A share as a whole percentage ("38%"), "–" when there is nothing to divide by."""
    return "–" if value is None else f"{round(value * 100)}%"


@dataclass(frozen=True)
class Spread:
    count: int
    mean: float | None
    deviation: float | None  # population standard deviation; 0 for a single score


def spread_from_sums(count: int, total: float, total_squares: float) -> Spread:
    """Mean and population standard deviation from n, Σx and Σx² (rounding below 0 is taken as 0)."""
    if count <= 0:
        return Spread(0, None, None)
    mean = total / count
    variance = max(total_squares / count - mean * mean, 0.0)
    return Spread(count, mean, math.sqrt(variance))


def spread(values: Sequence[float]) -> Spread:
    """The same figures from the values themselves (for tests and small lists)."""
    return spread_from_sums(len(values), sum(values), sum(value * value for value in values))


def leaning(reviewer: Spread, everyone_mean: float | None) -> str:
    """"lenient", "strict" or "" (close to everyone, or too few scores to say)."""
    if reviewer.mean is None or everyone_mean is None or reviewer.count < LEANING_MIN_SCORES:
        return ""
    difference = reviewer.mean - everyone_mean
    if difference >= LEANING_POINTS:
        return "lenient"
    if difference <= -LEANING_POINTS:
        return "strict"
    return ""


def week_span(
    first: date | None, last: date | None, *, window: tuple[date, date] | None = None, limit: int = 530
) -> list[date]:
    """The Mondays of every week from the first to the last day shown: the applications' first and last
    days, widened to ``window`` (the program's application window) when given; at most ``limit`` weeks
    (the last ones), so an open date range over years never draws thousands of columns."""
    days = [day for day in (first, last) if day is not None]
    if window is not None:
        days.extend(window)
    if not days:
        return []
    start, end = week_monday(min(days)), week_monday(max(days))
    count = (end - start).days // 7 + 1
    start = start + timedelta(weeks=max(count - limit, 0))
    return [start + timedelta(weeks=index) for index in range(min(count, limit))]


def per_week(counts_by_day: Mapping[date, int], mondays: Sequence[date]) -> list[tuple[date, int]]:
    """Daily counts added up into the given weeks (Monday to Sunday), a week without any shown as 0."""
    totals = dict.fromkeys(mondays, 0)
    for day, count in counts_by_day.items():
        monday = week_monday(day)
        if monday in totals:
            totals[monday] += count
    return list(totals.items())
