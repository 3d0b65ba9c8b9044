"""A reviewer's review of one application, and its 1–5 score per rubric criterion."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.database import UTCDateTime, utcnow
from portal.extensions import db

if TYPE_CHECKING:
    from portal.models.application import Application
    from portal.models.program import RubricCriterion
    from portal.models.user import User


class Review(db.Model):
    __tablename__ = "reviews"
    # One review per reviewer and application; with Score's unique (review, criterion) this is one
    # score per reviewer, application and criterion, held by the database.
    __table_args__ = (UniqueConstraint("application_id", "reviewer_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)

    application: Mapped[Application] = relationship()
    reviewer: Mapped[User] = relationship()
    scores: Mapped[list[Score]] = relationship(back_populates="review", cascade="all, delete-orphan")


class Score(db.Model):
    __tablename__ = "scores"
    __table_args__ = (
        UniqueConstraint("review_id", "criterion_id"),
        CheckConstraint("value >= 1 AND value <= 5", name="value_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"), index=True)
    criterion_id: Mapped[int] = mapped_column(ForeignKey("rubric_criteria.id", ondelete="CASCADE"), index=True)
    value: Mapped[int] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(String(1000), default="")

    review: Mapped[Review] = relationship(back_populates="scores")
    criterion: Mapped[RubricCriterion] = relationship()
