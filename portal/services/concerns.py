"""Intern rights: an intern raises a concern that only admins see; an admin answers it.

Supervisors never see concerns (a concern may be about them), so nothing here takes a supervisor,
and no mail about a concern goes to anyone but the intern. The audit log records that a concern was
raised and answered, with its kind, but not its text: the log is read more widely than the concern.
The answer email only says there is an answer and links to it, so the words stay in the portal.
"""

from __future__ import annotations

from sqlalchemy import Select, func, select
from sqlalchemy.orm import selectinload

from portal.database import utcnow
from portal.extensions import db
from portal.models import Concern, ConcernKind, Placement, Role, User
from portal.services.audit import record_event
from portal.services.errors import Refused
from portal.services.outbox import queue_email
from portal.web import absolute_url

TARGET = "concern"
MAX_DETAILS_LENGTH = 5000
MAX_ANSWER_LENGTH = 5000


def raise_concern(placement: Placement, *, intern: User, kind: ConcernKind, details: str) -> Concern:
    """Record the intern's concern for admins; "something else" needs a few words to be answerable."""
    details = (details or "").strip()
    if intern.id != placement.intern_id:
        raise Refused("Only the intern of a placement can raise a concern about it.")
    if kind == ConcernKind.OTHER and not details:
        raise Refused("Tell us what is wrong, so an admin can answer.", field="details")
    if len(details) > MAX_DETAILS_LENGTH:
        raise Refused(f"Keep it under {MAX_DETAILS_LENGTH:,} characters.", field="details")
    concern = Concern(placement=placement, raised_by=intern, kind=kind, details=details)
    db.session.add(concern)
    db.session.flush()
    record_event(
        "concern.raised",
        target_type=TARGET,
        target_id=concern.id,
        actor=intern,
        to_state="open",
        details={"placement_id": placement.id, "kind": kind.value},
    )
    return concern


def answer_concern(concern: Concern, *, admin: User, answer: str) -> None:
    """An admin answers (or corrects an earlier answer); the intern is emailed a link to read it."""
    answer = (answer or "").strip()
    if admin.role != Role.ADMIN:
        raise Refused("Only an admin can answer a concern.")
    if not answer:
        raise Refused("Write an answer for the intern.", field="answer")
    if len(answer) > MAX_ANSWER_LENGTH:
        raise Refused(f"Keep the answer under {MAX_ANSWER_LENGTH:,} characters.", field="answer")
    before = "answered" if concern.answered_at else "open"
    concern.answer = answer
    concern.answered_at = utcnow()
    concern.answered_by = admin
    db.session.flush()
    record_event(
        "concern.answered",
        target_type=TARGET,
        target_id=concern.id,
        actor=admin,
        from_state=before,
        to_state="answered",
        details={"placement_id": concern.placement_id, "kind": concern.kind.value},
    )
    intern = concern.raised_by
    queue_email(
        intern.email,
        "concern_answered",
        "An admin answered your concern",
        intern=intern,
        concern=concern,
        link=absolute_url("timesheets.concerns") + f"#concern-{concern.id}",
    )


def concerns_of(intern: User) -> list[Concern]:
    """The intern's own concerns, newest first (one query)."""
    return list(
        db.session.scalars(
            select(Concern)
            .where(Concern.raised_by_id == intern.id)
            .order_by(Concern.created_at.desc(), Concern.id.desc())
        )
    )


def all_concerns() -> Select:
    """The select of every concern for admins: unanswered first, then newest first."""
    return (
        select(Concern)
        .options(
            selectinload(Concern.raised_by),
            selectinload(Concern.answered_by),
            selectinload(Concern.placement).selectinload(Placement.program),
            selectinload(Concern.placement).selectinload(Placement.supervisor),
        )
        .order_by(Concern.answered_at.is_not(None), Concern.created_at.desc(), Concern.id.desc())
    )


def open_concerns_count() -> int:
    """How many concerns wait for an answer (one query)."""
    return db.session.scalar(select(func.count()).select_from(Concern).where(Concern.answered_at.is_(None)))


def concern_or_404(concern_id: int) -> Concern:
    return db.get_or_404(Concern, concern_id)
