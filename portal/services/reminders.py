"""Reminder emails, sent by ``flask reminders send`` once a day from cron.

- Interns whose last week (the week before today's) has no submitted or approved timesheet, for
  each placement active during that week. A returned week counts as not submitted: it waits on them.
- Supervisors with weeks submitted more than 3 full days ago and still waiting for a decision.

Each person gets at most one reminder per week and reason: a ``ReminderLog`` row (unique per user,
reason and Monday) is written in a savepoint before the mail is queued, so a second run the same
week, or two runs at once, send nothing more. Nothing here commits; the command does.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from portal.extensions import db
from portal.formatting import day_label
from portal.models import Placement, ReminderLog, TimesheetWeek, User, WeekStatus
from portal.rules.hours import format_minutes
from portal.rules.weeks import week_monday
from portal.services.audit import record_event
from portal.services.outbox import queue_email
from portal.services.timesheets import totals_for
from portal.web import absolute_url

TIMESHEET_MISSING = "timesheet_missing"
APPROVALS_WAITING = "approvals_waiting"

#: A submitted week waits "more than" this long before its supervisor is reminded.
APPROVAL_WAIT = timedelta(days=3)


@dataclass
class ReminderReport:
    interns: list[str] = field(default_factory=list)
    supervisors: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return (
            f"{len(self.interns)} intern reminder{'s' if len(self.interns) != 1 else ''} and "
            f"{len(self.supervisors)} supervisor reminder{'s' if len(self.supervisors) != 1 else ''} queued"
        )


def _claim(user: User, reason: str, monday: date) -> bool:
    """Write the log row first; False when this person already had this reminder this week."""
    try:
        with db.session.begin_nested():
            db.session.add(ReminderLog(user=user, reason=reason, week_start=monday))
    except IntegrityError:
        return False
    return True


def _already_sent(reason: str, monday: date) -> set[int]:
    return set(
        db.session.scalars(
            select(ReminderLog.user_id).where(ReminderLog.reason == reason, ReminderLog.week_start == monday)
        )
    )


def send_reminders(today: date) -> ReminderReport:
    """Queue today's reminders (both kinds); returns who was reminded."""
    report = ReminderReport()
    remind_missing_timesheets(today, report)
    remind_waiting_approvals(today, report)
    return report


def remind_missing_timesheets(today: date, report: ReminderReport) -> None:
    """Interns with a placement active last week and no submitted timesheet for it."""
    monday = week_monday(today) - timedelta(days=7)
    sunday = monday + timedelta(days=6)
    done = select(TimesheetWeek.placement_id).where(
        TimesheetWeek.week_start == monday,
        TimesheetWeek.status.in_([WeekStatus.SUBMITTED, WeekStatus.APPROVED]),
    )
    placements = db.session.scalars(
        select(Placement)
        .join(User, User.id == Placement.intern_id)
        .where(
            Placement.start_date <= sunday,
            or_(Placement.end_date.is_(None), Placement.end_date >= monday),
            User.active.is_(True),
            Placement.id.not_in(done),
        )
        .options(selectinload(Placement.intern), selectinload(Placement.program))
        .order_by(Placement.intern_id, Placement.id)
    ).all()
    by_intern: dict[int, list[Placement]] = defaultdict(list)
    for placement in placements:
        by_intern[placement.intern_id].append(placement)
    skip = _already_sent(TIMESHEET_MISSING, monday)
    for intern_id, own in by_intern.items():
        intern = own[0].intern
        if intern_id in skip or not _claim(intern, TIMESHEET_MISSING, monday):
            continue
        queue_email(
            intern.email,
            "reminder_timesheet",
            f"Please submit your timesheet for the week of {day_label(monday)}",
            intern=intern,
            monday=monday,
            sunday=sunday,
            week_label=f"{day_label(monday)} to {day_label(sunday)} {sunday.year}",
            placements=[
                (
                    placement,
                    absolute_url("timesheets.week", placement_id=placement.id, monday=monday.isoformat()),
                )
                for placement in own
            ],
        )
        record_event(
            "reminder.sent",
            target_type="user",
            target_id=intern.id,
            actor_label="system",
            reason=TIMESHEET_MISSING,
            details={"week_start": monday.isoformat(), "placement_ids": [p.id for p in own]},
        )
        report.interns.append(intern.email)


def remind_waiting_approvals(today: date, report: ReminderReport) -> None:
    """Supervisors with weeks submitted before the start of the day 3 days ago (3 full days waiting)."""
    monday = week_monday(today)
    cutoff = datetime.combine(today - APPROVAL_WAIT, time.min, tzinfo=UTC)
    weeks = db.session.scalars(
        select(TimesheetWeek)
        .join(TimesheetWeek.placement)
        .join(User, User.id == Placement.supervisor_id)
        .where(
            TimesheetWeek.status == WeekStatus.SUBMITTED,
            TimesheetWeek.submitted_at < cutoff,
            User.active.is_(True),
            Placement.supervisor_id != Placement.intern_id,
        )
        .options(
            selectinload(TimesheetWeek.placement).selectinload(Placement.intern),
            selectinload(TimesheetWeek.placement).selectinload(Placement.supervisor),
        )
        .order_by(Placement.supervisor_id, TimesheetWeek.submitted_at, TimesheetWeek.id)
    ).all()
    by_supervisor: dict[int, list[TimesheetWeek]] = defaultdict(list)
    for week in weeks:
        by_supervisor[week.placement.supervisor_id].append(week)
    totals = totals_for([week.id for week in weeks])
    skip = _already_sent(APPROVALS_WAITING, monday)
    for supervisor_id, waiting in by_supervisor.items():
        supervisor = waiting[0].placement.supervisor
        if supervisor_id in skip or not _claim(supervisor, APPROVALS_WAITING, monday):
            continue
        count = len(waiting)
        queue_email(
            supervisor.email,
            "reminder_approvals",
            f"{count} timesheet{'s are' if count != 1 else ' is'} waiting for your approval",
            supervisor=supervisor,
            count=count,
            weeks=[
                (
                    week,
                    week.placement.intern.full_name or week.placement.intern.email,
                    f"week of {day_label(week.week_start)} {week.week_start.year}",
                    format_minutes(totals.get(week.id, 0)),
                    (today - week.submitted_at.date()).days,
                )
                for week in waiting
            ],
            link=absolute_url("timesheets.approvals"),
        )
        record_event(
            "reminder.sent",
            target_type="user",
            target_id=supervisor.id,
            actor_label="system",
            reason=APPROVALS_WAITING,
            details={"week_start": monday.isoformat(), "week_ids": [week.id for week in waiting]},
        )
        report.supervisors.append(supervisor.email)
