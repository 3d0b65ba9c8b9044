"""An application, its resume's metadata, and the applicant's voluntary self-identification."""

from __future__ import annotations

import hashlib
import secrets
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from portal.database import UTCDateTime, enum_type, utcnow
from portal.extensions import db
from portal.rules.documents import ScanStatus, withheld_because
from portal.rules.pipeline import ApplicationStatus

if TYPE_CHECKING:
    from portal.models.program import ApplicationQuestion, Program
    from portal.models.user import User


# An application is "active" (blocks a second one for the same email and program) unless withdrawn.
ACTIVE_APPLICATION_SQL = "status <> 'withdrawn' AND data_deleted_at IS NULL"


def new_status_token() -> str:
    """256 random bits, URL-safe: the applicant's private link, unguessable."""
    return secrets.token_urlsafe(32)


def hash_status_token(token: str) -> str:
    """Only the hash is stored, so a copy of the database does not open anyone's status page."""
    return hashlib.sha256(token.encode()).hexdigest()


def _unusable_token_hash() -> str:
    return hash_status_token(new_status_token())


class Application(db.Model):
    __tablename__ = "applications"
    __table_args__ = (
        CheckConstraint("hours_per_week >= 0 AND hours_per_week <= 168", name="hours_per_week_range"),
        CheckConstraint("weeks_available >= 0 AND weeks_available <= 520", name="weeks_available_range"),
        # One active application per email and program, held by the database against racing requests.
        Index(
            "uq_applications_active_email",
            "program_id",
            "email",
            unique=True,
            sqlite_where=text(ACTIVE_APPLICATION_SQL),
            postgresql_where=text(ACTIVE_APPLICATION_SQL),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="RESTRICT"), index=True)
    status: Mapped[ApplicationStatus] = mapped_column(
        enum_type(ApplicationStatus, "application_status"),
        default=ApplicationStatus.SUBMITTED,
        index=True,
    )
    status_token_hash: Mapped[str] = mapped_column(String(64), unique=True, default=_unusable_token_hash)
    # A random key in each rendered form: two identical POSTs (a double click) make one application.
    submission_key: Mapped[str | None] = mapped_column(String(64), unique=True, default=None)
    # Optimistic locking: two supervisors deciding at once, the second is told it changed.
    version: Mapped[int] = mapped_column(Integer, default=1)

    # About you (emptied when the applicant deletes their data).
    full_name: Mapped[str] = mapped_column(String(200), default="")
    preferred_name: Mapped[str] = mapped_column(String(200), default="")
    pronouns: Mapped[str] = mapped_column(String(60), default="")
    email: Mapped[str] = mapped_column(String(254), default="", index=True)
    phone: Mapped[str] = mapped_column(String(40), default="")
    city: Mapped[str] = mapped_column(String(120), default="")
    # School
    not_student: Mapped[bool] = mapped_column(Boolean, default=False)
    school: Mapped[str] = mapped_column(String(200), default="")
    major: Mapped[str] = mapped_column(String(200), default="")
    wants_credit: Mapped[bool] = mapped_column(Boolean, default=False)
    # Availability
    hours_per_week: Mapped[int] = mapped_column(Integer, default=0)
    earliest_start: Mapped[date | None] = mapped_column(Date, default=None)
    weeks_available: Mapped[int] = mapped_column(Integer, default=0)
    seeks_stipend: Mapped[bool] = mapped_column(Boolean, default=False)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    data_deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    # The review queue's figures, kept by portal.services.review_statistics (portal.rules.scores defines them):
    # counted reviews, their raw mean, the mean of their z contributions within the program, and how many of
    # them are measured against the program's pool (those move whenever the pool does).
    review_count: Mapped[int] = mapped_column(Integer, default=0)
    raw_mean: Mapped[float | None] = mapped_column(Float, default=None)
    mean_z: Mapped[float | None] = mapped_column(Float, default=None)
    pool_measured: Mapped[int] = mapped_column(Integer, default=0)
    scored: Mapped[bool] = mapped_column(Boolean, default=False)  # review_count > 0, for the sort indexes

    program: Mapped[Program] = relationship()
    resume: Mapped[Resume | None] = relationship(back_populates="application", cascade="all, delete-orphan")
    answers: Mapped[list[ApplicationAnswer]] = relationship(back_populates="application", cascade="all, delete-orphan")

    __mapper_args__ = {"version_id_col": version}

    @validates("email")
    def _normalise_email(self, key: str, value: str) -> str:
        return value.strip().lower()

    def issue_status_token(self) -> str:
        """A fresh private link token; any earlier link stops working."""
        token = new_status_token()
        self.status_token_hash = hash_status_token(token)
        return token

    @property
    def reference(self) -> str:
        """A name that identifies the application without identifying the person (blind review)."""
        return f"A-{self.id:04d}"

    def answers_in_form_order(self) -> list[ApplicationAnswer]:
        """The non-empty answers in the order the program's form asks them (as the admin last arranged it)."""
        answered = [answer for answer in self.answers if not answer.is_empty]
        return sorted(answered, key=lambda answer: (answer.question.position, answer.question.id))

    def can_review(self, user: User) -> bool:
        """Admins, and supervisors who review this application's program."""
        from portal.models.user import Role

        if not user.is_authenticated or not user.active:
            return False
        if user.role == Role.ADMIN:
            return True
        return user.role == Role.SUPERVISOR and self.program.is_reviewer(user)

    def __repr__(self) -> str:
        return f"<Application {self.reference} {self.status.value}>"


# The review queue's orders (newest first; best raw or normalised first, unscored last, ties by id) read
# 25 rows from an index instead of sorting every application: one program's queue (a supervisor, the program
# filter) from the first three, an admin's queue of every program from the next three; the status counts
# read the last two (one program's, every program's) without touching the rows.
Index("ix_applications_queue_submitted", Application.program_id, Application.submitted_at, Application.id)
Index(
    "ix_applications_queue_raw",
    Application.program_id,
    Application.scored.desc(),
    Application.raw_mean.desc(),
    Application.id,
)
Index(
    "ix_applications_queue_normalised",
    Application.program_id,
    Application.scored.desc(),
    Application.mean_z.desc(),
    Application.id,
)
Index("ix_applications_all_submitted", Application.submitted_at, Application.id)
Index("ix_applications_all_raw", Application.scored.desc(), Application.raw_mean.desc(), Application.id)
Index("ix_applications_all_normalised", Application.scored.desc(), Application.mean_z.desc(), Application.id)
# One status's kept applications, newest first (the queue filtered by status), and the counts by status when
# a search or "needs my score" decides them (portal.models.application_tally keeps the others).
_KEPT = Application.data_deleted_at.is_(None)
Index(
    "ix_applications_queue_status",
    Application.program_id,
    Application.status,
    Application.submitted_at,
    Application.id,
    sqlite_where=_KEPT,
    postgresql_where=_KEPT,
)
Index(
    "ix_applications_all_status",
    Application.status,
    Application.submitted_at,
    Application.id,
    sqlite_where=_KEPT,
    postgresql_where=_KEPT,
)
# The applications whose fair score moves with their program's pool (a few: reviewers with under 3 reviews).
Index(
    "ix_applications_pool_measured",
    Application.program_id,
    sqlite_where=Application.pool_measured > 0,
    postgresql_where=Application.pool_measured > 0,
)


class ApplicationAnswer(db.Model):
    """The applicant's answer to one of the program's own questions."""

    __tablename__ = "application_answers"
    __table_args__ = (UniqueConstraint("application_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    # RESTRICT: a question with answers is retired, never deleted.
    question_id: Mapped[int] = mapped_column(ForeignKey("application_questions.id", ondelete="RESTRICT"), index=True)
    # Text, link, yes/no ("yes", "no") and one-choice answers.
    text: Mapped[str] = mapped_column(Text, default="")
    # Several-choices answers, in the question's order.
    choices: Mapped[list[str]] = mapped_column(JSON, default=list)

    application: Mapped[Application] = relationship(back_populates="answers")
    question: Mapped[ApplicationQuestion] = relationship()

    @property
    def is_empty(self) -> bool:
        return not self.text and not self.choices

    @property
    def display(self) -> str:
        """The answer as a reader sees it: choices joined, a yes/no question's answer capitalised."""
        if self.choices:
            return ", ".join(self.choices)
        if self.question.kind.value == "yes_no":
            return {"yes": "Yes", "no": "No"}.get(self.text, self.text)
        return self.text


class Resume(db.Model):
    """Metadata of an uploaded resume; the file lives under UPLOAD_FOLDER by ``stored_name`` only."""

    __tablename__ = "resumes"
    __table_args__ = (CheckConstraint("size_bytes > 0", name="size_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), unique=True)
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)
    original_name: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size_bytes: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The virus check (issue 12): pending and rejected files are never offered for download.
    scan_status: Mapped[ScanStatus] = mapped_column(
        enum_type(ScanStatus, "resume_scan_status"), default=ScanStatus.UNSCANNED, index=True
    )
    scanned_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)

    application: Mapped[Application] = relationship(back_populates="resume")

    @property
    def withheld_because(self) -> str | None:
        """Why the file cannot be downloaded now (the virus check), or None."""
        return withheld_because(self.scan_status)


class SelfIdentification(db.Model):
    """Voluntary answers, encrypted with their own key and kept apart from the application.

    Deliberately no relationship from Application: reviewer and scoring code never load it.
    """

    __tablename__ = "self_identifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), unique=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"), index=True)
    ciphertext: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    application: Mapped[Application] = relationship()
