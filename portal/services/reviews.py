"""Scoring: a reviewer's 1–5 per rubric criterion, and who may see whose scores."""

from __future__ import annotations

from dataclasses import dataclass

from flask import abort
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from portal.database import utcnow
from portal.extensions import db
from portal.models import Application, AuditEvent, Program, Review, Role, RubricCriterion, Score, User
from portal.rules.blind_review import resume_offered
from portal.services.audit import record_event
from portal.services.errors import Changed
from portal.services.review_statistics import review_changed


def reviewable_or_404(application_id: int, user: User) -> Application:
    """The application with its program's rubric and reviewers and its resume, when ``user`` reviews it."""
    application = db.first_or_404(
        select(Application)
        .where(Application.id == application_id)
        .options(
            selectinload(Application.program).selectinload(Program.rubric),
            selectinload(Application.program).selectinload(Program.reviewers),
            selectinload(Application.resume),
        )
    )
    if application.data_deleted_at is not None or not application.can_review(user):
        abort(404)
    return application


def staff_timeline(application: Application) -> list[AuditEvent]:
    """Every audited event of the application, oldest first, for reviewers (one query)."""
    return list(
        db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.target_type == "application", AuditEvent.target_id == application.id)
            .order_by(AuditEvent.at, AuditEvent.id)
        )
    )


@dataclass(frozen=True)
class CriterionScore:
    criterion_id: int
    value: int
    note: str = ""


def own_review(application: Application, reviewer: User) -> Review | None:
    return db.session.scalar(
        select(Review)
        .where(Review.application_id == application.id, Review.reviewer_id == reviewer.id)
        .options(selectinload(Review.scores))
    )


def submit_review(application: Application, reviewer: User, scores: list[CriterionScore], comment: str) -> Review:
    """Save (or revise) the reviewer's scores; submitting unlocks the other reviewers' scores for them.

    Only active criteria are scored; a revision keeps the scores the review already has on retired ones."""
    valid_ids = {criterion.id for criterion in application.program.active_rubric()}
    if any(score.criterion_id not in valid_ids or not 1 <= score.value <= 5 for score in scores):
        raise ValueError("scores must be 1–5 for this program's criteria")
    review = own_review(application, reviewer)
    revised = review is not None and review.submitted_at is not None
    if review is None:
        review = _new_review(application, reviewer)
    by_criterion = {score.criterion_id: score for score in review.scores}
    for score in scores:
        row = by_criterion.get(score.criterion_id)
        if row is None:
            review.scores.append(Score(criterion_id=score.criterion_id, value=score.value, note=score.note))
        else:
            row.value, row.note = score.value, score.note
    submitted_ids = {score.criterion_id for score in scores}
    for row in list(review.scores):
        if row.criterion_id not in submitted_ids and row.criterion_id in valid_ids:
            review.scores.remove(row)
    review.comment = comment
    review.submitted_at = utcnow()
    record_event(
        "review.revised" if revised else "review.submitted",
        target_type="application",
        target_id=application.id,
        actor=reviewer,
        details={"scores": {str(s.criterion_id): s.value for s in scores}},
    )
    review_changed(review)  # the queue's figures, in this transaction
    return review


def _new_review(application: Application, reviewer: User) -> Review:
    """The reviewer's first review, inserted at once: a second tab's first review at the same moment is a 409."""
    review = Review(application=application, reviewer=reviewer)
    try:
        with db.session.begin_nested():
            db.session.add(review)
    except IntegrityError:
        raise Changed(
            "Your scores for this application were saved at the same moment from another tab or window. "
            "Nothing was saved here; check the scores below and change them if you need to."
        ) from None
    return review


def visible_reviews(application: Application, viewer: User) -> list[Review]:
    """Others' reviews, only once the viewer has submitted their own (admins who review nothing see all)."""
    reviews = db.session.scalars(
        select(Review)
        .where(Review.application_id == application.id, Review.submitted_at.is_not(None))
        .options(selectinload(Review.scores), selectinload(Review.reviewer))
        .order_by(Review.submitted_at)
    ).all()
    mine = next((review for review in reviews if review.reviewer_id == viewer.id), None)
    if mine is None and not (viewer.role == Role.ADMIN and not application.program.is_reviewer(viewer)):
        return []
    return [review for review in reviews if review.reviewer_id != viewer.id]


def hidden_review_count(application: Application, viewer: User) -> int:
    """How many submitted reviews by others exist (shown as a number before one's own is in)."""
    return len(
        db.session.scalars(
            select(Review.id).where(
                Review.application_id == application.id,
                Review.submitted_at.is_not(None),
                Review.reviewer_id != viewer.id,
            )
        ).all()
    )


def resume_offered_to(application: Application, viewer: User, mine: Review | None) -> bool:
    """Blind review keeps the resume (it carries the name) from a reviewer until they have submitted their own
    scores; admins who are not among the program's reviewers may always have it."""
    program = application.program
    return resume_offered(
        blind=program.blind_review,
        scored=mine is not None and mine.submitted_at is not None,
        overseeing=viewer.role == Role.ADMIN and not program.is_reviewer(viewer),
    )


def criteria_shown(program: Program, reviews: list[Review]) -> list[RubricCriterion]:
    """The rows of the others' scores table: the active criteria, and retired ones these reviews scored."""
    scored = {score.criterion_id for review in reviews for score in review.scores}
    return [criterion for criterion in program.rubric if criterion.retired_at is None or criterion.id in scored]
