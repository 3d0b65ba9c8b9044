"""Changing, extending and ending a placement: what may be typed, checked together, and how it ended.

Pure functions (no Flask, no database): the staff member's typed text in, ``{field: message}`` out, so
every message is shown beside its own field and nothing typed is lost.

The rules decided here:

- **Dates.** The start date is at most a year from today. A planned end date is on or after the start,
  at most ``MAX_PLACEMENT_WEEKS`` weeks after it, and not in the past (a past end would end the
  placement without an outcome: that is what "End the placement" is for); an end date already stored
  may stay as it is. Hours already logged stay inside the placement: the start cannot move after the
  first logged day, nor the end before the last one.
- **Commitment.** Whole or half hours a week, from the program's weekly minimum to its weekly maximum;
  stipend eligibility needs at least the program's stipend threshold (as on the application).
- **Extending** moves the planned end date later (same limits); a placement with no planned end, or
  one that has ended, cannot be extended.
- **Ending.** The end date is on or after the start and not after today: a placement ends on a day
  that has come (to plan a later end, change the planned end date). The outcome is not trusted from
  the form: it must be the one the approved hours give by the end date (``outcome_for``): "completed"
  once the program's minimum of qualifying weeks is met, else "ended before the minimum", which needs
  a reason.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from enum import Enum

from portal.formatting import long_date
from portal.rules.hours import format_minutes
from portal.rules.program_settings import parse_hours
from portal.rules.settings import ProgramRules
from portal.rules.weeks import is_short_week, placement_weeks

MAX_PLACEMENT_WEEKS = 104
MAX_START_AHEAD_DAYS = 365
MAX_REASON_LENGTH = 1000
EARLIEST_DATE = date(2000, 1, 1)
#: The key of a message about the whole form rather than one field.
FORM = "form"

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class Outcome(str, Enum):
    """How a placement ended; stored as ``Placement.outcome``."""

    COMPLETED = "completed"
    ENDED_EARLY = "ended_early"

    @property
    def label(self) -> str:
        return "Completed" if self is Outcome.COMPLETED else "Ended before the minimum"


@dataclass(frozen=True)
class PlacementInput:
    """The Change form as typed (the supervisor is a user id as text; blank for none)."""

    supervisor: str
    start_date: str
    end_date: str
    committed_hours: str
    stipend_eligible: bool


@dataclass(frozen=True)
class PlacementTerms:
    """The Change form in the units a placement stores."""

    supervisor_id: int | None
    start_date: date
    end_date: date | None
    committed_minutes_per_week: int
    stipend_eligible: bool


@dataclass(frozen=True)
class Ending:
    """The End form, checked: how and when the placement ended, and why."""

    outcome: Outcome
    end_date: date
    reason: str


def parse_date(text: str | None) -> date | None:
    """A date typed as YYYY-MM-DD (what a date input sends); None for anything else, 2026-02-30 included."""
    text = (text or "").strip()
    if not _ISO_DATE.fullmatch(text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def latest_end(start: date) -> date:
    """The last day a placement starting on ``start`` may be planned to run to."""
    return start + timedelta(weeks=MAX_PLACEMENT_WEEKS)


def _start_problem(start: date, today: date, first_logged: date | None) -> str | None:
    if start < EARLIEST_DATE:
        return f"The start date must be on or after {long_date(EARLIEST_DATE)}"
    latest = today + timedelta(days=MAX_START_AHEAD_DAYS)
    if start > latest:
        return f"The start date must be within a year from today: {long_date(latest)} at the latest"
    if first_logged is not None and start > first_logged:
        return f"Hours are logged on {long_date(first_logged)}: the start date cannot be after it"
    return None


def _end_problem(end: date, start: date, last_logged: date | None, label: str = "The end date") -> str | None:
    if end < start:
        return f"{label} cannot be before the start date ({long_date(start)})"
    if end > latest_end(start):
        return (
            f"{label} cannot be more than {MAX_PLACEMENT_WEEKS} weeks after the start: "
            f"{long_date(latest_end(start))} at the latest"
        )
    if last_logged is not None and end < last_logged:
        return f"Hours are logged up to {long_date(last_logged)}: {label[0].lower()}{label[1:]} cannot be before it"
    return None


def check_terms(
    typed: PlacementInput,
    rules: ProgramRules,
    *,
    supervisor_ids: Collection[int],
    none_allowed: bool,
    current_end: date | None,
    today: date,
    logged: tuple[date, date] | None = None,
) -> tuple[PlacementTerms | None, dict[str, str]]:
    """The Change form checked together: the terms, or a message per field.

    ``supervisor_ids`` are the people who may supervise; ``none_allowed`` lets the supervisor stay
    empty (when it is empty now). ``logged`` is the first and last day with hours logged, if any.
    """
    errors: dict[str, str] = {}
    first_logged, last_logged = logged or (None, None)
    supervisor_id: int | None = None
    text = typed.supervisor.strip()
    if not text:
        if not none_allowed:
            errors["supervisor"] = "Choose a supervisor from the list"
    elif not (text.isascii() and text.isdigit() and len(text) < 12 and int(text) in supervisor_ids):
        errors["supervisor"] = "Choose a supervisor from the list"
    else:
        supervisor_id = int(text)

    start = parse_date(typed.start_date)
    if start is None:
        errors["start_date"] = "Enter the start date as a date, like 2026-09-14"
    elif problem := _start_problem(start, today, first_logged):
        errors["start_date"] = problem

    end: date | None = None
    if typed.end_date.strip():
        end = parse_date(typed.end_date)
        if end is None:
            errors["end_date"] = "Enter the planned end date as a date, like 2026-12-04, or leave it empty"
        elif start is not None and (problem := _end_problem(end, start, last_logged, "The planned end date")):
            errors["end_date"] = problem
        elif end < today and end != current_end:
            errors["end_date"] = (
                "The planned end date cannot be in the past: to record that the placement has ended, "
                "use “End the placement” below"
            )

    committed = parse_hours(typed.committed_hours)
    if committed is None:
        errors["committed_hours"] = "Enter hours a week as a whole or half number, like 20 or 17.5"
    elif committed < rules.min_week_minutes:
        errors["committed_hours"] = f"The minimum commitment is {format_minutes(rules.min_week_minutes)} a week"
    elif committed > rules.max_week_minutes:
        errors["committed_hours"] = f"The most an intern can commit is {format_minutes(rules.max_week_minutes)} a week"
    elif typed.stipend_eligible and committed < rules.stipend_min_week_minutes:
        errors["stipend_eligible"] = (
            f"A stipend needs a commitment of at least {format_minutes(rules.stipend_min_week_minutes)} a week"
        )

    if errors or start is None or committed is None:
        return None, errors
    return PlacementTerms(supervisor_id, start, end, committed, typed.stipend_eligible), {}


def check_extension(
    typed: str, *, start: date, current_end: date | None, ended: bool, today: date
) -> tuple[date | None, dict[str, str]]:
    """A later planned end date, or the message for the ``end_date`` field."""
    if ended:
        return None, {FORM: "This placement has ended: it can no longer be extended"}
    if current_end is None:
        return None, {FORM: "This placement has no planned end date to extend: set one under “Change”"}
    end = parse_date(typed)
    if end is None:
        return None, {"end_date": "Enter the new planned end date as a date, like 2026-12-18"}
    if end <= current_end:
        return None, {"end_date": f"The new end date must be after the planned one ({long_date(current_end)})"}
    if end < today:
        return None, {"end_date": "The new end date cannot be in the past"}
    if problem := _end_problem(end, start, None, "The new end date"):
        return None, {"end_date": problem}
    return end, {}


def qualifying_weeks_by(
    end: date, *, start: date, today: date, approved_minutes_by_monday: Mapping[date, int], rules: ProgramRules
) -> int:
    """Qualifying weeks (approved, not short) of a placement that ends on ``end``."""
    return sum(
        1
        for monday in placement_weeks(start, end, today)
        if monday in approved_minutes_by_monday and not is_short_week(approved_minutes_by_monday[monday], rules)
    )


def outcome_for(qualifying_weeks: int, rules: ProgramRules) -> Outcome:
    """Completed once the program's minimum of qualifying weeks is met; else ended before the minimum."""
    return Outcome.COMPLETED if qualifying_weeks >= rules.min_weeks else Outcome.ENDED_EARLY


def check_ending(
    outcome: str,
    end_date: str,
    reason: str,
    rules: ProgramRules,
    *,
    start: date,
    today: date,
    approved_minutes_by_monday: Mapping[date, int],
    last_logged: date | None = None,
) -> tuple[Ending | None, dict[str, str]]:
    """The End form checked together: the ending, or a message per field (see the module doc)."""
    errors: dict[str, str] = {}
    end = parse_date(end_date)
    if end is None:
        errors["end_date"] = "Enter the day the placement ended, like 2026-11-14"
    elif end < start:
        errors["end_date"] = f"The end date cannot be before the start date ({long_date(start)})"
    elif end > today:
        errors["end_date"] = (
            f"The end date cannot be in the future (today is {long_date(today)}): a placement ends on a day that "
            "has come. To plan a later end, change the planned end date instead"
        )
    elif last_logged is not None and end < last_logged:
        errors["end_date"] = f"Hours are logged up to {long_date(last_logged)}: the end date cannot be before it"

    chosen = next((member for member in Outcome if member.value == outcome), None)
    if chosen is None:
        errors["outcome"] = "Choose how the placement ended"
    elif end is not None and "end_date" not in errors:
        weeks = qualifying_weeks_by(
            end, start=start, today=today, approved_minutes_by_monday=approved_minutes_by_monday, rules=rules
        )
        expected = outcome_for(weeks, rules)
        if chosen is not expected and expected is Outcome.ENDED_EARLY:
            errors["outcome"] = (
                f"Only {weeks} of the {rules.min_weeks} qualifying weeks needed are approved by "
                f"{long_date(end)}: the placement ended before the minimum"
            )
        elif chosen is not expected:
            errors["outcome"] = (
                f"The {rules.min_weeks}-week minimum was met ({weeks} qualifying weeks by {long_date(end)}): "
                "the placement is completed"
            )

    reason = reason.strip()
    if len(reason) > MAX_REASON_LENGTH:
        errors["reason"] = f"Keep the reason under {MAX_REASON_LENGTH:,} characters"
    elif not reason and chosen is Outcome.ENDED_EARLY:
        errors["reason"] = "Say why the placement ended before the minimum"

    if errors or end is None or chosen is None:
        return None, errors
    return Ending(chosen, end, reason), {}
