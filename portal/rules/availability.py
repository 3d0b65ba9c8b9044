"""Checks on what an applicant offers (hours, weeks, start date) and when applications are open."""

from __future__ import annotations

from datetime import date
from enum import Enum

from portal.formatting import long_date
from portal.rules.settings import ProgramRules


def _format_commitment(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    text = f"{hours} hour" + ("" if hours == 1 else "s")
    if rest:
        text += f" {rest} minute" + ("" if rest == 1 else "s")
    return text


def check_availability(
    hours_per_week: int | None,
    weeks_available: int | None,
    earliest_start: date | None,
    rules: ProgramRules,
) -> dict[str, str]:
    """Field name -> message for each availability answer the program cannot accept; empty if fine.

    ``hours_per_week`` is whole hours as typed on the form (the rules hold minutes).
    """
    errors: dict[str, str] = {}
    if hours_per_week is None:
        errors["hours_per_week"] = "Enter how many hours a week you can commit"
    elif hours_per_week * 60 < rules.min_week_minutes:
        errors["hours_per_week"] = (
            f"The minimum commitment is {_format_commitment(rules.min_week_minutes)} a week"
        )
    elif hours_per_week * 60 > rules.max_week_minutes:
        errors["hours_per_week"] = (
            f"The most you can commit is {_format_commitment(rules.max_week_minutes)} a week"
        )
    if weeks_available is None:
        errors["weeks_available"] = "Enter how many weeks you are available"
    elif weeks_available < rules.min_weeks:
        week_word = "week" if rules.min_weeks == 1 else "weeks"
        errors["weeks_available"] = f"The internship lasts at least {rules.min_weeks} {week_word}"
    if earliest_start is None:
        errors["earliest_start"] = "Enter the earliest date you can start"
    elif rules.start_window is not None:
        first, last = rules.start_window
        if not first <= earliest_start <= last:
            errors["earliest_start"] = (
                f"Choose a start date between {long_date(first)} and {long_date(last)}"
            )
    return errors


class WindowState(str, Enum):
    """Whether the application form should be shown, or say it is not open yet / closed."""

    NOT_YET_OPEN = "not_yet_open"
    OPEN = "open"
    CLOSED = "closed"


def application_window(today: date, opens: date, closes: date) -> WindowState:
    """Where today falls against the program's application dates (both days inclusive)."""
    if today < opens:
        return WindowState.NOT_YET_OPEN
    if today > closes:
        return WindowState.CLOSED
    return WindowState.OPEN


def stipend_eligible(
    committed_minutes_per_week: int, seeks_stipend: bool, rules: ProgramRules
) -> bool:
    """Only interns who asked for a stipend and committed enough hours a week get one."""
    return seeks_stipend and committed_minutes_per_week >= rules.stipend_min_week_minutes
