"""Supervisors' decisions: one function per transition, all through ``applications.change_status``.

Accepting respects the program's places (beyond them the applicant is waitlisted) and onboards the
intern: a placement, an intern account and an emailed invitation to set a password.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Application, Placement, Review, Role, User
from portal.rules.availability import stipend_eligible
from portal.rules.pipeline import ApplicationStatus, can_transition
from portal.services.accounts import create_intern_account, send_invitation
from portal.services.applications import change_status
from portal.services.errors import Changed, Refused


@dataclass(frozen=True)
class DecisionOutcome:
    status: ApplicationStatus
    message: str
    placement: Placement | None = None


def _check_version(application: Application, expected_version: int | None) -> None:
    if expected_version is not None and application.version != expected_version:
        raise Changed(
            f"Someone else changed this application while you were looking at it: it is now "
            f"“{application.status.label}”. Nothing was changed; check it and decide again."
        )


def move_to_review(
    application: Application, *, actor: User, reason: str = "", expected_version: int | None = None
) -> DecisionOutcome:
    _check_version(application, expected_version)
    change_status(application, ApplicationStatus.IN_REVIEW, actor=actor, reason=reason)
    return DecisionOutcome(ApplicationStatus.IN_REVIEW, "Moved to review.")


def invite_to_interview(
    application: Application, *, actor: User, reason: str = "", expected_version: int | None = None
) -> DecisionOutcome:
    _check_version(application, expected_version)
    change_status(application, ApplicationStatus.INTERVIEW, actor=actor, reason=reason)
    return DecisionOutcome(ApplicationStatus.INTERVIEW, "Invited to interview; the applicant was emailed.")


def waitlist(
    application: Application, *, actor: User, reason: str = "", expected_version: int | None = None
) -> DecisionOutcome:
    _check_version(application, expected_version)
    change_status(application, ApplicationStatus.WAITLISTED, actor=actor, reason=reason)
    return DecisionOutcome(ApplicationStatus.WAITLISTED, "Waitlisted; the applicant was emailed.")


def decline(
    application: Application, *, actor: User, reason: str, expected_version: int | None = None
) -> DecisionOutcome:
    """Decline with an internal reason (audited, never emailed) and a kind email to the applicant."""
    if not reason.strip():
        raise Refused("Give an internal reason for declining (the applicant does not see it).", field="reason")
    _check_version(application, expected_version)
    change_status(application, ApplicationStatus.DECLINED, actor=actor, reason=reason.strip())
    return DecisionOutcome(ApplicationStatus.DECLINED, "Declined; the applicant was sent a kind email.")


def places_taken(program_id: int) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(Application)
        .where(Application.program_id == program_id, Application.status == ApplicationStatus.ACCEPTED)
    )


#: Accepting an application no reviewer has scored needs a reason (it goes into the audit log).
UNSCORED_REASON = (
    "Nobody has scored this application yet: give a reason for accepting it without scores "
    "(staff only, kept in the audit log)."
)
REASON_HINT = "Seen by staff only, in the audit log. Required when declining."
UNSCORED_REASON_HINT = (
    "Nobody has scored this application yet, so accepting it needs a reason too. "
    "Seen by staff only, in the audit log. Required when declining."
)


def submitted_review_count(application: Application) -> int:
    """How many reviewers have submitted scores for the application (drafts do not count)."""
    return db.session.scalar(
        select(func.count())
        .select_from(Review)
        .where(Review.application_id == application.id, Review.submitted_at.is_not(None))
    )


def reason_hint(application: Application) -> tuple[str, bool]:
    """The decision form's reason hint, and whether the reason reads as required (unscored applications)."""
    unscored = submitted_review_count(application) == 0
    return (UNSCORED_REASON_HINT, True) if unscored else (REASON_HINT, False)


def accept(
    application: Application,
    *,
    actor: User,
    today: date,
    reason: str = "",
    expected_version: int | None = None,
) -> DecisionOutcome:
    """Accept and onboard, or waitlist when every place is taken; unscored applications need a reason."""
    _check_version(application, expected_version)
    if not reason.strip() and submitted_review_count(application) == 0:
        raise Refused(UNSCORED_REASON, field="reason")
    program = application.program
    if places_taken(program.id) >= program.places:
        change_status(
            application, ApplicationStatus.WAITLISTED, actor=actor, reason=f"all {program.places} places are taken"
        )
        return DecisionOutcome(
            ApplicationStatus.WAITLISTED,
            f"All {program.places} places are taken, so the applicant was waitlisted instead of accepted.",
        )
    existing = User.by_email(application.email)
    if existing is not None and existing.role != Role.INTERN:
        raise Refused(
            "This email belongs to a staff account; an intern account cannot be created for it.", field="reason"
        )
    change_status(application, ApplicationStatus.ACCEPTED, actor=actor, reason=reason)
    placement = onboard(application, supervisor=actor, today=today)
    return DecisionOutcome(
        ApplicationStatus.ACCEPTED,
        f"Accepted. {application.full_name} was emailed an invitation to set up their intern account.",
        placement,
    )


def onboard(application: Application, *, supervisor: User, today: date) -> Placement:
    """The placement and intern account that acceptance creates, and the invitation email."""
    program = application.program
    rules = program.rules()
    committed = application.hours_per_week * 60
    intern = create_intern_account(application.email, application.full_name)
    placement = Placement(
        application=application,
        program=program,
        intern=intern,
        supervisor=supervisor if supervisor.role == Role.SUPERVISOR else None,
        start_date=max(application.earliest_start or today, today),
        committed_minutes_per_week=committed,
        stipend_eligible=stipend_eligible(committed, application.seeks_stipend, rules),
    )
    db.session.add(placement)
    send_invitation(intern, invited_by=supervisor, program_title=program.title)
    return placement


#: Which pipeline status each decision button leads to (accept may end in the waitlist when full).
DECISION_TARGETS: dict[str, ApplicationStatus] = {
    "in_review": ApplicationStatus.IN_REVIEW,
    "interview": ApplicationStatus.INTERVIEW,
    "accept": ApplicationStatus.ACCEPTED,
    "waitlist": ApplicationStatus.WAITLISTED,
    "decline": ApplicationStatus.DECLINED,
}


def available_decisions(application: Application) -> list[str]:
    """The decision buttons the pipeline allows from the application's status now."""
    return [action for action, target in DECISION_TARGETS.items() if can_transition(application.status, target)]


def decide(
    application: Application, action: str, *, actor: User, today: date, reason: str, expected_version: int | None
) -> DecisionOutcome:
    """The decision a reviewer's button names, by its name ("accept", "decline", …)."""
    if action == "accept":
        return accept(application, actor=actor, today=today, reason=reason, expected_version=expected_version)
    if action == "decline":
        return decline(application, actor=actor, reason=reason, expected_version=expected_version)
    by_name = {"in_review": move_to_review, "interview": invite_to_interview, "waitlist": waitlist}
    if action not in by_name:
        raise Refused("That decision could not be read; please try again.")
    return by_name[action](application, actor=actor, reason=reason, expected_version=expected_version)
