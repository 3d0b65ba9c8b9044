"""Availability answers on the application, the application window, stipend eligibility."""

from datetime import date

import pytest

from portal.rules.availability import (
    WindowState,
    application_window,
    check_availability,
    stipend_eligible,
)
from portal.rules.settings import DEFAULT_RULES, ProgramRules

FALL = ProgramRules(start_window=(date(2025, 9, 1), date(2025, 10, 31)))
GOOD_START = date(2025, 9, 15)


def test_a_fine_application_has_no_messages() -> None:
    assert check_availability(20, 12, GOOD_START, FALL) == {}


@pytest.mark.parametrize(
    ("hours", "message"),
    [
        (0, "The minimum commitment is 15 hours a week"),
        (14, "The minimum commitment is 15 hours a week"),
        (15, None),
        (40, None),
        (41, "The most you can commit is 40 hours a week"),
    ],
)
def test_hours_per_week_boundaries(hours: int, message: str | None) -> None:
    errors = check_availability(hours, 12, GOOD_START, FALL)
    assert errors.get("hours_per_week") == message


@pytest.mark.parametrize(
    ("weeks", "message"),
    [
        (1, "The internship lasts at least 12 weeks"),
        (11, "The internship lasts at least 12 weeks"),
        (12, None),
        (20, None),
    ],
)
def test_weeks_available_boundaries(weeks: int, message: str | None) -> None:
    errors = check_availability(20, weeks, GOOD_START, FALL)
    assert errors.get("weeks_available") == message


@pytest.mark.parametrize(
    ("start", "ok"),
    [
        (date(2025, 8, 31), False),
        (date(2025, 9, 1), True),
        (date(2025, 10, 31), True),
        (date(2025, 11, 1), False),
    ],
)
def test_start_date_must_be_inside_the_window(start: date, ok: bool) -> None:
    errors = check_availability(20, 12, start, FALL)
    expected = None if ok else "Choose a start date between 1 September 2025 and 31 October 2025"
    assert errors.get("earliest_start") == expected


def test_without_a_start_window_any_start_date_is_fine() -> None:
    assert check_availability(20, 12, date(2030, 1, 1), DEFAULT_RULES) == {}


def test_missing_answers_ask_for_them() -> None:
    errors = check_availability(None, None, None, FALL)
    assert set(errors) == {"hours_per_week", "weeks_available", "earliest_start"}
    assert all(message.startswith("Enter ") for message in errors.values())


def test_messages_use_the_program_numbers() -> None:
    rules = ProgramRules(
        min_week_minutes=10 * 60 + 30,
        max_week_minutes=30 * 60,
        min_weeks=8,
        start_window=(date(2026, 1, 5), date(2026, 2, 2)),
    )
    low = check_availability(10, 7, date(2026, 3, 1), rules)
    assert low == {
        "hours_per_week": "The minimum commitment is 10 hours 30 minutes a week",
        "weeks_available": "The internship lasts at least 8 weeks",
        "earliest_start": "Choose a start date between 5 January 2026 and 2 February 2026",
    }
    high = check_availability(31, 8, date(2026, 1, 5), rules)
    assert high == {"hours_per_week": "The most you can commit is 30 hours a week"}


@pytest.mark.parametrize(
    ("today", "state"),
    [
        (date(2025, 7, 31), WindowState.NOT_YET_OPEN),
        (date(2025, 8, 1), WindowState.OPEN),
        (date(2025, 9, 30), WindowState.OPEN),
        (date(2025, 10, 1), WindowState.CLOSED),
    ],
)
def test_application_window_is_inclusive(today: date, state: WindowState) -> None:
    assert application_window(today, date(2025, 8, 1), date(2025, 9, 30)) is state


@pytest.mark.parametrize(
    ("committed_minutes", "seeks", "eligible"),
    [
        (25 * 60, True, True),
        (40 * 60, True, True),
        (24 * 60 + 59, True, False),
        (15 * 60, True, False),
        (40 * 60, False, False),  # did not ask for a stipend
    ],
)
def test_stipend_eligibility(committed_minutes: int, seeks: bool, eligible: bool) -> None:
    assert stipend_eligible(committed_minutes, seeks, DEFAULT_RULES) is eligible


def test_stipend_eligibility_follows_the_program_setting() -> None:
    rules = ProgramRules(stipend_min_week_minutes=20 * 60)
    assert stipend_eligible(20 * 60, True, rules) is True
    assert stipend_eligible(20 * 60 - 1, True, rules) is False
