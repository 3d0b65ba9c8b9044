"""A program: its posting text, its windows and every rule setting (DESIGN.md, "The rules")."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.database import UTCDateTime, utcnow
from portal.extensions import db
from portal.rules.settings import ProgramRules, StipendTier

if TYPE_CHECKING:
    from portal.models.user import User

program_reviewers = Table(
    "program_reviewers",
    db.metadata,
    Column("program_id", ForeignKey("programs.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
)

# Posting sections in the order the posting page shows them: (field, heading).
POSTING_SECTIONS: tuple[tuple[str, str], ...] = (
    ("what_you_will_do", "What you will do"),
    ("what_you_will_learn", "What you will learn"),
    ("requirements", "What we require"),
    ("nice_to_have", "It would be great if you could"),
    ("commitment", "The commitment"),
    ("stipend_text", "Stipend"),
    ("school_credit_text", "School credit"),
    ("diversity_statement", "Diversity"),
    ("intern_rights", "Our commitment to intern rights"),
    ("how_to_apply", "How to apply"),
)


class Program(db.Model):
    __tablename__ = "programs"
    __table_args__ = (
        CheckConstraint("applications_close >= applications_open", name="application_window_order"),
        CheckConstraint("start_window_end >= start_window_start", name="start_window_order"),
        CheckConstraint("places >= 0", name="places_not_negative"),
        CheckConstraint("min_week_minutes > 0 AND min_week_minutes <= max_week_minutes", name="week_minutes_order"),
        CheckConstraint("max_week_minutes <= 10080", name="max_week_within_week"),
        CheckConstraint("max_day_minutes > 0 AND max_day_minutes <= 1440", name="max_day_within_day"),
        CheckConstraint("min_weeks > 0", name="min_weeks_positive"),
        CheckConstraint("retention_months > 0", name="retention_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    organisation: Mapped[str] = mapped_column(String(200))
    location: Mapped[str] = mapped_column(String(200), default="")
    summary: Mapped[str] = mapped_column(Text, default="")
    about_organisation: Mapped[str] = mapped_column(Text, default="")
    # Posting sections: plain text; a line starting with "- " is a list item.
    what_you_will_do: Mapped[str] = mapped_column(Text, default="")
    what_you_will_learn: Mapped[str] = mapped_column(Text, default="")
    requirements: Mapped[str] = mapped_column(Text, default="")
    nice_to_have: Mapped[str] = mapped_column(Text, default="")
    commitment: Mapped[str] = mapped_column(Text, default="")
    stipend_text: Mapped[str] = mapped_column(Text, default="")
    school_credit_text: Mapped[str] = mapped_column(Text, default="")
    diversity_statement: Mapped[str] = mapped_column(Text, default="")
    intern_rights: Mapped[str] = mapped_column(Text, default="")
    how_to_apply: Mapped[str] = mapped_column(Text, default="")

    applications_open: Mapped[date] = mapped_column(Date)
    applications_close: Mapped[date] = mapped_column(Date)
    start_window_start: Mapped[date] = mapped_column(Date)
    start_window_end: Mapped[date] = mapped_column(Date)
    places: Mapped[int] = mapped_column(Integer, default=5)
    blind_review: Mapped[bool] = mapped_column(Boolean, default=False)

    min_week_minutes: Mapped[int] = mapped_column(Integer, default=15 * 60)
    max_week_minutes: Mapped[int] = mapped_column(Integer, default=40 * 60)
    max_day_minutes: Mapped[int] = mapped_column(Integer, default=12 * 60)
    min_weeks: Mapped[int] = mapped_column(Integer, default=12)
    stipend_min_week_minutes: Mapped[int] = mapped_column(Integer, default=25 * 60)
    retention_months: Mapped[int] = mapped_column(Integer, default=12)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    stipend_tiers: Mapped[list[StipendTierSetting]] = relationship(
        back_populates="program", cascade="all, delete-orphan", order_by="StipendTierSetting.min_average_minutes"
    )
    categories: Mapped[list[ActivityCategory]] = relationship(
        back_populates="program", cascade="all, delete-orphan", order_by="ActivityCategory.position"
    )
    rubric: Mapped[list[RubricCriterion]] = relationship(
        back_populates="program", cascade="all, delete-orphan", order_by="RubricCriterion.position"
    )
    reviewers: Mapped[list[User]] = relationship(secondary=program_reviewers)

    def rules(self) -> ProgramRules:
        """This program's settings as the pure value that every function in ``portal.rules`` takes."""
        tiers = tuple(StipendTier(t.min_average_minutes, t.monthly_cents) for t in self.stipend_tiers)
        return ProgramRules(
            min_week_minutes=self.min_week_minutes,
            max_week_minutes=self.max_week_minutes,
            max_day_minutes=self.max_day_minutes,
            min_weeks=self.min_weeks,
            stipend_min_week_minutes=self.stipend_min_week_minutes,
            stipend_tiers=tiers or ProgramRules().stipend_tiers,
            start_window=(self.start_window_start, self.start_window_end),
        )

    def posting_sections(self) -> list[tuple[str, str]]:
        """The non-empty posting sections as (heading, text), in posting order."""
        return [(heading, getattr(self, field)) for field, heading in POSTING_SECTIONS if getattr(self, field)]

    def is_reviewer(self, user: User) -> bool:
        return any(reviewer.id == user.id for reviewer in self.reviewers)

    def __repr__(self) -> str:
        return f"<Program {self.slug}>"


class StipendTierSetting(db.Model):
    """One stipend tier: a monthly amount paid from an average of ``min_average_minutes`` a week."""

    __tablename__ = "stipend_tiers"
    __table_args__ = (
        UniqueConstraint("program_id", "min_average_minutes"),
        CheckConstraint("min_average_minutes >= 0", name="min_average_not_negative"),
        CheckConstraint("monthly_cents >= 0", name="monthly_cents_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"), index=True)
    min_average_minutes: Mapped[int] = mapped_column(Integer)
    monthly_cents: Mapped[int] = mapped_column(Integer)
    program: Mapped[Program] = relationship(back_populates="stipend_tiers")


class ActivityCategory(db.Model):
    """A kind of work an intern logs; ``is_learning`` feeds the learning-share check of intern rights."""

    __tablename__ = "activity_categories"
    __table_args__ = (UniqueConstraint("program_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    is_learning: Mapped[bool] = mapped_column(Boolean, default=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    program: Mapped[Program] = relationship(back_populates="categories")


class RubricCriterion(db.Model):
    """One thing reviewers score from 1 to 5."""

    __tablename__ = "rubric_criteria"
    __table_args__ = (UniqueConstraint("program_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    required: Mapped[bool] = mapped_column(Boolean, default=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    program: Mapped[Program] = relationship(back_populates="rubric")
