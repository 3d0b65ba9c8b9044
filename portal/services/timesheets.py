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

from flask import abort
from sqlalchemy import Select, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.attributes import flag_modified

from portal.database import utcnow
from portal.extensions import db
from portal.formatting import day_label, long_date
from portal.models import ActivityCategory, Placement, Program, Role, TimesheetEntry, TimesheetWeek, User, WeekStatus
from portal.rules import week_status as status_rules
from portal.rules.hours import check_entry_caps, format_minutes
from portal.rules.settings import ProgramRules
from portal.rules.week_status import can_decide, is_editable
from portal.rules.weeks import is_short_week, week_monday
from portal.services.audit import record_event
from portal.services.errors import Changed, Refused
from portal.services.outbox import queue_email
from portal.web import absolute_url

TARGET = "timesheet_week"
MAX_NOTE_LENGTH = 500

NOTHING_DECIDED = "Nothing was changed; check the entries below and decide again."
LOCKED_MESSAGE = "This week is approved and locked. If something is wrong, ask an admin to reopen it."


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


def viewable_placement_or_404(placement_id: int, user: User) -> Placement:
    """The placement with its program's settings and people, when ``user`` may see it; else 404."""
    placement = db.first_or_404(
        select(Placement)
        .where(Placement.id == placement_id)
        .options(
            selectinload(Placement.program).selectinload(Program.categories),
            selectinload(Placement.program).selectinload(Program.stipend_tiers),
            selectinload(Placement.intern),
            selectinload(Placement.supervisor),
        )
    )
    if not placement.can_view(user):
        abort(404)
    return placement


def week_of_placement_or_404(placement: Placement, monday: date) -> None:
    """Weeks outside the placement name nothing: 404."""
    if not in_placement(placement, monday):
        abort(404)


def existing_week_or_404(placement: Placement, monday: date) -> TimesheetWeek:
    """A week that exists (to decide or reopen): a week never started is a 404."""
    week = find_week(placement, monday)
    if week is None:
        abort(404)
    return week


def entry_or_404(placement: Placement, monday: date, entry_id: int) -> TimesheetEntry:
    """An entry of this placement's week; another week's or another intern's entry is a 404."""
    return db.first_or_404(
        select(TimesheetEntry)
        .join(TimesheetEntry.week)
        .where(
            TimesheetEntry.id == entry_id,
            TimesheetWeek.placement_id == placement.id,
            TimesheetWeek.week_start == monday,
        )
    )


def week_status(placement: Placement, monday: date) -> WeekStatus:
    """The week's status as stored now (a week without a row is a draft)."""
    status = db.session.scalar(
        select(TimesheetWeek.status).where(
            TimesheetWeek.placement_id == placement.id, TimesheetWeek.week_start == monday
        )
    )
    return status or WeekStatus.DRAFT


def find_week(placement: Placement, monday: date) -> TimesheetWeek | None:
    """The week with its entries and their categories (one query for the week, one per relation)."""
    return db.session.scalar(
        select(TimesheetWeek)
        .where(TimesheetWeek.placement_id == placement.id, TimesheetWeek.week_start == monday)
        .options(selectinload(TimesheetWeek.entries).selectinload(TimesheetEntry.category))
    )


@dataclass(frozen=True)
class Day:
    day: date
    label: str
    entries: list[TimesheetEntry]
    minutes: int


@dataclass(frozen=True)
class WeekPage:
    """Everything the week page shows, and what the person looking at it may do (booleans, no statuses)."""

    placement: Placement
    week: TimesheetWeek | None
    monday: date
    days: list[Day]
    total: int
    rules: ProgramRules
    status_key: str  # for the CSS modifier only
    status_label: str
    version: int | None
    is_intern: bool
    is_draft: bool
    is_submitted: bool
    is_returned: bool
    is_approved: bool
    started: bool
    short: bool
    can_edit: bool
    can_submit: bool
    can_decide: bool
    can_reopen: bool
    loggable: list[date]
    previous_monday: date | None
    next_monday: date | None
    this_monday: date | None

    @property
    def sunday(self) -> date:
        return self.monday + timedelta(days=6)


def week_page(placement: Placement, monday: date, *, user: User, today: date) -> WeekPage:
    """The week as ``user`` sees it today: days and totals, and which actions they may take."""
    week = find_week(placement, monday)
    entries = list(week.entries) if week else []
    status = week.status if week else WeekStatus.DRAFT
    rules = placement.program.rules()
    total = sum(e.minutes for e in entries)
    by_day = {day: [e for e in entries if e.work_date == day] for day in week_days(monday)}
    days = [Day(day, day_label(day), logged, sum(e.minutes for e in logged)) for day, logged in by_day.items()]
    is_intern = placement.is_intern(user)
    can_edit = is_intern and is_editable(status)
    previous, following, this = monday - timedelta(days=7), monday + timedelta(days=7), week_monday(today)
    return WeekPage(
        placement=placement, week=week, monday=monday, days=days, total=total, rules=rules,
        status_key=status.value, status_label=status.label, version=week.version if week else None,
        is_intern=is_intern,
        is_draft=status == WeekStatus.DRAFT, is_submitted=status == WeekStatus.SUBMITTED,
        is_returned=status == WeekStatus.RETURNED, is_approved=status == WeekStatus.APPROVED,
        started=monday <= today, short=is_short_week(total, rules),
        can_edit=can_edit, can_submit=can_edit and status_rules.can_submit(status, monday, today),
        can_decide=can_decide(status) and placement.can_approve(user),
        can_reopen=status_rules.can_reopen(status) and placement.can_reopen(user),
        loggable=loggable_days(placement, monday, today),
        previous_monday=previous if in_placement(placement, previous) else None,
        next_monday=following if in_placement(placement, following) and following <= this else None,
        this_monday=this if in_placement(placement, this) and monday != this else None,
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
        return f"Your placement starts on {long_date(placement.start_date)}: you cannot log hours before it."
    if placement.end_date is not None and day > placement.end_date:
        return f"Your placement ended on {long_date(placement.end_date)}: you cannot log hours after it."
    return None


def _check_intern(placement: Placement, actor: User) -> None:
    """Only the intern logs and submits their own hours (staff view them, and decide)."""
    if actor.id != placement.intern_id:
        raise Refused("Only the intern can change or submit their own timesheet.")


def _check_editable(week: TimesheetWeek) -> None:
    if not is_editable(week.status):
        raise Refused(LOCKED_MESSAGE)


def _check_entry(
    week: TimesheetWeek, data: EntryInput, *, today: date, leaving_out: TimesheetEntry | None = None
) -> None:
    """Date inside the week, the placement and the past; category of the program; caps of the rules."""
    placement = week.placement
    problem = _date_problem(placement, week.week_start, data.work_date, today)
    if problem:
        raise Refused(problem, field="work_date")
    if data.category.program_id != placement.program_id:
        raise Refused("Choose an activity from the list.", field="category")
    kept = leaving_out is not None and leaving_out.category_id == data.category.id
    if data.category.retired_at is not None and not kept:  # retired: only entries already in it keep it
        raise Refused("That activity is no longer offered; choose one from the list.", field="category")
    if len(data.note) > MAX_NOTE_LENGTH:
        raise Refused(f"Keep the note under {MAX_NOTE_LENGTH} characters.", field="note")
    check = check_entry_caps(
        data.minutes,
        day_minutes(week, data.work_date, leaving_out=leaving_out),
        week_minutes(week, leaving_out=leaving_out),
        placement.program.rules(),
    )
    if not check.ok:
        raise Refused(check.message or "This entry is over the limit.", field="hours")


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
        raise Refused(problem, field="work_date")
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


def _check_version(week: TimesheetWeek, expected_version: int | None, nothing_done: str) -> None:
    """Someone changed the week since the page was loaded: say what it is now, and that nothing happened."""
    if expected_version is not None and week.version != expected_version:
        raise Changed(
            f"This week changed while you were looking at it: it is now “{week.status.label}”. {nothing_done}"
        )


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
        raise Refused("This week has not started yet: submit it once it is over.")
    if not in_placement(placement, monday):
        raise Refused("This week is outside your placement.")
    week = get_or_create_week(placement, monday)
    _check_version(week, expected_version, "Nothing was submitted; check it and try again.")
    if week.status == WeekStatus.SUBMITTED:
        raise Refused("This week is already submitted and waiting for your supervisor.")
    if week.status == WeekStatus.APPROVED:
        raise Refused(LOCKED_MESSAGE)
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
        raise Refused("Only the intern's supervisor or an admin can approve or return this week.")
    if not can_decide(week.status):
        raise Refused(f"This week is {week.status.label.lower()}: there is nothing to decide.")


def approve_week(week: TimesheetWeek, *, actor: User, expected_version: int | None = None) -> None:
    """Approve the hours as they are now; the week is locked from then on."""
    _check_version(week, expected_version, NOTHING_DECIDED)
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
        raise Refused("Write a note telling the intern what to change.", field="note")
    _check_version(week, expected_version, NOTHING_DECIDED)
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
        f"Your timesheet for the week of {long_date(week.week_start)} was returned",
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
        raise Refused("Only an admin can reopen an approved week.")
    if actor.id == week.placement.intern_id:
        raise Refused("Another admin must reopen your own approved week.")
    if not reason:
        raise Refused("Say why the week is reopened (it is kept in the audit log).", field="reason")
    _check_version(week, expected_version, "Nothing was changed; check the entries below and reopen it again.")
    if week.status != WeekStatus.APPROVED:
        raise Refused("Only an approved week can be reopened.")
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


def weeks_to_decide_or_404(week_ids: list[int], user: User) -> list[TimesheetWeek]:
    """The chosen weeks, each one checked: unseen → 404, seen but not the user's to decide → 403."""
    weeks = db.session.scalars(
        select(TimesheetWeek)
        .where(TimesheetWeek.id.in_(week_ids))
        .options(
            selectinload(TimesheetWeek.placement).selectinload(Placement.intern),
            selectinload(TimesheetWeek.placement).selectinload(Placement.program),
            selectinload(TimesheetWeek.entries),
        )
        .order_by(TimesheetWeek.submitted_at, TimesheetWeek.id)
    ).all()
    if len(weeks) != len(week_ids) or any(not week.placement.can_view(user) for week in weeks):
        abort(404)
    if any(not week.placement.can_approve(user) for week in weeks):
        abort(403)
    return list(weeks)


def decide_weeks(
    weeks: list[TimesheetWeek], *, approve: bool, actor: User, note: str, versions: dict[int, int | None]
) -> None:
    """Approve or return several weeks together, or none: a week changed since the page was loaded
    stops the whole batch, and the refusal names each such week."""
    changed = [week for week in weeks if week.version != versions.get(week.id)]
    if changed:
        names = "; ".join(
            f"{week.placement.intern.full_name or week.placement.intern.email}, week of {day_label(week.week_start)} "
            f"(now “{week.status.label}”)"
            for week in changed
        )
        raise Changed(
            f"The intern changed a week while you were looking at it: {names}. "
            "Nothing was approved or returned; check the weeks again and decide."
        )
    for week in weeks:
        if approve:
            approve_week(week, actor=actor, expected_version=versions[week.id])
        else:
            return_week(week, actor=actor, note=note, expected_version=versions[week.id])


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
