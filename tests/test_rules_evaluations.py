"""Due dates of the midpoint and final evaluations, and credits from approved hours, at their boundaries
(portal/rules/evaluations.py, portal/rules/credits.py): pure functions, no app, no database."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.rules.credits import credits_supported, hours_required_met
from portal.rules.evaluations import (
    EvaluationKind,
    EvaluationState,
    evaluation_state,
    evaluation_windows,
    midpoint_week_number,
    placement_week_count,
)

MONDAY = date(2026, 9, 7)  # a Monday
DAY = timedelta(days=1)


def test_a_twelve_week_placement_from_a_monday_has_its_midpoint_in_week_6_and_its_final_in_week_12():
    end = MONDAY + timedelta(weeks=12) - DAY  # the Sunday of week 12
    midpoint, final = evaluation_windows(MONDAY, end, min_weeks=12)
    assert (midpoint.kind, midpoint.week_number, midpoint.opens, midpoint.due) == (
        EvaluationKind.MIDPOINT,
        6,
        MONDAY + timedelta(weeks=5),
        MONDAY + timedelta(weeks=6) - DAY,
    )
    assert (final.kind, final.week_number, final.opens, final.due) == (
        EvaluationKind.FINAL,
        12,
        MONDAY + timedelta(weeks=11),
        end,
    )


def test_a_midweek_start_makes_that_week_week_1_and_the_evaluation_opens_no_earlier_than_the_start():
    thursday = MONDAY + 3 * DAY
    midpoint, _ = evaluation_windows(thursday, thursday + timedelta(weeks=12), min_weeks=12)
    assert midpoint.opens == MONDAY + timedelta(weeks=5)  # week 1 is the start's own week
    short_midpoint, _ = evaluation_windows(thursday, thursday + DAY, min_weeks=12)
    assert short_midpoint.week_number == 1 and short_midpoint.opens == thursday


def test_the_final_is_due_on_the_planned_end_when_it_comes_before_that_weeks_sunday():
    wednesday_end = MONDAY + timedelta(weeks=11) + 2 * DAY
    _, final = evaluation_windows(MONDAY, wednesday_end, min_weeks=12)
    assert final.week_number == 12 and final.due == wednesday_end


def test_without_a_planned_end_the_placement_lasts_the_programs_minimum():
    midpoint, final = evaluation_windows(MONDAY, None, min_weeks=12)
    assert (midpoint.week_number, final.week_number) == (6, 12)
    assert final.due == MONDAY + timedelta(weeks=12) - DAY
    assert placement_week_count(MONDAY, MONDAY - DAY, 10) == 10  # an end before the start counts as none


@pytest.mark.parametrize(
    ("weeks", "setting", "expected"),
    [(12, 6, 6), (13, 6, 6), (11, 6, 6), (10, 6, 5), (6, 6, 3), (2, 6, 1), (1, 6, 1), (26, 8, 8), (12, 0, 1)],
)
def test_the_midpoint_is_never_in_the_second_half_nor_before_week_1(weeks, setting, expected):
    assert midpoint_week_number(weeks, setting) == expected


def test_an_evaluation_is_not_open_before_its_week_open_through_its_due_day_then_overdue_until_submitted():
    midpoint, _ = evaluation_windows(MONDAY, None, min_weeks=12)
    assert evaluation_state(midpoint, midpoint.opens - DAY, submitted=False) is EvaluationState.NOT_OPEN
    assert evaluation_state(midpoint, midpoint.opens, submitted=False) is EvaluationState.OPEN
    assert evaluation_state(midpoint, midpoint.due, submitted=False) is EvaluationState.OPEN
    assert evaluation_state(midpoint, midpoint.due + DAY, submitted=False) is EvaluationState.OVERDUE
    assert evaluation_state(midpoint, midpoint.due + DAY, submitted=True) is EvaluationState.SUBMITTED
    assert evaluation_state(midpoint, midpoint.opens - DAY, submitted=True) is EvaluationState.SUBMITTED


@given(
    start=st.dates(min_value=date(2024, 1, 1), max_value=date(2030, 12, 31)),
    length=st.integers(min_value=0, max_value=400),
    midpoint_setting=st.integers(min_value=1, max_value=30),
)
def test_the_midpoint_never_comes_after_the_final_and_both_lie_within_the_placement(start, length, midpoint_setting):
    end = start + timedelta(days=length)
    midpoint, final = evaluation_windows(start, end, min_weeks=12, midpoint_week=midpoint_setting)
    assert start <= midpoint.opens <= midpoint.due <= final.due == end
    assert midpoint.week_number <= final.week_number
    assert final.opens <= end


@pytest.mark.parametrize(
    ("minutes", "hours_per_credit", "credits", "to_next"),
    [
        (0, 45, 0, 45 * 60),
        (45 * 60 - 1, 45, 0, 1),
        (45 * 60, 45, 1, 45 * 60),
        (134 * 60, 45, 2, 60),
        (135 * 60, 45, 3, 45 * 60),
        (-30, 45, 0, 45 * 60),  # no negative credit from a correction
        (40 * 60, 40, 1, 40 * 60),
    ],
)
def test_whole_credits_from_approved_minutes(minutes, hours_per_credit, credits, to_next):
    support = credits_supported(minutes, hours_per_credit)
    assert (support.credits, support.minutes_to_next) == (credits, to_next)


def test_hours_per_credit_must_be_positive_and_the_schools_requirement_is_met_at_exactly_its_hours():
    with pytest.raises(ValueError):
        credits_supported(600, 0)
    assert hours_required_met(120 * 60, 120) is True
    assert hours_required_met(120 * 60 - 1, 120) is False
    assert hours_required_met(5000, None) is None and hours_required_met(5000, 0) is None
