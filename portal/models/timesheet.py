"""Weekly timesheets (one per placement and Monday) and their entries."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.database import UTCDateTime, enum_type, utcnow
from portal.extensions import db
from portal.rules.week_status import WeekStatus

if TYPE_CHECKING:
    from portal.models.placement import Placement
    from portal.models.program import ActivityCategory
    from portal.models.user import User


class TimesheetWeek(db.Model):
    __tablename__ = "timesheet_weeks"
    __table_args__ = (UniqueConstraint("placement_id", "week_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    placement_id: Mapped[int] = mapped_column(ForeignKey("placements.id", ondelete="CASCADE"), index=True)
    week_start: Mapped[date] = mapped_column(Date)  # always a Monday (services use rules.week_monday)
    status: Mapped[WeekStatus] = mapped_column(
        enum_type(WeekStatus, "week_status"),
        default=WeekStatus.DRAFT,
        index=True,
    )
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    return_note: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(Integer, default=1)

    placement: Mapped[Placement] = relationship(back_populates="weeks")
    decided_by: Mapped[User | None] = relationship()
    entries: Mapped[list[TimesheetEntry]] = relationship(
        back_populates="week", cascade="all, delete-orphan", order_by="(TimesheetEntry.work_date, TimesheetEntry.id)"
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def total_minutes(self) -> int:
        return sum(entry.minutes for entry in self.entries)


class WeekReflection(db.Model):
    """The intern's answer to "What did you learn this week?": optional, and apart from the week's row, so
    writing it never moves the week's version (a supervisor deciding the week meanwhile is not refused); it
    goes with the week (ON DELETE CASCADE), as every record of the intern's hours does at the end of their
    retention."""

    __tablename__ = "week_reflections"

    id: Mapped[int] = mapped_column(primary_key=True)
    week_id: Mapped[int] = mapped_column(ForeignKey("timesheet_weeks.id", ondelete="CASCADE"), unique=True)
    text: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    week: Mapped[TimesheetWeek] = relationship()


class TimesheetEntry(db.Model):
    __tablename__ = "timesheet_entries"
    __table_args__ = (
        CheckConstraint("minutes > 0 AND minutes <= 1440", name="minutes_within_day"),
        # A week's minutes and learning minutes (services.progress.week_records) read from this index alone,
        # so a page of 25 placements reads its own entries, never a scan of every intern's.
        Index("ix_timesheet_entries_week_figures", "week_id", "category_id", "minutes"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    week_id: Mapped[int] = mapped_column(ForeignKey("timesheet_weeks.id", ondelete="CASCADE"))
    work_date: Mapped[date] = mapped_column(Date)
    minutes: Mapped[int] = mapped_column(Integer)
    category_id: Mapped[int] = mapped_column(ForeignKey("activity_categories.id", ondelete="RESTRICT"), index=True)
    note: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    week: Mapped[TimesheetWeek] = relationship(back_populates="entries")
    category: Mapped[ActivityCategory] = relationship()
