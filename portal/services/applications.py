"""Everything that changes an application: submission, status changes, withdrawal, data deletion.

Every status change goes through ``change_status``: it checks the pipeline rules, records who, when,
from, to and why in the audit log, and emails the applicant through the outbox. Nothing here commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import current_app
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from portal.database import utcnow
from portal.extensions import db
from portal.models import Application, AuditEvent, OutboxMessage, OutboxStatus, Program, SelfIdentification, User
from portal.models.application import hash_status_token
from portal.rules.availability import WindowState, application_window
from portal.rules.pipeline import ApplicationStatus, applicant_can_delete_data, can_transition
from portal.services.audit import record_event
from portal.services.errors import Refused
from portal.services.outbox import queue_email
from portal.services.self_identification import save_self_identification
from portal.services.uploads import CheckedResume, delete_resume, store_resume
from portal.web import absolute_url

APPLICANT = "applicant"


class TransitionNotAllowed(Refused):
    """The pipeline does not allow this change from the application's current status."""


class ApplicationsClosed(Refused):
    """The program's application window is not open today."""


@dataclass(frozen=True)
class Submission:
    application: Application
    duplicate: bool  # True: an active application already existed; a fresh link was emailed instead


def status_url(token: str) -> str:
    """The applicant's private link, absolute, for emails."""
    return absolute_url("public.status", token=token)


def active_application(program: Program, email: str) -> Application | None:
    return db.session.scalar(
        select(Application).where(
            Application.program_id == program.id,
            Application.email == email.strip().lower(),
            Application.status != ApplicationStatus.WITHDRAWN,
            Application.data_deleted_at.is_(None),
        )
    )


def find_by_status_token(token: str) -> Application | None:
    if not token or len(token) > 100:
        return None
    return db.session.scalar(select(Application).where(Application.status_token_hash == hash_status_token(token)))


def find_by_submission_key(key: str) -> Application | None:
    if not key:
        return None
    return db.session.scalar(select(Application).where(Application.submission_key == key))


def submit_application(
    program: Program,
    answers: dict[str, Any],
    resume: CheckedResume,
    self_identification: dict[str, Any],
    *,
    submission_key: str,
    today: date,
) -> Submission:
    """Create the application, store its resume and voluntary answers, and email the private link.

    A second application for the same email and program is not created: the existing one gets a
    fresh link by email instead, so nobody learns from the page whether an address has applied.
    """
    if application_window(today, program.applications_open, program.applications_close) != WindowState.OPEN:
        raise ApplicationsClosed(f"Applications to {program.title} are closed.")
    existing = active_application(program, answers["email"])
    if existing is not None:
        if existing.submission_key != submission_key:  # not this very form sent a moment ago (a double click)
            send_status_link(existing, reason="duplicate")
        return Submission(existing, duplicate=True)

    try:
        with db.session.begin_nested():
            application = Application(program=program, submission_key=submission_key, **answers)
            db.session.add(application)
            token = application.issue_status_token()
    except IntegrityError:
        return _lost_race(program, answers["email"], submission_key)
    store_resume(application, resume, current_app.config["UPLOAD_FOLDER"])
    save_self_identification(application, self_identification)
    record_event(
        "application.submitted",
        target_type="application",
        target_id=application.id,
        actor_label=APPLICANT,
        to_state=ApplicationStatus.SUBMITTED.value,
    )
    queue_email(
        application.email,
        "application_received",
        f"We received your application to {program.title}",
        application=application,
        program=program,
        status_link=status_url(token),
    )
    return Submission(application, duplicate=False)


def _lost_race(program: Program, email: str, submission_key: str) -> Submission:
    """Two requests raced (a double click, or two tabs) and the other one won: nothing is lost.

    The same rendered form lands on the same confirmation; another form for the same address is a
    duplicate, answered as one (a fresh link by email)."""
    same_form = find_by_submission_key(submission_key)
    if same_form is not None:
        return Submission(same_form, duplicate=True)
    existing = active_application(program, email)
    if existing is None:  # pragma: no cover - the unique index names one of the two
        raise Refused("Your application could not be saved; please send it again.")
    send_status_link(existing, reason="duplicate")
    return Submission(existing, duplicate=True)


def send_status_link(application: Application, *, reason: str = "requested") -> None:
    """Email a fresh private link (the old one stops working: only a hash of the newest is kept)."""
    token = application.issue_status_token()
    queue_email(
        application.email,
        "status_link",
        f"Your application to {application.program.title}: your private link",
        application=application,
        program=application.program,
        status_link=status_url(token),
        reason=reason,
    )


def resend_status_links(email: str) -> int:
    """The "lost your link?" form: email a link for each active application of this address.

    Returns how many were sent; the page says the same thing whatever the number.
    """
    applications = db.session.scalars(
        select(Application).where(
            Application.email == email.strip().lower(),
            Application.data_deleted_at.is_(None),
        )
    ).all()
    for application in applications:
        send_status_link(application, reason="requested")
    return len(applications)


def change_status(
    application: Application,
    target: ApplicationStatus,
    *,
    actor: User | None = None,
    actor_label: str = "",
    reason: str = "",
    notify: bool = True,
) -> None:
    """The one place a status changes: pipeline check, audit (who, when, from, to, why), email."""
    current = application.status
    if not can_transition(current, target):
        raise TransitionNotAllowed(f"{current.label} → {target.label} is not allowed.")
    application.status = target
    if target in (ApplicationStatus.ACCEPTED, ApplicationStatus.DECLINED, ApplicationStatus.WITHDRAWN):
        application.decided_at = utcnow()
    record_event(
        "application.status_changed",
        target_type="application",
        target_id=application.id,
        actor=actor,
        actor_label=actor_label,
        from_state=current.value,
        to_state=target.value,
        reason=reason,
    )
    if notify:
        queue_email(
            application.email,
            "application_status",
            f"Your application to {application.program.title}: {target.label.lower()}",
            application=application,
            program=application.program,
            status=target,
        )


def withdraw_application(application: Application) -> None:
    """The applicant withdraws; allowed at any point before a final decision."""
    change_status(application, ApplicationStatus.WITHDRAWN, actor_label=APPLICANT, reason="withdrawn by the applicant")


def delete_applicant_data(application: Application) -> None:
    """Remove answers, resume file and self-identification; keep an anonymous row for counts."""
    if not applicant_can_delete_data(application.status):
        raise TransitionNotAllowed("Your data can be deleted after you withdraw or once we have decided.")
    email = application.email
    if application.resume is not None:
        delete_resume(application.resume, current_app.config["UPLOAD_FOLDER"])
        application.resume = None
    db.session.execute(delete(SelfIdentification).where(SelfIdentification.application_id == application.id))
    # Delivered copies of mail to this address hold the name and answers' context: remove them too.
    db.session.execute(
        delete(OutboxMessage).where(
            OutboxMessage.recipient == email, OutboxMessage.status.in_([OutboxStatus.SENT, OutboxStatus.FAILED])
        )
    )
    for field in (
        "full_name preferred_name pronouns email phone city school major why_this_internship current_events "
        "organised_deadlines bold_idea leadership heard_about accommodations"
    ).split():
        setattr(application, field, "")
    application.skills = []
    application.links = []
    application.earliest_start = None
    application.submission_key = None
    application.data_deleted_at = utcnow()
    application.issue_status_token()  # the old link stops working
    record_event(
        "application.data_deleted",
        target_type="application",
        target_id=application.id,
        actor_label=APPLICANT,
        from_state=application.status.value,
        to_state=application.status.value,
    )


def timeline(application: Application) -> list[AuditEvent]:
    """The status history the applicant sees (one query, oldest first)."""
    return list(
        db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.target_type == "application", AuditEvent.target_id == application.id)
            .where(AuditEvent.action.in_(["application.submitted", "application.status_changed"]))
            .order_by(AuditEvent.at, AuditEvent.id)
        )
    )
