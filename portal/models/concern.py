"""Intern rights: a concern an intern raises, seen and answered only by admins."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.database import UTCDateTime, enum_type, utcnow
from portal.extensions import db

if TYPE_CHECKING:
    from portal.models.placement import Placement
    from portal.models.user import User


class ConcernKind(str, enum.Enum):
    STAFF_JOB = "staff_job"
    NOT_LEARNING = "not_learning"
    DISRESPECT = "disrespect"
    OTHER = "other"

    @property
    def label(self) -> str:
        return CONCERN_LABELS[self]


CONCERN_LABELS = {
    ConcernKind.STAFF_JOB: "I am being asked to do a staff member's job",
    ConcernKind.NOT_LEARNING: "I am not learning",
    ConcernKind.DISRESPECT: "I was not treated with respect",
    ConcernKind.OTHER: "Something else",
}


class Concern(db.Model):
    __tablename__ = "concerns"

    id: Mapped[int] = mapped_column(primary_key=True)
    placement_id: Mapped[int] = mapped_column(ForeignKey("placements.id", ondelete="CASCADE"), index=True)
    raised_by_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[ConcernKind] = mapped_column(enum_type(ConcernKind, "concern_kind"))
    details: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    answer: Mapped[str] = mapped_column(Text, default="")
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    placement: Mapped[Placement] = relationship()
    raised_by: Mapped[User] = relationship(foreign_keys=[raised_by_id])
    answered_by: Mapped[User | None] = relationship(foreign_keys=[answered_by_id])
