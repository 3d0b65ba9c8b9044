"""What every report is narrowed to: the programs a person may see, one of them chosen, and a date range.

The reports' filter form (portal/reports/forms.py) builds a ``ReportFilters``; the report services read
only ``program_ids`` and the date bounds, so a supervisor's report can never include a program they do
not review or supervise, whatever the address says.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import or_, select

from portal.extensions import db
from portal.models import Program, User
from portal.models.program import program_reviewers, program_supervisors
from portal.models.user import Role


@dataclass(frozen=True)
class ReportFilters:
    """``program_ids``: the chosen program, or every program the person may see; the dates are inclusive."""

    program_ids: tuple[int, ...]
    program_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None

    @property
    def start(self) -> datetime | None:
        """The first instant of ``date_from`` (UTC), for ``column >= start``."""
        return None if self.date_from is None else datetime.combine(self.date_from, time.min, tzinfo=UTC)

    @property
    def end(self) -> datetime | None:
        """The first instant after ``date_to`` (UTC), for ``column < end``; the last day there is has none."""
        if self.date_to is None or self.date_to == date.max:
            return None
        return datetime.combine(self.date_to + timedelta(days=1), time.min, tzinfo=UTC)

    def query_args(self) -> dict[str, str]:
        """The filters as GET parameters (only those set), for the CSV link and the other reports' links."""
        args = {
            "program": str(self.program_id) if self.program_id is not None else "",
            "date_from": self.date_from.isoformat() if self.date_from else "",
            "date_to": self.date_to.isoformat() if self.date_to else "",
        }
        return {key: value for key, value in args.items() if value}

    @property
    def active(self) -> bool:
        return self.program_id is not None or self.date_from is not None or self.date_to is not None


def report_programs(user: User) -> list[Program]:
    """Every program for admins; for a supervisor, those they review or supervise; none for anyone else.
    Newest term first, so the program select opens on the current one."""
    if user.role not in (Role.ADMIN, Role.SUPERVISOR):
        return []
    statement = select(Program).order_by(Program.applications_open.desc(), Program.title, Program.id)
    if user.role != Role.ADMIN:
        reviews = select(program_reviewers.c.program_id).where(program_reviewers.c.user_id == user.id)
        supervises = select(program_supervisors.c.program_id).where(program_supervisors.c.user_id == user.id)
        statement = statement.where(or_(Program.id.in_(reviews), Program.id.in_(supervises)))
    return list(db.session.scalars(statement))
