"""Retention rules (no app): when an application's personal data and an intern's hours are due for purging."""

from __future__ import annotations

from datetime import date

import pytest

from portal.rules.pipeline import ApplicationStatus
from portal.rules.program_states import ProgramState
from portal.rules.retention import (
    add_months,
    application_due,
    application_purge_date,
    intern_records_due,
    intern_records_purge_date,
)

CLOSES = date(2026, 9, 30)


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 9, 30), 12, date(2027, 9, 30)),
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2027, 12, 31), 2, date(2028, 2, 29)),  # a leap year's February
        (date(2026, 8, 31), 6, date(2027, 2, 28)),
        (date(2026, 11, 15), 3, date(2027, 2, 15)),  # across the year's end
        (date(2026, 3, 31), -1, date(2026, 2, 28)),
        (date(2024, 2, 29), 36, date(2027, 2, 28)),
    ],
)
def test_months_are_added_on_the_calendar_and_a_short_month_ends_on_its_last_day(day, months, expected):
    assert add_months(day, months) == expected


def due(
    today: date,
    *,
    status=ApplicationStatus.DECLINED,
    state=ProgramState.CLOSED,
    last_change=date(2026, 9, 1),
    retention_months=12,
    already_erased=False,
    closes=CLOSES,
) -> bool:
    return application_due(
        status=status,
        program_state=state,
        program_opens=date(2026, 8, 1),
        program_closes=closes,
        last_change=last_change,
        retention_months=retention_months,
        already_erased=already_erased,
        today=today,
    )


def test_a_declined_application_is_due_on_the_day_its_retention_has_passed_since_the_close_not_the_day_before():
    assert not due(date(2027, 9, 29))
    assert due(date(2027, 9, 30))


def test_a_change_after_the_close_starts_the_retention_from_that_change():
    assert application_purge_date(program_closes=CLOSES, last_change=date(2026, 11, 2), retention_months=12) == date(
        2027, 11, 2
    )
    assert not due(date(2027, 11, 1), last_change=date(2026, 11, 2))
    assert due(date(2027, 11, 2), last_change=date(2026, 11, 2))


def test_the_programs_own_retention_months_count():
    assert not due(date(2027, 3, 29), retention_months=6)
    assert due(date(2027, 3, 30), retention_months=6)
    assert not due(date(2027, 3, 30), retention_months=7)


@pytest.mark.parametrize(
    "status",
    [
        ApplicationStatus.DECLINED,
        ApplicationStatus.WITHDRAWN,
        ApplicationStatus.SUBMITTED,
        ApplicationStatus.IN_REVIEW,
        ApplicationStatus.INTERVIEW,
        ApplicationStatus.WAITLISTED,
    ],
)
def test_declined_withdrawn_and_never_decided_applications_are_purged(status):
    assert due(date(2027, 10, 1), status=status)


def test_an_accepted_application_is_never_purged():
    assert not due(date(2040, 1, 1), status=ApplicationStatus.ACCEPTED)


def test_an_application_erased_already_is_not_purged_again():
    assert not due(date(2030, 1, 1), already_erased=True)


def test_a_program_still_open_keeps_its_applications_and_a_published_one_past_its_close_date_is_closed():
    assert not due(date(2030, 1, 1), state=ProgramState.PUBLISHED, closes=date(2030, 6, 30))
    assert not due(date(2030, 1, 1), state=ProgramState.DRAFT)
    assert due(date(2027, 9, 30), state=ProgramState.PUBLISHED)
    assert due(date(2027, 9, 30), state=ProgramState.ARCHIVED)


def test_a_program_closed_early_counts_from_its_planned_close_date():
    # Closed by an admin on 1 September 2026, planned to close on 30 September.
    assert not due(date(2027, 9, 1), last_change=date(2026, 9, 1))
    assert due(date(2027, 9, 30), last_change=date(2026, 9, 1))


def test_interns_records_go_on_the_anniversary_of_the_placements_end_not_the_day_before():
    end = date(2026, 12, 18)
    assert intern_records_purge_date(end, 3) == date(2029, 12, 18)
    assert not intern_records_due(end, 3, date(2029, 12, 17))
    assert intern_records_due(end, 3, date(2029, 12, 18))
    assert not intern_records_due(end, 5, date(2029, 12, 18))


def test_a_placement_ending_on_29_february_is_due_on_28_february_and_one_without_an_end_never():
    assert intern_records_purge_date(date(2028, 2, 29), 3) == date(2031, 2, 28)
    assert not intern_records_due(None, 3, date(2099, 1, 1))
