"""Everything that changes an intern's timesheet: entries, submitting, approving, returning, reopening.

A week moves draft → submitted → approved, or submitted → returned → submitted again; an approved
week is locked until an admin reopens it (back to draft, with a reason in the audit log). The intern
may change entries of a draft, submitted or returned week: "edits are possible until approval".

Every change to a week or its entries touches the week row, so its ``version`` (optimistic locking)
moves on: a supervisor approving from a page loaded before the intern's last change is told so
instead of approving hours they have not seen. Caps and thresholds come from ``portal.rules`` with
the program's settings. Each change is audited; nothing here commits (the view or command does).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from flask import current_app, has_request_context, url_for
from sqlalchemy import Select, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.attributes import flag_modified

from portal.database import utcnow
from portal.extensions import db
from portal.models import ActivityCategory, Placement, Program, Role, TimesheetEntry, TimesheetWeek, User, WeekStatus
from portal.rules.hours import check_entry_caps, format_minutes
from portal.rules.weeks import week_monday
from portal.services.audit import record_event
from portal.services.outbox import queue_email

TARGET = "timesheet_week"
MAX_NOTE_LENGTH = 500

#: Statuses in which the intern may still change entries ("edits are possible until approval").
EDITABLE = (WeekStatus.DRAFT, WeekStatus.SUBMITTED, WeekStatus.RETURNED)

STATUS_LABELS = {
    WeekStatus.DRAFT: "Draft",
    WeekStatus.SUBMITTED: "Submitted, waiting for approval",
    WeekStatus.APPROVED: "Approved",
    WeekStatus.RETURNED: "Returned to the intern",
}

LOCKED_MESSAGE = "This week is approved and locked. If something is wrong, ask an admin to reopen it."


class TimesheetRefused(ValueError):
    """The change breaks a rule; the message is fit to show, ``field`` says beside which form field."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class WeekChanged(Exception):
    """The week changed since the page was loaded (optimistic locking); nothing was done."""


@dataclass(frozen=True)
class EntryInput:
    """What the intern typed, already read: minutes from ``parse_duration``, the category chosen."""

    work_date: date
    minutes: int
    category: ActivityCategory
    note: str = ""


# ------------------------------------------------------------------------------------------------
# Reading


def week_days(monday: date) -> list[date]:
    return [monday + timedelta(days=offset) for offset in range(7)]


def placement_mondays(placement: Placement) -> tuple[date, date | None]:
    """First and last Monday of the placement (last is None while it has no end date)."""
    last = week_monday(placement.end_date) if placement.end_date is not None else None
    return week_monday(placement.start_date), last


def in_placement(placement: Placement, monday: date) -> bool:
    """Whether the week starting ``monday`` shares at least one day with the placement."""
    first, last = placement_mondays(placement)
    return monday >= first and (last is None or monday <= last)


def loggable_days(placement: Placement, monday: date, today: date) -> list[date]:
    """The week's days an intern can log: inside the placement and not in the future."""
    return [day for day in week_days(monday) if _date_problem(placement, monday, day, today) is None]


def find_week(placement: Placement, monday: date) -> TimesheetWeek | None:
    """The week with its entries and their categories (one query for the week, one per relation)."""
    return db.session.scalar(
        select(TimesheetWeek)
        .where(TimesheetWeek.placement_id == placement.id, TimesheetWeek.week_start == monday)
        .options(selectinload(TimesheetWeek.entries).selectinload(TimesheetEntry.category))
    )


def get_or_create_week(placement: Placement, monday: date) -> TimesheetWeek:
    """The placement's draft for that Monday, created on first use (a racing request's row is reused)."""
    monday = week_monday(monday)
    week = find_week(placement, monday)
    if week is not None:
        return week
    try:
        with db.session.begin_nested():
            # By id, not through the relationship: the savepoint's flush must not meet a half-added week.
            week = TimesheetWeek(placement_id=placement.id, week_start=monday, status=WeekStatus.DRAFT, entries=[])
            db.session.add(week)
    except IntegrityError:  # the same week was created by another request a moment ago
        week = find_week(placement, monday)
        if week is None:  # pragma: no cover - the unique constraint guarantees a row
            raise
    return week


def day_minutes(week: TimesheetWeek, day: date, *, leaving_out: TimesheetEntry | None = None) -> int:
    return sum(e.minutes for e in week.entries if e.work_date == day and e is not leaving_out)


def week_minutes(week: TimesheetWeek, *, leaving_out: TimesheetEntry | None = None) -> int:
    return sum(e.minutes for e in week.entries if e is not leaving_out)


# ------------------------------------------------------------------------------------------------
# Entries


def _date_problem(placement: Placement, monday: date, day: date, today: date) -> str | None:
    """Why hours cannot be logged on ``day`` in the week of ``monday``; None when they can."""
    if week_monday(day) != monday:
        return "Choose a day of this week."
    if day > today:
        return "You cannot log hours for a day that has not happened yet."
    if day < placement.start_date:
        return f"Your placement starts on {_long(placement.start_date)}: you cannot log hours before it."
    if placement.end_date is not None and day > placement.end_date:
        return f"Your placement ended on {_long(placement.end_date)}: you cannot log hours after it."
    return None


_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _long(day: date) -> str:
    """"2 March 2026", whatever the server's locale."""
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def day_label(day: date) -> str:
    """"Monday 2 March", whatever the server's locale."""
    return f"{_WEEKDAYS[day.weekday()]} {day.day} {_MONTHS[day.month - 1]}"


def _check_intern(placement: Placement, actor: User) -> None:
    """Only the intern logs and submits their own hours (staff view them, and decide)."""
    if actor.id != placement.intern_id:
        raise TimesheetRefused("Only the intern can change or submit their own timesheet.")


def _check_editable(week: TimesheetWeek) -> None:
    if week.status not in EDITABLE:
        raise TimesheetRefused(LOCKED_MESSAGE)


def _check_entry(
    week: TimesheetWeek, data: EntryInput, *, today: date, leaving_out: TimesheetEntry | None = None
) -> None:
    """Date inside the week, the placement and the past; category of the program; caps of the rules."""
    placement = week.placement
    problem = _date_problem(placement, week.week_start, data.work_date, today)
    if problem:
        raise TimesheetRefused(problem, field="work_date")
    if data.category.program_id != placement.program_id:
        raise TimesheetRefused("Choose an activity from the list.", field="category")
    if len(data.note) > MAX_NOTE_LENGTH:
        raise TimesheetRefused(f"Keep the note under {MAX_NOTE_LENGTH} characters.", field="note")
    check = check_entry_caps(
        data.minutes,
        day_minutes(week, data.work_date, leaving_out=leaving_out),
        week_minutes(week, leaving_out=leaving_out),
        placement.program.rules(),
    )
    if not check.ok:
        raise TimesheetRefused(check.message or "This entry is over the limit.", field="hours")


def _touch(week: TimesheetWeek) -> None:
    """Make the week row part of the flush, so its version moves on with any change to its entries."""
    flag_modified(week, "status")


def _entry_details(entry: TimesheetEntry) -> dict:
    return {
        "entry_id": entry.id,
        "work_date": entry.work_date.isoformat(),
        "minutes": entry.minutes,
        "category": entry.category.name if entry.category else "",
    }


def add_entry(
    placement: Placement, monday: date, data: EntryInput, *, actor: User, today: date
) -> TimesheetEntry:
    """Log time on a day of the week, creating the week as a draft on its first entry."""
    _check_intern(placement, actor)
    problem = _date_problem(placement, week_monday(monday), data.work_date, today)
    if problem:
        raise TimesheetRefused(problem, field="work_date")
    week = get_or_create_week(placement, monday)
    _check_editable(week)
    _check_entry(week, data, today=today)
    entry = TimesheetEntry(
        work_date=data.work_date, minutes=data.minutes, category=data.category, note=data.note.strip()
    )
    week.entries.append(entry)
    _touch(week)
    db.session.flush()
    record_event_for(week, "timesheet.entry_added", actor=actor, details=_entry_details(entry))
    return entry


def update_entry(entry: TimesheetEntry, data: EntryInput, *, actor: User, today: date) -> TimesheetEntry:
    """Change an entry; its own old minutes do not count against the caps."""
    week = entry.week
    _check_intern(week.placement, actor)
    _check_editable(week)
    _check_entry(week, data, today=today, leaving_out=entry)
    before = _entry_details(entry)
    entry.work_date = data.work_date
    entry.minutes = data.minutes
    entry.category = data.category
    entry.note = data.note.strip()
    _touch(week)
    db.session.flush()
    record_event_for(week, "timesheet.entry_changed", actor=actor, details={"before": before, **_entry_details(entry)})
    return entry


def delete_entry(entry: TimesheetEntry, *, actor: User) -> None:
    """Remove an entry of a week that is not approved; what it was stays in the audit log."""
    week = entry.week
    _check_intern(week.placement, actor)
    _check_editable(week)
    details = _entry_details(entry)
    week.entries.remove(entry)  # delete-orphan cascade removes the row
    _touch(week)
    db.session.flush()
    record_event_for(week, "timesheet.entry_deleted", actor=actor, details=details)


# ------------------------------------------------------------------------------------------------
# The week's status


def _check_version(week: TimesheetWeek, expected_version: int | None) -> None:
    if expected_version is not None and week.version != expected_version:
        raise WeekChanged(week.status.value)


def submit_week(
    placement: Placement, monday: date, *, actor: User, today: date, expected_version: int | None = None
) -> TimesheetWeek:
    """Send the week to the supervisor; a returned week is sent again (its note goes to the audit log).

    A week without entries may be submitted: it says "I did not work this week" (0 h, a short week)
    and stops the reminders. A week that has not started yet cannot be submitted.
    """
    _check_intern(placement, actor)
    monday = week_monday(monday)
    if monday > today:
        raise TimesheetRefused("This week has not started yet: submit it once it is over.")
    if not in_placement(placement, monday):
        raise TimesheetRefused("This week is outside your placement.")
    week = get_or_create_week(placement, monday)
    _check_version(week, expected_version)
    if week.status == WeekStatus.SUBMITTED:
        raise TimesheetRefused("This week is already submitted and waiting for your supervisor.")
    if week.status == WeekStatus.APPROVED:
        raise TimesheetRefused(LOCKED_MESSAGE)
    before = week.status
    details = {"minutes": week.total_minutes}
    if before == WeekStatus.RETURNED:
        details["previous_return_note"] = week.return_note
    week.status = WeekStatus.SUBMITTED
    week.submitted_at = utcnow()
    week.return_note = ""
    week.decided_at = None
    week.decided_by = None
    db.session.flush()
    record_event_for(
        week,
        "timesheet.resubmitted" if before == WeekStatus.RETURNED else "timesheet.submitted",
        actor=actor,
        from_state=before.value,
        details=details,
    )
    return week


def _check_decidable(week: TimesheetWeek, actor: User) -> None:
    if not week.placement.can_approve(actor):
        raise TimesheetRefused("Only the intern's supervisor or an admin can approve or return this week.")
    if week.status != WeekStatus.SUBMITTED:
        raise TimesheetRefused(f"This week is {STATUS_LABELS[week.status].lower()}: there is nothing to decide.")


def approve_week(week: TimesheetWeek, *, actor: User, expected_version: int | None = None) -> None:
    """Approve the hours as they are now; the week is locked from then on."""
    _check_version(week, expected_version)
    _check_decidable(week, actor)
    week.status = WeekStatus.APPROVED
    week.decided_at = utcnow()
    week.decided_by = actor
    db.session.flush()
    record_event_for(
        week,
        "timesheet.approved",
        actor=actor,
        from_state=WeekStatus.SUBMITTED.value,
        details={"minutes": week.total_minutes},
    )


def return_week(week: TimesheetWeek, *, actor: User, note: str, expected_version: int | None = None) -> None:
    """Send the week back to the intern with a note saying what to change, and email them the note."""
    note = (note or "").strip()
    if not note:
        raise TimesheetRefused("Write a note telling the intern what to change.", field="note")
    _check_version(week, expected_version)
    _check_decidable(week, actor)
    week.status = WeekStatus.RETURNED
    week.decided_at = utcnow()
    week.decided_by = actor
    week.return_note = note
    db.session.flush()
    record_event_for(week, "timesheet.returned", actor=actor, from_state=WeekStatus.SUBMITTED.value, reason=note)
    intern = week.placement.intern
    queue_email(
        intern.email,
        "week_returned",
        f"Your timesheet for the week of {_long(week.week_start)} was returned",
        intern=intern,
        week=week,
        note=note,
        supervisor=actor,
        minutes=format_minutes(week.total_minutes),
        link=absolute_url(
            "timesheets.week", placement_id=week.placement_id, monday=week.week_start.isoformat()
        ),
    )


def reopen_week(week: TimesheetWeek, *, actor: User, reason: str, expected_version: int | None = None) -> None:
    """An admin unlocks an approved week (back to draft, so the intern corrects and submits it again)."""
    reason = (reason or "").strip()
    if actor.role != Role.ADMIN:
        raise TimesheetRefused("Only an admin can reopen an approved week.")
    if actor.id == week.placement.intern_id:
        raise TimesheetRefused("Another admin must reopen your own approved week.")
    if not reason:
        raise TimesheetRefused("Say why the week is reopened (it is kept in the audit log).", field="reason")
    _check_version(week, expected_version)
    if week.status != WeekStatus.APPROVED:
        raise TimesheetRefused("Only an approved week can be reopened.")
    week.status = WeekStatus.DRAFT
    week.decided_at = None
    week.decided_by = None
    db.session.flush()
    record_event_for(
        week,
        "timesheet.reopened",
        actor=actor,
        from_state=WeekStatus.APPROVED.value,
        reason=reason,
        details={"minutes": week.total_minutes},
    )


# ------------------------------------------------------------------------------------------------
# Lists


def weeks_waiting_for(user: User) -> Select:
    """The select of submitted weeks this user may approve, oldest submission first."""
    statement = (
        select(TimesheetWeek)
        .join(TimesheetWeek.placement)
        .where(TimesheetWeek.status == WeekStatus.SUBMITTED)
        .options(
            selectinload(TimesheetWeek.placement).selectinload(Placement.intern),
            selectinload(TimesheetWeek.placement).selectinload(Placement.program).selectinload(Program.stipend_tiers),
        )
        .order_by(TimesheetWeek.submitted_at, TimesheetWeek.id)
    )
    statement = statement.where(Placement.intern_id != user.id)  # nobody approves their own hours, admins included
    if user.role != Role.ADMIN:
        statement = statement.where(Placement.supervisor_id == user.id)
    return statement


def totals_for(week_ids: list[int]) -> dict[int, int]:
    """Minutes logged per week, in one query."""
    if not week_ids:
        return {}
    rows = db.session.execute(
        select(TimesheetEntry.week_id, func.sum(TimesheetEntry.minutes))
        .where(TimesheetEntry.week_id.in_(week_ids))
        .group_by(TimesheetEntry.week_id)
    ).all()
    return {week_id: int(total or 0) for week_id, total in rows}


# ------------------------------------------------------------------------------------------------
# Helpers


def record_event_for(
    week: TimesheetWeek,
    action: str,
    *,
    actor: User | None,
    from_state: str = "",
    reason: str = "",
    details: dict | None = None,
) -> None:
    record_event(
        action,
        target_type=TARGET,
        target_id=week.id,
        actor=actor,
        from_state=from_state or week.status.value,
        to_state=week.status.value,
        reason=reason,
        details={"placement_id": week.placement_id, "week_start": week.week_start.isoformat(), **(details or {})},
    )


def absolute_url(endpoint: str, **values: object) -> str:
    """An absolute link for an email, inside a request or outside one (the reminders command)."""
    if has_request_context():
        path = url_for(endpoint, **values)
    else:
        path = current_app.url_map.bind("localhost").build(endpoint, values)
    return str(current_app.config["PUBLIC_URL"]).rstrip("/") + path
