"""``flask purge``: erase what is past its retention (the rule is in ``portal.rules.retention``).

Applications due are erased by ``erase_personal_data`` (the same erasing as "delete my data"); their
anonymous row (program, status, dates, how they heard) stays for the reports, marked by
``data_deleted_at`` so it is never purged twice. Interns' timesheet weeks, their entries and hours
statements are deleted; the placement row (program, dates, outcome) stays for the reports, and an
intern's account is deactivated once none of their placements keeps records (its name stays: the
placement, concerns and audit log refer to it, and it no longer signs in).

The whole run is one transaction that the command commits: a failure part-way leaves the database as
it was (a resume file already removed stays removed; the next run erases its row). Running it again
finds nothing due, so it is safe daily from cron.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from flask import current_app
from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import selectinload

from portal.extensions import db
from portal.models import (
    Application,
    ApplicationStatus,
    DataRequestKind,
    HoursStatement,
    Placement,
    Program,
    ProgramState,
    Role,
    TimesheetEntry,
    TimesheetWeek,
    User,
)
from portal.rules.retention import PURGEABLE_STATUSES, application_due, intern_records_due
from portal.services.accounts import void_unused_tokens
from portal.services.applications import erase_personal_data
from portal.services.audit import record_event
from portal.services.data_requests import record_data_request
from portal.services.queue_search import forget_erased

SYSTEM = "system"


@dataclass
class ProgramPurge:
    """What one program loses in a run: counts only, never who."""

    program_id: int
    title: str
    slug: str
    applications: Counter[str] = field(default_factory=Counter)  # status value → applications erased
    placements: int = 0  # placements whose timesheets and statements go
    weeks: int = 0
    entries: int = 0
    statements: int = 0

    @property
    def application_count(self) -> int:
        return sum(self.applications.values())

    def describe(self, dry_run: bool) -> str:
        """One line for the command's output, e.g. "would erase 3 applications (2 declined, 1 withdrawn)"."""
        erase, delete_ = ("would erase", "would delete") if dry_run else ("erased", "deleted")
        parts = []
        if self.application_count:
            in_pipeline_order = [
                (s.value, self.applications[s.value]) for s in ApplicationStatus if s.value in self.applications
            ]
            statuses = ", ".join(f"{n} {status.replace('_', ' ')}" for status, n in in_pipeline_order)
            parts.append(f"{erase} {_plural(self.application_count, 'application')} ({statuses})")
        if self.placements:
            records = ", ".join(
                [
                    _plural(self.weeks, "timesheet week"),
                    _plural(self.entries, "entry", "entries"),
                    _plural(self.statements, "hours statement"),
                ]
            )
            parts.append(f"{delete_} the records of {_plural(self.placements, 'intern')} ({records})")
        return f"{self.title} ({self.slug}): " + "; ".join(parts)


@dataclass
class PurgeReport:
    today: date
    dry_run: bool
    programs: list[ProgramPurge] = field(default_factory=list)
    accounts_deactivated: int = 0

    @property
    def application_count(self) -> int:
        return sum(p.application_count for p in self.programs)

    @property
    def placement_count(self) -> int:
        return sum(p.placements for p in self.programs)

    def lines(self) -> list[str]:
        """The command's output: a line per program, then the accounts; names of people never appear."""
        if not self.programs:
            return [f"Nothing is due for purging on {self.today.isoformat()}."]
        lines = [p.describe(self.dry_run) for p in self.programs]
        if self.accounts_deactivated:
            verb = "would be" if self.dry_run else ("was" if self.accounts_deactivated == 1 else "were")
            lines.append(f"{_plural(self.accounts_deactivated, 'intern account')} {verb} deactivated.")
        if self.dry_run:
            lines.append("Dry run: nothing was changed.")
        return lines


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


def purge(today: date, *, dry_run: bool) -> PurgeReport:
    """Erase applications and interns' records past retention (or, with ``dry_run``, only count them).

    Flushes, never commits: the command commits the whole run at once.
    """
    report = PurgeReport(today=today, dry_run=dry_run)
    by_program: dict[int, ProgramPurge] = {}
    applications = _due_applications(today)
    placements = _due_placements(today, current_app.config["INTERN_RECORDS_RETENTION_YEARS"])
    for application in applications:
        _entry(by_program, application.program).applications[application.status.value] += 1
    _count_records(placements, by_program)
    report.programs = sorted(by_program.values(), key=lambda p: (p.title, p.program_id))
    interns = _interns_left_without_records(placements, today)
    report.accounts_deactivated = len(interns)
    if dry_run or not report.programs:
        return report
    for application in applications:
        erase_personal_data(application)
    forget_erased()  # the queue's search index drops their names too
    _delete_records([p.id for p in placements])
    for intern in interns:
        intern.active = False
        intern.end_sessions()
        void_unused_tokens(intern)
    for entry in report.programs:
        if entry.application_count:
            program = db.session.get(Program, entry.program_id)
            record_data_request(
                DataRequestKind.PURGE, program=program, application_count=entry.application_count, actor_label=SYSTEM
            )
    record_event(
        "retention.purged",
        target_type="retention",
        target_id=None,
        actor_label=SYSTEM,
        details={
            "day": today.isoformat(),
            "programs": len(report.programs),
            "applications": report.application_count,
            "placements": report.placement_count,
            "accounts_deactivated": report.accounts_deactivated,
        },
    )
    db.session.flush()
    return report


def _entry(by_program: dict[int, ProgramPurge], program: Program) -> ProgramPurge:
    if program.id not in by_program:
        by_program[program.id] = ProgramPurge(program.id, program.title, program.slug)
    return by_program[program.id]


def _due_applications(today: date) -> list[Application]:
    """Candidates by SQL (status, not yet erased, program past draft), then the rule decides each."""
    rows = db.session.execute(
        select(
            Application.id,
            Application.status,
            Application.updated_at,
            Program.state,
            Program.applications_open,
            Program.applications_close,
            Program.retention_months,
        )
        .join(Program, Program.id == Application.program_id)
        .where(
            Application.status.in_(PURGEABLE_STATUSES),
            Application.data_deleted_at.is_(None),
            Program.state != ProgramState.DRAFT,
        )
    ).all()
    due = [
        row.id
        for row in rows
        if application_due(
            status=row.status,
            program_state=row.state,
            program_opens=row.applications_open,
            program_closes=row.applications_close,
            last_change=row.updated_at.date(),
            retention_months=row.retention_months,
            already_erased=False,
            today=today,
        )
    ]
    if not due:
        return []
    return list(
        db.session.scalars(
            select(Application)
            .where(Application.id.in_(due))
            .options(selectinload(Application.program), selectinload(Application.resume))
            .order_by(Application.id)
        )
    )


def _due_placements(today: date, retention_years: int) -> list[Placement]:
    """Ended placements that still hold timesheets or statements and are past the interns' retention."""
    has_records = or_(
        select(TimesheetWeek.id).where(TimesheetWeek.placement_id == Placement.id).exists(),
        select(HoursStatement.id).where(HoursStatement.placement_id == Placement.id).exists(),
    )
    candidates = db.session.scalars(
        select(Placement)
        .where(Placement.end_date.is_not(None), has_records)
        .options(selectinload(Placement.program))
        .order_by(Placement.id)
    )
    return [p for p in candidates if intern_records_due(p.end_date, retention_years, today)]


def _count_records(placements: list[Placement], by_program: dict[int, ProgramPurge]) -> None:
    """Weeks, entries and statements per placement in three grouped queries."""
    ids = [p.id for p in placements]
    if not ids:
        return
    weeks = dict(
        db.session.execute(
            select(TimesheetWeek.placement_id, func.count())
            .where(TimesheetWeek.placement_id.in_(ids))
            .group_by(TimesheetWeek.placement_id)
        ).all()
    )
    entries = dict(
        db.session.execute(
            select(TimesheetWeek.placement_id, func.count(TimesheetEntry.id))
            .join(TimesheetEntry, TimesheetEntry.week_id == TimesheetWeek.id)
            .where(TimesheetWeek.placement_id.in_(ids))
            .group_by(TimesheetWeek.placement_id)
        ).all()
    )
    statements = dict(
        db.session.execute(
            select(HoursStatement.placement_id, func.count())
            .where(HoursStatement.placement_id.in_(ids))
            .group_by(HoursStatement.placement_id)
        ).all()
    )
    for placement in placements:
        entry = _entry(by_program, placement.program)
        entry.placements += 1
        entry.weeks += weeks.get(placement.id, 0)
        entry.entries += entries.get(placement.id, 0)
        entry.statements += statements.get(placement.id, 0)


def _delete_records(placement_ids: list[int]) -> None:
    """Entries, weeks and statements of these placements, in three statements (the placements stay)."""
    if not placement_ids:
        return
    db.session.flush()
    weeks = select(TimesheetWeek.id).where(TimesheetWeek.placement_id.in_(placement_ids))
    db.session.execute(
        delete(TimesheetEntry).where(TimesheetEntry.week_id.in_(weeks)).execution_options(synchronize_session=False)
    )
    db.session.execute(
        delete(TimesheetWeek)
        .where(TimesheetWeek.placement_id.in_(placement_ids))
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        delete(HoursStatement)
        .where(HoursStatement.placement_id.in_(placement_ids))
        .execution_options(synchronize_session=False)
    )
    db.session.expire_all()


def _interns_left_without_records(placements: list[Placement], today: date) -> list[User]:
    """Active intern accounts whose every placement is past retention once this run is done."""
    intern_ids = {p.intern_id for p in placements}
    if not intern_ids:
        return []
    years = current_app.config["INTERN_RECORDS_RETENTION_YEARS"]
    all_placements = db.session.scalars(select(Placement).where(Placement.intern_id.in_(intern_ids)))
    keeping = {p.intern_id for p in all_placements if not intern_records_due(p.end_date, years, today)}
    return list(
        db.session.scalars(
            select(User)
            .where(User.id.in_(intern_ids - keeping), User.role == Role.INTERN, User.active.is_(True))
            .order_by(User.id)
        )
    )
