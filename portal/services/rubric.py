"""A program's rubric and its review and privacy settings (the admin's Review and privacy tab).

Criteria are added, changed, moved, retired, restored and deleted through ``portal.services.ordered_items``.
A retired criterion is no longer asked in new reviews, but scores already given on it stay, and
count in the reviews that have them (``portal.rules.scores.review_score``): an old review's overall
score keeps the meaning it had when it was given. A criterion with scores cannot be deleted.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Application, ApplicationStatus, Program, Review, RubricCriterion, Score, User
from portal.services.audit import record_event
from portal.services.errors import Refused
from portal.services.ordered_items import ItemList

#: Statuses of applications still being read: the settings page warns about changing blind review then.
UNDER_REVIEW = (ApplicationStatus.SUBMITTED, ApplicationStatus.IN_REVIEW, ApplicationStatus.INTERVIEW)
#: Retention of declined and withdrawn applications, in months.
MIN_RETENTION_MONTHS, MAX_RETENTION_MONTHS = 1, 120


RUBRIC = ItemList(
    model=RubricCriterion,
    noun="criterion",
    action_prefix="rubric.criterion",
    target_type="rubric_criterion",
    items=lambda program: program.rubric,
    fields=("name", "description"),
    used_by=Score.criterion_id,
    in_use="This criterion has scores; retire it instead so old scores keep their meaning",
    last_active="The rubric needs at least one criterion: add another before retiring or deleting this one",
    retired_note="new reviews no longer ask it; scores already given on it stay in their reviews.",
)


@dataclass(frozen=True)
class ReviewActivity:
    """How much reviewing a program has: shown beside the rubric and the blind-review switch."""

    reviews: int  # submitted reviews of the program's applications
    under_review: int  # applications still being read (submitted, in review, interview)


def review_activity(program: Program) -> ReviewActivity:
    """Counts for the notes on the Review and privacy tab (two queries)."""
    reviews = db.session.scalar(
        select(func.count(Review.id))
        .join(Application, Application.id == Review.application_id)
        .where(Application.program_id == program.id, Review.submitted_at.is_not(None))
    )
    under_review = db.session.scalar(
        select(func.count(Application.id)).where(
            Application.program_id == program.id,
            Application.status.in_(UNDER_REVIEW),
            Application.data_deleted_at.is_(None),
        )
    )
    return ReviewActivity(reviews or 0, under_review or 0)


@dataclass(frozen=True)
class SettingsChange:
    """What saving the review settings changed, and how many applications under review it reaches."""

    changed: tuple[str, ...]
    blind_review: bool
    under_review: int

    def message(self) -> str:
        """The flash after saving; it warns when blind review changed while applications are being read."""
        if not self.changed:
            return "Nothing changed."
        message = "Review and privacy settings saved."
        if "blind_review" in self.changed and self.under_review:
            n = self.under_review
            applications = f"{n} application{'s' if n != 1 else ''} under review"
            if self.blind_review:
                message += f" Blind review is on: reviewers of the {applications} no longer see names from now on."
            else:
                message += f" Blind review is off: reviewers of the {applications} now see names and resumes."
        return message


def update_review_settings(
    program: Program, *, blind_review: bool, retention_months: int, actor: User
) -> SettingsChange:
    """Store blind review and retention (1–120 months), audited before → after with the applications under review."""
    if not MIN_RETENTION_MONTHS <= retention_months <= MAX_RETENTION_MONTHS:
        raise Refused(
            f"Enter a whole number of months from {MIN_RETENTION_MONTHS} to {MAX_RETENTION_MONTHS}",
            field="retention_months",
        )
    before = {"blind_review": program.blind_review, "retention_months": program.retention_months}
    after = {"blind_review": blind_review, "retention_months": retention_months}
    changed = tuple(name for name in before if before[name] != after[name])
    under_review = review_activity(program).under_review if changed else 0
    if changed:
        program.blind_review, program.retention_months = blind_review, retention_months
        db.session.flush()
        record_event(
            "program.review_settings_changed",
            target_type="program",
            target_id=program.id,
            actor=actor,
            details={
                "before": {name: before[name] for name in changed},
                "after": {name: after[name] for name in changed},
                "under_review": under_review,
            },
        )
    return SettingsChange(changed, blind_review, under_review)
