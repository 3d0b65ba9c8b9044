"""Reminders already sent, so each person gets at most one per week and reason."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import Date, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.database import UTCDateTime, utcnow
from portal.extensions import db

if TYPE_CHECKING:
    from portal.models.user import User


class ReminderLog(db.Model):
    __tablename__ = "reminder_log"
    __table_args__ = (UniqueConstraint("user_id", "reason", "week_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    reason: Mapped[str] = mapped_column(String(40))  # "timesheet_missing", "approvals_waiting"
    week_start: Mapped[date] = mapped_column(Date)  # the Monday of the week the reminder is about
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship()
