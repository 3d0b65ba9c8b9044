"""A placement: an accepted application become an internship, with its intern and supervisor."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Integer
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.database import UTCDateTime, utcnow
from portal.extensions import db

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

    application: Mapped[Application | None] = relationship()
    program: Mapped[Program] = relationship()
    intern: Mapped[User] = relationship(foreign_keys=[intern_id])
    supervisor: Mapped[User | None] = relationship(foreign_keys=[supervisor_id])
    weeks: Mapped[list[TimesheetWeek]] = relationship(
        back_populates="placement", cascade="all, delete-orphan", order_by="TimesheetWeek.week_start"
    )

    def ended(self, today: date) -> bool:
        return self.end_date is not None and self.end_date < today

    def can_view(self, user: User) -> bool:
        """The intern, their supervisor, and admins; anyone else gets a 404."""
        from portal.models.user import Role

        if not user.is_authenticated or not user.active:
            return False
        return user.role == Role.ADMIN or user.id in (self.intern_id, self.supervisor_id)

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

    def is_intern(self, user: User) -> bool:
        """Whether ``user`` is this placement's intern (who alone logs and submits its hours)."""
        return user.is_authenticated and user.id == self.intern_id
