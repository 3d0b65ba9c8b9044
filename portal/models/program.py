"""A program: its posting text, its windows and every rule setting (DESIGN.md, "The rules")."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    JSON,
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

from portal.database import UTCDateTime, enum_type, utcnow
from portal.extensions import db
from portal.rules.program_states import ProgramState
from portal.rules.settings import ProgramRules, StipendTier

if TYPE_CHECKING:
    from portal.models.user import User

program_reviewers = Table(
    "program_reviewers",
    db.metadata,
    Column("program_id", ForeignKey("programs.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
)
#: Staff who supervise the program's interns: offered as a placement's supervisor, and shown its interns.
program_supervisors = Table(
    "program_supervisors",
    db.metadata,
    Column("program_id", ForeignKey("programs.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
)


class QuestionKind(enum.StrEnum):
    """The kinds of question an admin can add to a program's application form."""

    SHORT_TEXT = "short_text"
    LONG_TEXT = "long_text"
    ONE_CHOICE = "one_choice"
    MANY_CHOICES = "many_choices"
    YES_NO = "yes_no"
    LINK = "link"

    @property
    def label(self) -> str:
        return QUESTION_KIND_LABELS[self]

    @property
    def has_options(self) -> bool:
        return self in (QuestionKind.ONE_CHOICE, QuestionKind.MANY_CHOICES)


QUESTION_KIND_LABELS = {
    QuestionKind.SHORT_TEXT: "Short text",
    QuestionKind.LONG_TEXT: "Long text",
    QuestionKind.ONE_CHOICE: "One choice",
    QuestionKind.MANY_CHOICES: "Several choices",
    QuestionKind.YES_NO: "Yes or no",
    QuestionKind.LINK: "A link",
}


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
    # The posting body, in Markdown; rendered by portal.markdown (sanitised) on the posting page.
    body: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[ProgramState] = mapped_column(
        enum_type(ProgramState, "program_state"), default=ProgramState.DRAFT, index=True
    )
    # Set when first published: from then on the slug (the public address) does not change.
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)

    applications_open: Mapped[date] = mapped_column(Date)
    applications_close: Mapped[date] = mapped_column(Date)
    start_window_start: Mapped[date] = mapped_column(Date)
    start_window_end: Mapped[date] = mapped_column(Date)
    places: Mapped[int] = mapped_column(Integer, default=5)
    blind_review: Mapped[bool] = mapped_column(Boolean, default=False)
    # Rolling admission: applications are reviewed as they arrive, up to the close date.
    rolling: Mapped[bool] = mapped_column(Boolean, default=False)

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
    questions: Mapped[list[ApplicationQuestion]] = relationship(
        back_populates="program", cascade="all, delete-orphan", order_by="ApplicationQuestion.position"
    )
    reviewers: Mapped[list[User]] = relationship(secondary=program_reviewers)
    supervisors: Mapped[list[User]] = relationship(secondary=program_supervisors)

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

    @property
    def is_public(self) -> bool:
        """Whether applicants can see the posting at all (closed programs show that they are closed)."""
        return self.state in (ProgramState.PUBLISHED, ProgramState.CLOSED)

    @property
    def slug_is_fixed(self) -> bool:
        """Once published, links to the posting are out in the world: the address stays."""
        return self.published_at is not None

    def active_questions(self) -> list[ApplicationQuestion]:
        """The questions the application form asks now, in order (retired ones keep their answers)."""
        return [question for question in self.questions if question.retired_at is None]

    def active_rubric(self) -> list[RubricCriterion]:
        return [criterion for criterion in self.rubric if criterion.retired_at is None]

    def active_categories(self) -> list[ActivityCategory]:
        return [category for category in self.categories if category.retired_at is None]

    def is_reviewer(self, user: User) -> bool:
        return any(reviewer.id == user.id for reviewer in self.reviewers)

    def is_supervisor(self, user: User) -> bool:
        return any(supervisor.id == user.id for supervisor in self.supervisors)

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
    # Retired, not deleted, once entries use it: old hours keep their category.
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
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
    # Retired, not deleted, once scored: old scores keep their meaning.
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    program: Mapped[Program] = relationship(back_populates="rubric")


class ApplicationQuestion(db.Model):
    """One question of a program's own application form (the fixed part lives on Application)."""

    __tablename__ = "application_questions"
    __table_args__ = (
        UniqueConstraint("program_id", "key"),
        CheckConstraint("max_chars IS NULL OR max_chars > 0", name="max_chars_positive"),
        CheckConstraint("max_words IS NULL OR max_words > 0", name="max_words_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"), index=True)
    # A stable machine name within the program ("heard_about"): CSV columns and reports use it.
    key: Mapped[str] = mapped_column(String(80))
    kind: Mapped[QuestionKind] = mapped_column(enum_type(QuestionKind, "question_kind"))
    label: Mapped[str] = mapped_column(String(300))
    help_text: Mapped[str] = mapped_column(Text, default="")
    required: Mapped[bool] = mapped_column(Boolean, default=False)
    # The choices of a one-choice or several-choices question, in order.
    options: Mapped[list[str]] = mapped_column(JSON, default=list)
    max_chars: Mapped[int | None] = mapped_column(Integer, default=None)
    max_words: Mapped[int | None] = mapped_column(Integer, default=None)
    position: Mapped[int] = mapped_column(Integer, default=0)
    # Retired, not deleted, once answered: the answers keep their question.
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    program: Mapped[Program] = relationship(back_populates="questions")

    def __repr__(self) -> str:
        return f"<ApplicationQuestion {self.key}>"
