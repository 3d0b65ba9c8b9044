"""A placement: an accepted application become an internship, with its intern and supervisor."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Integer, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.database import UTCDateTime, enum_type, utcnow
from portal.extensions import db
from portal.rules.placements import Outcome as PlacementOutcome

if TYPE_CHECKING:
    from portal.models.application import Application
    from portal.models.program import Program
    from portal.models.timesheet import TimesheetWeek
    from portal.models.user import User


class Placement(db.Model):
    __tablename__ = "placements"
    __table_args__ = (
        CheckConstraint("end_date IS NULL OR end_date >= start_date", name="dates_order"),
        CheckConstraint(
            "committed_minutes_per_week > 0 AND committed_minutes_per_week <= 10080", name="commitment_range"
        ),
        CheckConstraint("outcome IS NULL OR end_date IS NOT NULL", name="outcome_has_end"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int | None] = mapped_column(ForeignKey("applications.id", ondelete="SET NULL"), unique=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="RESTRICT"), index=True)
    intern_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    supervisor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date, default=None)
    committed_minutes_per_week: Mapped[int] = mapped_column(Integer)
    stipend_eligible: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Set when someone ends the placement (portal.services.placements.end_placement); end_date is then the
    # day it ended. Until then end_date is the planned end.
    outcome: Mapped[PlacementOutcome | None] = mapped_column(
        enum_type(PlacementOutcome, "placement_outcome"), default=None
    )
    end_reason: Mapped[str] = mapped_column(Text, default="")
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    ended_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), default=None)

    application: Mapped[Application | None] = relationship()
    program: Mapped[Program] = relationship()
    intern: Mapped[User] = relationship(foreign_keys=[intern_id])
    supervisor: Mapped[User | None] = relationship(foreign_keys=[supervisor_id])
    ended_by: Mapped[User | None] = relationship(foreign_keys=[ended_by_id])
    weeks: Mapped[list[TimesheetWeek]] = relationship(
        back_populates="placement", cascade="all, delete-orphan", order_by="TimesheetWeek.week_start"
    )

    def ended(self, today: date) -> bool:
        """Ended by someone (from its end day on), or past its planned end date."""
        return self.outcome is not None or (self.end_date is not None and self.end_date < today)

    def can_view(self, user: User) -> bool:
        """The intern, their supervisor, the program's supervisors, and admins; anyone else gets a 404."""
        from portal.models.user import Role

        if not user.is_authenticated or not user.active:
            return False
        if user.role == Role.ADMIN or user.id in (self.intern_id, self.supervisor_id):
            return True
        return user.role == Role.SUPERVISOR and self.program.is_supervisor(user)

    def can_approve(self, user: User) -> bool:
        """Only the supervisor (or an admin), and never the intern themself."""
        from portal.models.user import Role

        if not user.is_authenticated or not user.active or user.id == self.intern_id:
            return False
        return user.role == Role.ADMIN or (user.role == Role.SUPERVISOR and user.id == self.supervisor_id)

    def can_reopen(self, user: User) -> bool:
        """Only an admin unlocks an approved week, and never one of their own hours."""
        from portal.models.user import Role

        if not user.is_authenticated or not user.active or user.id == self.intern_id:
            return False
        return user.role == Role.ADMIN

    def can_manage(self, user: User) -> bool:
        """Change, extend or end it: an admin, or an active supervisor of its program or of this placement."""
        from portal.models.user import Role

        if not user.is_authenticated or not user.active or user.id == self.intern_id:
            return False
        if user.role == Role.ADMIN:
            return True
        return user.role == Role.SUPERVISOR and (user.id == self.supervisor_id or self.program.is_supervisor(user))

    def is_intern(self, user: User) -> bool:
        """Whether ``user`` is this placement's intern (who alone logs and submits its hours)."""
        return user.is_authenticated and user.id == self.intern_id
