"""Weeks, the month a week is paid in, short weeks and the 12-week minimum (no app needed)."""

from datetime import date

import pytest

from portal.rules.settings import DEFAULT_RULES, ProgramRules
from portal.rules.weeks import (
    CompletionState,
    completion,
    is_short_week,
    month_weeks,
    placement_weeks,
    summarise_weeks,
    week_monday,
    week_month,
)


@pytest.mark.parametrize(
    ("day", "monday"),
    [
        (date(2025, 10, 13), date(2025, 10, 13)),  # Monday is its own week
        (date(2025, 10, 16), date(2025, 10, 13)),  # Thursday
        (date(2025, 10, 19), date(2025, 10, 13)),  # Sunday still in the same week
        (date(2025, 10, 20), date(2025, 10, 20)),  # next Monday starts a new week
        (date(2025, 10, 1), date(2025, 9, 29)),  # week crossing a month boundary
        (date(2026, 1, 1), date(2025, 12, 29)),  # and a year boundary
    ],
)
def test_week_monday(day: date, monday: date) -> None:
    assert week_monday(day) == monday


@pytest.mark.parametrize(
    ("monday", "year_month"),
    [
        (date(2025, 9, 29), (2025, 10)),  # Thursday 2 Oct: counts in October
        (date(2025, 9, 22), (2025, 9)),  # Thursday 25 Sep
        (date(2025, 10, 27), (2025, 10)),  # Thursday 30 Oct, Sunday 2 Nov
        (date(2025, 12, 29), (2026, 1)),  # Thursday 1 Jan 2026: next year
        (date(2024, 12, 30), (2025, 1)),
        (date(2025, 10, 1), (2025, 10)),  # a Wednesday is moved to its Monday first
    ],
)
def test_week_month_uses_the_thursday(monday: date, year_month: tuple[int, int]) -> None:
    assert week_month(monday) == year_month


@pytest.mark.parametrize(
    ("year", "month", "mondays"),
    [
        (
            2025,
            10,
            [date(2025, 9, 29), date(2025, 10, 6), date(2025, 10, 13), date(2025, 10, 20),
             date(2025, 10, 27)],
        ),
        (
            2025,
            9,
            [date(2025, 9, 1), date(2025, 9, 8), date(2025, 9, 15), date(2025, 9, 22)],
        ),
        (
            2026,
            2,  # February 2026 starts on a Sunday: exactly 4 weeks
            [date(2026, 2, 2), date(2026, 2, 9), date(2026, 2, 16), date(2026, 2, 23)],
        ),
        (
            2026,
            1,
            [date(2025, 12, 29), date(2026, 1, 5), date(2026, 1, 12), date(2026, 1, 19),
             date(2026, 1, 26)],
        ),
    ],
)
def test_month_weeks(year: int, month: int, mondays: list[date]) -> None:
    assert month_weeks(year, month) == mondays


def test_every_week_of_a_year_belongs_to_exactly_one_month() -> None:
    counted = [monday for month in range(1, 13) for monday in month_weeks(2025, month)]
    assert len(counted) == len(set(counted))
    # 2025 has 52 ISO weeks, from the week of Monday 30 Dec 2024.
    assert len(counted) == 52
    assert counted[0] == date(2024, 12, 30)
    assert all(week_month(monday)[0] == 2025 for monday in counted)


@pytest.mark.parametrize(
    ("approved_minutes", "short"),
    [
        (0, True),
        (14 * 60 + 59, True),
        (15 * 60, False),
        (15 * 60 + 1, False),
        (40 * 60, False),
    ],
)
def test_short_week_boundary(approved_minutes: int, short: bool) -> None:
    assert is_short_week(approved_minutes, DEFAULT_RULES) is short


def test_short_week_follows_the_program_setting() -> None:
    rules = ProgramRules(min_week_minutes=10 * 60)
    assert is_short_week(10 * 60, rules) is False
    assert is_short_week(10 * 60 - 1, rules) is True


@pytest.mark.parametrize(
    ("start", "end", "today", "mondays"),
    [
        # Started Thursday 16 Oct, still going on Tuesday 28 Oct: three weeks so far.
        (date(2025, 10, 16), None, date(2025, 10, 28),
         [date(2025, 10, 13), date(2025, 10, 20), date(2025, 10, 27)]),
        # Ended Wednesday 22 Oct: later weeks are not active even though today is later.
        (date(2025, 10, 16), date(2025, 10, 22), date(2025, 11, 30),
         [date(2025, 10, 13), date(2025, 10, 20)]),
        # Starting today counts today's week.
        (date(2025, 10, 19), None, date(2025, 10, 19), [date(2025, 10, 13)]),
        # Not started yet.
        (date(2025, 10, 20), None, date(2025, 10, 19), []),
        # End in the future: only up to today.
        (date(2025, 10, 6), date(2025, 12, 19), date(2025, 10, 14),
         [date(2025, 10, 6), date(2025, 10, 13)]),
    ],
)
def test_placement_weeks(
    start: date, end: date | None, today: date, mondays: list[date]
) -> None:
    assert placement_weeks(start, end, today) == mondays


def test_summarise_weeks_counts_missing_weeks_as_short_zero() -> None:
    mondays = [date(2025, 10, 6), date(2025, 10, 13), date(2025, 10, 20)]
    approved = {date(2025, 10, 6): 15 * 60, date(2025, 10, 13): 14 * 60 + 59}
    submitted = {date(2025, 10, 6), date(2025, 10, 13)}

    rows = summarise_weeks(mondays, approved, submitted, DEFAULT_RULES)

    assert [row.monday for row in rows] == mondays
    assert [row.approved_minutes for row in rows] == [15 * 60, 14 * 60 + 59, 0]
    assert [row.submitted for row in rows] == [True, True, False]
    assert [row.short for row in rows] == [False, True, True]
    assert [row.qualifying for row in rows] == [True, False, False]


@pytest.mark.parametrize(
    ("qualifying", "ended", "state", "needed"),
    [
        (12, False, CompletionState.COMPLETE, 0),
        (13, False, CompletionState.COMPLETE, 0),
        (12, True, CompletionState.COMPLETE, 0),  # ending after the minimum is complete
        (11, True, CompletionState.ENDED_EARLY, 1),
        (0, True, CompletionState.ENDED_EARLY, 12),
        (11, False, CompletionState.IN_PROGRESS, 1),
        (0, False, CompletionState.IN_PROGRESS, 12),
    ],
)
def test_completion_state(
    qualifying: int, ended: bool, state: CompletionState, needed: int
) -> None:
    result = completion(qualifying, DEFAULT_RULES, ended=ended, today=date(2025, 10, 15))
    assert result.state is state
    assert result.qualifying_weeks == qualifying
    assert result.weeks_needed == needed


def test_completion_labels_read_as_the_statement_says_them() -> None:
    assert CompletionState.ENDED_EARLY.value == "ended before the minimum"
    assert CompletionState.COMPLETE.value == "complete"


@pytest.mark.parametrize(
    ("qualifying", "today", "projected"),
    [
        # Wednesday 15 Oct, 9 weeks to go: this week plus 8 more, ending Sunday 14 Dec.
        (3, date(2025, 10, 15), date(2025, 12, 14)),
        # One week to go: the Sunday of this very week.
        (11, date(2025, 10, 13), date(2025, 10, 19)),
        (11, date(2025, 10, 19), date(2025, 10, 19)),
        # Nothing yet: 12 weeks from this one.
        (0, date(2025, 9, 1), date(2025, 11, 23)),
    ],
)
def test_projected_completion_assumes_every_week_from_now_qualifies(
    qualifying: int, today: date, projected: date
) -> None:
    result = completion(qualifying, DEFAULT_RULES, ended=False, today=today)
    assert result.projected_completion == projected
    assert result.projected_completion.weekday() == 6  # a Sunday


def test_projection_counts_from_the_first_week_that_can_still_qualify() -> None:
    today = date(2025, 10, 15)  # week of Monday 13 October
    # Not started yet: from the placement's first Monday (a Thursday start counts its whole week).
    later = completion(0, DEFAULT_RULES, ended=False, today=today, start=date(2025, 11, 6))
    assert later.projected_completion == date(2026, 1, 25)
    # This week already approved and counted: the remaining weeks start next week.
    counted = completion(10, DEFAULT_RULES, ended=False, today=today, counted_mondays={date(2025, 10, 13)})
    assert counted.projected_completion == date(2025, 11, 2)  # weeks of 20 and 27 October
    # A started placement with nothing counted this week: unchanged.
    assert completion(10, DEFAULT_RULES, ended=False, today=today, start=date(2025, 8, 4)).projected_completion == (
        date(2025, 10, 26)
    )


def test_no_projection_once_complete_or_ended() -> None:
    today = date(2025, 10, 15)
    assert completion(12, DEFAULT_RULES, ended=False, today=today).projected_completion is None
    assert completion(5, DEFAULT_RULES, ended=True, today=today).projected_completion is None


def test_completion_follows_the_program_minimum() -> None:
    rules = ProgramRules(min_weeks=8)
    assert completion(8, rules, ended=True, today=date(2025, 10, 15)).state is (
        CompletionState.COMPLETE
    )
    assert completion(7, rules, ended=True, today=date(2025, 10, 15)).state is (
        CompletionState.ENDED_EARLY
    )
