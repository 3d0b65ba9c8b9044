"""Supervisors' decisions: one function per transition, all through ``applications.change_status``.

Accepting respects the program's places (beyond them the applicant is waitlisted) and onboards the
intern: a placement, an intern account and an emailed invitation to set a password.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Application, Placement, Role, User
from portal.rules.availability import stipend_eligible
from portal.rules.pipeline import ApplicationStatus
from portal.services.accounts import create_intern_account, send_invitation
from portal.services.applications import change_status


class ApplicationChanged(Exception):
    """Someone else changed the application since the page was loaded (optimistic locking)."""


class DecisionRefused(ValueError):
    """The decision cannot be made; the message says why."""


@dataclass(frozen=True)
class DecisionOutcome:
    status: ApplicationStatus
    message: str
    placement: Placement | None = None


def _check_version(application: Application, expected_version: int | None) -> None:
    if expected_version is not None and application.version != expected_version:
        raise ApplicationChanged(application.status.label)


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
        raise DecisionRefused("Give an internal reason for declining (the applicant does not see it).")
    _check_version(application, expected_version)
    change_status(application, ApplicationStatus.DECLINED, actor=actor, reason=reason.strip())
    return DecisionOutcome(ApplicationStatus.DECLINED, "Declined; the applicant was sent a kind email.")


def places_taken(program_id: int) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(Application)
        .where(Application.program_id == program_id, Application.status == ApplicationStatus.ACCEPTED)
    )


def accept(
    application: Application,
    *,
    actor: User,
    today: date,
    reason: str = "",
    expected_version: int | None = None,
) -> DecisionOutcome:
    """Accept and onboard, or waitlist when every place is taken (the outcome says which)."""
    _check_version(application, expected_version)
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
        raise DecisionRefused("This email belongs to a staff account; an intern account cannot be created for it.")
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
