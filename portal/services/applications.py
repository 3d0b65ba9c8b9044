"""Everything that changes an application: submission, status changes, withdrawal, data deletion.

Every status change goes through ``change_status``: it checks the pipeline rules, records who, when,
from, to and why in the audit log, and emails the applicant through the outbox. Nothing here commits.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import current_app
from sqlalchemy import Text, and_, cast, delete, false, func, or_, select, update
from sqlalchemy.exc import IntegrityError

from portal.database import utcnow
from portal.extensions import db
from portal.models import (
    Application,
    ApplicationQuestion,
    AuditEvent,
    DataRequestKind,
    OutboxMessage,
    Program,
    Review,
    Score,
    SelfIdentification,
    User,
)
from portal.models.application import hash_status_token
from portal.rules.availability import WindowState
from portal.rules.erasure import Identity
from portal.rules.pipeline import ApplicationStatus, applicant_can_delete_data, can_transition
from portal.rules.program_states import posting_window
from portal.services.audit import record_event
from portal.services.data_requests import record_data_request
from portal.services.errors import Refused
from portal.services.outbox import queue_email, recipient_hash
from portal.services.questions import save_answers
from portal.services.queue_search import forget_erased
from portal.services.review_statistics import application_erased
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


def _active_for(program_id: int, email: str):
    """The condition an application must meet to be this address's active one in this program."""
    return and_(
        Application.program_id == program_id,
        Application.email == email,
        Application.status != ApplicationStatus.WITHDRAWN,
        Application.data_deleted_at.is_(None),
    )


def earlier_submissions(
    program: Program, email: str, submission_key: str
) -> tuple[Application | None, Application | None]:
    """Both reasons not to insert a new application, in one question to the database: the application this
    very form already made (a double click: ``submission_key``), and this address's active application to
    this program. Either may be None; usually both are. When the form's own is found it is the answer, so
    the active one is then another application, if any."""
    email = email.strip().lower()
    same_form = Application.submission_key == submission_key if submission_key else false()
    rows = db.session.scalars(select(Application).where(or_(same_form, _active_for(program.id, email)))).all()
    sent = next((row for row in rows if submission_key and row.submission_key == submission_key), None)
    # Any other row matched the active condition (at most one does: the unique partial index).
    active = next((row for row in rows if row is not sent), None)
    return sent, active


def find_by_status_token(token: str) -> Application | None:
    if not token or len(token) > 100:
        return None
    return db.session.scalar(select(Application).where(Application.status_token_hash == hash_status_token(token)))


def submit_application(
    program: Program,
    answers: dict[str, Any],
    resume: CheckedResume,
    self_identification: dict[str, Any],
    *,
    submission_key: str,
    today: date,
    questions: Sequence[ApplicationQuestion] | None = None,
    question_values: Mapping[str, Any] | None = None,
) -> Submission:
    """Create the application with its answers to the program's questions, store its resume and voluntary
    answers, and email the private link.

    ``questions`` are the ones the form asked (the program's active questions when None) and
    ``question_values`` the answers by question key, checked again by ``save_answers``. It must be the
    transaction's first write: a lost race rolls the transaction back.

    A second application for the same email and program is not created: the existing one gets a
    fresh link by email instead, so nobody learns from the page whether an address has applied. The same
    form sent twice (``submission_key``) makes one application and one email.
    """
    if posting_window(program.state, today, program.applications_open, program.applications_close) != WindowState.OPEN:
        raise ApplicationsClosed(f"Applications to {program.title} are closed.")
    sent, existing = earlier_submissions(program, answers["email"], submission_key)
    if sent is not None:  # this very form, sent a moment ago (a double click): the same confirmation
        return Submission(sent, duplicate=True)
    if existing is not None:
        send_status_link(existing, reason="duplicate")
        return Submission(existing, duplicate=True)

    # Everything that needs no id is made before the first write: on SQLite the first write takes the
    # database's write lock until the commit, and another worker's submission waits for it meanwhile.
    asked = program.active_questions() if questions is None else questions
    with db.session.no_autoflush:  # nothing is written before the flush below (see its IntegrityError)
        application = Application(program=program, submission_key=submission_key, **answers)
        db.session.add(application)
        token = application.issue_status_token()
        save_answers(application, asked, question_values or {})
        store_resume(application, resume, current_app.config["UPLOAD_FOLDER"])
        queue_email(
            application.email,
            "application_received",
            f"We received your application to {program.title}",
            application=application,
            program=program,
            status_link=status_url(token),
        )
    try:
        db.session.flush()
    except IntegrityError:
        # The other request of a race committed first. The insert is this transaction's first write (the
        # caller has only read), so rolling the whole transaction back is a savepoint's rollback without
        # the savepoint's two round trips on every submission; the resume file written above goes with it.
        db.session.rollback()
        return _lost_race(program, answers["email"], submission_key)
    save_self_identification(application, self_identification)  # the id is the ciphertext's associated data
    record_event(
        "application.submitted",
        target_type="application",
        target_id=application.id,
        actor_label=APPLICANT,
        to_state=ApplicationStatus.SUBMITTED.value,
    )
    return Submission(application, duplicate=False)


def _lost_race(program: Program, email: str, submission_key: str) -> Submission:
    """Two requests raced (a double click, or two tabs) and the other one won: nothing is lost.

    The same rendered form lands on the same confirmation; another form for the same address is a
    duplicate, answered as one (a fresh link by email)."""
    sent, existing = earlier_submissions(program, email, submission_key)
    if sent is not None:
        return Submission(sent, duplicate=True)
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
    """The applicant's "delete my data": allowed once withdrawn or decided; erases, audits and logs it."""
    if not applicant_can_delete_data(application.status):
        raise TransitionNotAllowed("Your data can be deleted after you withdraw or once we have decided.")
    erase_personal_data(application)
    forget_erased()  # the queue's search index drops their name too
    record_event(
        "application.data_deleted",
        target_type="application",
        target_id=application.id,
        actor_label=APPLICANT,
        from_state=application.status.value,
        to_state=application.status.value,
    )
    record_data_request(DataRequestKind.DELETION, program=application.program)


def erase_personal_data(application: Application) -> None:
    """Remove everything about the applicant at once and keep an anonymous row (program, status, dates) for
    the reports' counts. Shared by "delete my data" and ``flask purge``; neither audits nor checks the
    status here. Then call ``queue_search.forget_erased()`` once (the search index) and, after the commit,
    ``portal.database.forget_deleted_text()`` (SQLite's WAL)."""
    identity = Identity.of(application.email, application.full_name, application.preferred_name)
    if application.resume is not None:
        delete_resume(application.resume, current_app.config["UPLOAD_FOLDER"])
        application.resume = None
    db.session.execute(delete(SelfIdentification).where(SelfIdentification.application_id == application.id))
    _forget_mail_about(identity)
    _scrub_audit_events(application, identity)
    _clear_reviewers_notes(application)
    for field in ("full_name preferred_name pronouns email phone city school major").split():
        setattr(application, field, "")
    application.answers = []
    application.earliest_start = None
    application.submission_key = None
    application.data_deleted_at = utcnow()
    application_erased(application)  # its reviews leave the queue's pool and reviewers' habits
    application.issue_status_token()  # the old link stops working


def _mentioning(columns, identity: Identity):
    """SQL: any of ``columns`` holds one of the identity's search terms (any case); the rules confirm."""
    terms = identity.searchable()
    if not terms:
        return false()
    return or_(*(func.lower(column).contains(term, autoescape=True) for column in columns for term in terms))


def _forget_mail_about(identity: Identity) -> None:
    """Delete every message to the applicant (by address or, once delivered, its hash) and every message
    that names them (a notification to a reviewer), whatever its state: pending mail would still go out."""
    if not identity.email:
        return
    bodies = (OutboxMessage.subject, OutboxMessage.text_body, OutboxMessage.html_body)
    to_them = or_(
        OutboxMessage.recipient_hash == recipient_hash(identity.email),
        func.lower(OutboxMessage.recipient) == identity.email,
    )
    rows = db.session.execute(
        select(OutboxMessage.id, to_them.label("to_them"), *bodies).where(or_(to_them, _mentioning(bodies, identity)))
    ).all()
    ids = [row.id for row in rows if row.to_them or identity.mentioned_in(row[2:])]
    if ids:
        db.session.execute(
            delete(OutboxMessage).where(OutboxMessage.id.in_(ids)).execution_options(synchronize_session=False)
        )


def _scrub_audit_events(application: Application, identity: Identity) -> None:
    """Audit rows stay (what happened, when, to which application) without the applicant's name or address:
    in the application's own rows every name is blanked, elsewhere the address and full name."""
    own = and_(AuditEvent.target_type == "application", AuditEvent.target_id == application.id)
    texts = (AuditEvent.actor_label, AuditEvent.reason, cast(AuditEvent.details, Text))
    for event in db.session.scalars(select(AuditEvent).where(or_(own, _mentioning(texts, identity)))):
        every_name = event.target_type == "application" and event.target_id == application.id
        before = (event.actor_label, event.reason, event.details)
        event.actor_label = identity.scrub(event.actor_label, every_name=every_name)[:120]
        event.reason = identity.scrub(event.reason, every_name=every_name)
        details = identity.scrub(event.details or {}, every_name=every_name)
        if details != event.details:
            event.details = details  # a new object: JSON columns do not see changes inside the old one
        if (event.actor_label, event.reason, event.details) == before:
            db.session.expire(event)  # nothing named them (a near match): leave the row as it was


def _clear_reviewers_notes(application: Application) -> None:
    """Reviewers' comments and score notes are about the applicant; the scores stay for the reports."""
    review_ids = select(Review.id).where(Review.application_id == application.id).scalar_subquery()
    db.session.execute(
        update(Review)
        .where(Review.application_id == application.id)
        .values(comment="")
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        update(Score)
        .where(Score.review_id.in_(review_ids))
        .values(note="")
        .execution_options(synchronize_session=False)
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
