"""How long the portal keeps what it keeps: when an application's personal data and an intern's hours are
due for ``flask purge``.

Pure: no Flask, no database; "today" is passed in. ``portal.services.retention`` applies these.

- **Applications.** Declined, withdrawn and never-decided ones (submitted, in review, interview,
  waitlisted) of a program that is closed (closed by an admin, or published with its close date passed)
  or archived are purged once the program's ``retention_months`` have passed since the *later* of the
  program's close date (``applications_close``) and the application's last change (``updated_at``):
  counting from the later one means a late decision or withdrawal starts the clock again, and a
  program closed early still waits from its planned close. Accepted applications are never purged:
  they became placements. Due on the day the months have passed (12 months after 30 September 2026
  is 30 September 2027); a month that has no such day ends on its last day (31 August + 6 months
  is 28 or 29 February).
- **Interns' records.** Timesheets and hours statements of a placement are kept for
  ``INTERN_RECORDS_RETENTION_YEARS`` (default 3) after the placement's end date and purged from that
  anniversary on (29 February + 3 years is 28 February). A placement with no end date is never due.
"""

from __future__ import annotations

import calendar
from datetime import date

from portal.rules.pipeline import ApplicationStatus
from portal.rules.program_states import ListedStatus, ProgramState, listed_status

#: The statuses whose personal data is purged after retention: everything but accepted.
PURGEABLE_STATUSES: frozenset[ApplicationStatus] = frozenset(
    {
        ApplicationStatus.SUBMITTED,
        ApplicationStatus.IN_REVIEW,
        ApplicationStatus.INTERVIEW,
        ApplicationStatus.WAITLISTED,
        ApplicationStatus.DECLINED,
        ApplicationStatus.WITHDRAWN,
    }
)


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, or that month's last day when it is shorter (31 Jan + 1 → 28/29 Feb)."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def program_is_finished(state: ProgramState, today: date, opens: date, closes: date) -> bool:
    """Closed by an admin, archived, or published with its application window over: nobody applies any more."""
    return listed_status(state, today, opens, closes) in (ListedStatus.CLOSED, ListedStatus.ARCHIVED)


def application_purge_date(*, program_closes: date, last_change: date, retention_months: int) -> date:
    """The first day an application's personal data may be purged: retention counted from the later date."""
    return add_months(max(program_closes, last_change), retention_months)


def application_due(
    *,
    status: ApplicationStatus,
    program_state: ProgramState,
    program_opens: date,
    program_closes: date,
    last_change: date,
    retention_months: int,
    already_erased: bool,
    today: date,
) -> bool:
    """Whether ``flask purge`` erases this application today (see the module's rule)."""
    if already_erased or status not in PURGEABLE_STATUSES:
        return False
    if not program_is_finished(program_state, today, program_opens, program_closes):
        return False
    due = application_purge_date(
        program_closes=program_closes, last_change=last_change, retention_months=retention_months
    )
    return due <= today


def intern_records_purge_date(placement_end: date, retention_years: int) -> date:
    """The first day a placement's timesheets and statements may be purged."""
    return add_months(placement_end, 12 * retention_years)


def intern_records_due(placement_end: date | None, retention_years: int, today: date) -> bool:
    """Whether a placement's timesheets and hours statements go today; one with no end date stays."""
    if placement_end is None:
        return False
    return intern_records_purge_date(placement_end, retention_years) <= today
