"""Managing a placement: change its terms, extend it, end it, and re-invite its intern.

Who may: ``Placement.can_manage`` (an admin, or an active supervisor of the placement's program or of
the placement itself); anyone else gets a 404. The checks are the pure ones of
``portal.rules.placements``, given what only the database knows (who may supervise, which days have
hours logged, the approved weeks). Every change is audited with before → after; the intern is emailed
(``placement_changed``) when their dates or stipend eligibility change, and when the placement ends.
Nothing here commits (the view's ``transaction()`` does).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import abort
from sqlalchemy import func, select, update
from sqlalchemy.orm import selectinload

from portal.database import utcnow
from portal.extensions import db
from portal.formatting import long_date
from portal.models import Placement, Program, Role, TimesheetEntry, TimesheetWeek, TokenPurpose, User
from portal.rules import placements as rules
from portal.rules.compliance import APPROVED
from portal.rules.hours import format_minutes
from portal.rules.placements import FORM, Ending, Outcome, PlacementInput, PlacementTerms
from portal.services.accounts import INVITATION_LIFETIME, issue_token, send_invitation
from portal.services.audit import record_event
from portal.services.errors import Changed, Refused
from portal.services.outbox import queue_email
from portal.services.progress import placement_progress, week_records
from portal.web import absolute_url

TARGET = "placement"


def manageable_placement_or_404(placement_id: int, user: User) -> Placement:
    """The placement with its program (rules, tiers, supervisors) and people, when ``user`` may manage it."""
    placement = db.first_or_404(
        select(Placement)
        .where(Placement.id == placement_id)
        .options(
            selectinload(Placement.program).selectinload(Program.stipend_tiers),
            selectinload(Placement.program).selectinload(Program.supervisors),
            selectinload(Placement.intern),
            selectinload(Placement.supervisor),
            selectinload(Placement.ended_by),
        )
    )
    if not placement.can_manage(user):
        abort(404)
    return placement


def supervisor_choices(placement: Placement) -> list[User]:
    """Who may supervise it: the program's active supervisors and the active admins (and whoever does now)."""
    admins = db.session.scalars(select(User).where(User.role == Role.ADMIN, User.active.is_(True)))
    people = {user.id: user for user in placement.program.supervisors if user.active and user.role == Role.SUPERVISOR}
    people.update((user.id, user) for user in admins)
    if placement.supervisor is not None:
        people.setdefault(placement.supervisor.id, placement.supervisor)
    return sorted(people.values(), key=lambda user: ((user.full_name or user.email).lower(), user.id))


def logged_span(placement: Placement) -> tuple[date, date] | None:
    """The first and last day with hours logged on the placement (any status), or None."""
    first, last = db.session.execute(
        select(func.min(TimesheetEntry.work_date), func.max(TimesheetEntry.work_date))
        .join(TimesheetWeek, TimesheetWeek.id == TimesheetEntry.week_id)
        .where(TimesheetWeek.placement_id == placement.id)
    ).one()
    return (first, last) if first is not None else None


def approved_minutes_by_monday(placement: Placement) -> dict[date, int]:
    """Approved minutes of each approved week (the figures an ending is checked against)."""
    records = week_records([placement.id]).get(placement.id, [])
    return {record.monday: record.approved_minutes for record in records if record.status == APPROVED}


def can_reinvite(placement: Placement) -> bool:
    """The intern's invitation can be resent (or its link copied) until they set a password."""
    intern = placement.intern
    return intern.active and not intern.password_hash


# ---- checks (the pure rules, given what the database knows) ---------------------------------------

def _ended_message(placement: Placement) -> str:
    return f"This placement ended on {_date_text(placement.end_date)}: it can no longer be changed."


def check_change(
    placement: Placement, typed: PlacementInput, *, today: date
) -> tuple[PlacementTerms | None, dict[str, str]]:
    """The Change form checked (``rules.placements.check_terms``) against who may supervise and the hours logged."""
    if placement.outcome is not None:
        return None, {FORM: _ended_message(placement)}
    return rules.check_terms(
        typed,
        placement.program.rules(),
        supervisor_ids={person.id for person in supervisor_choices(placement)},
        none_allowed=placement.supervisor_id is None,
        current_end=placement.end_date,
        today=today,
        logged=logged_span(placement),
    )


def check_extension(placement: Placement, typed: str, *, today: date) -> tuple[date | None, dict[str, str]]:
    """The Extend form checked (``rules.placements.check_extension``)."""
    return rules.check_extension(
        typed,
        start=placement.start_date,
        current_end=placement.end_date,
        ended=placement.outcome is not None,
        today=today,
    )


def check_ending(
    placement: Placement, outcome: str, end_date: str, reason: str, *, today: date
) -> tuple[Ending | None, dict[str, str]]:
    """The End form checked (``rules.placements.check_ending``) against the approved weeks and hours logged."""
    if placement.outcome is not None:
        return None, {FORM: _ended_message(placement)}
    span = logged_span(placement)
    return rules.check_ending(
        outcome,
        end_date,
        reason,
        placement.program.rules(),
        start=placement.start_date,
        today=today,
        approved_minutes_by_monday=approved_minutes_by_monday(placement),
        last_logged=span[1] if span else None,
    )


# ---- snapshots and wording -----------------------------------------------------------------------


def _person(user: User | None) -> str | None:
    return (user.full_name or user.email) if user is not None else None


def snapshot(placement: Placement) -> dict[str, Any]:
    """The placement's terms as JSON-safe values, for the audit log's before → after."""
    return {
        "supervisor": _person(placement.supervisor),
        "supervisor_id": placement.supervisor_id,
        "start_date": placement.start_date.isoformat(),
        "end_date": placement.end_date.isoformat() if placement.end_date else None,
        "committed_minutes_per_week": placement.committed_minutes_per_week,
        "stipend_eligible": placement.stipend_eligible,
    }


def _date_text(day: date | None) -> str:
    return long_date(day) if day is not None else "none"


def _eligible_text(eligible: bool) -> str:
    return "eligible" if eligible else "not eligible"


@dataclass(frozen=True)
class Change:
    """One line of what changed, as the intern's email and the flash message say it."""

    label: str
    before: str
    after: str
    tells_intern: bool

    @property
    def text(self) -> str:
        return f"{self.label}: {self.before} → {self.after}"


def _changes(placement: Placement, terms: PlacementTerms, supervisor: User | None) -> list[Change]:
    hours = format_minutes
    candidates = [
        (
            placement.supervisor_id != terms.supervisor_id,
            Change("Supervisor", _person(placement.supervisor) or "none", _person(supervisor) or "none", False),
        ),
        (
            placement.start_date != terms.start_date,
            Change("Start date", long_date(placement.start_date), long_date(terms.start_date), True),
        ),
        (
            placement.end_date != terms.end_date,
            Change("Planned end date", _date_text(placement.end_date), _date_text(terms.end_date), True),
        ),
        (
            placement.committed_minutes_per_week != terms.committed_minutes_per_week,
            Change(
                "Hours a week",
                hours(placement.committed_minutes_per_week),
                hours(terms.committed_minutes_per_week),
                False,
            ),
        ),
        (
            placement.stipend_eligible != terms.stipend_eligible,
            Change(
                "Stipend", _eligible_text(placement.stipend_eligible), _eligible_text(terms.stipend_eligible), True
            ),
        ),
    ]
    return [change for differs, change in candidates if differs]


def _email_intern(placement: Placement, subject: str, headline: str, lines: list[str], reason: str = "") -> None:
    intern = placement.intern
    queue_email(
        intern.email,
        "placement_changed",
        subject,
        intern=intern,
        program_title=placement.program.title,
        headline=headline,
        changes=lines,
        reason=reason,
        link=absolute_url("timesheets.dashboard"),
    )


def _refuse_if_ended(placement: Placement) -> None:
    if placement.outcome is not None:
        raise Refused(_ended_message(placement))


# ---- changes -------------------------------------------------------------------------------------


def change_placement(placement: Placement, terms: PlacementTerms, *, actor: User) -> list[Change]:
    """Apply the checked terms: audited "placement.changed" with before → after; the intern is emailed
    when their dates or stipend eligibility change. Returns what changed (empty: nothing was)."""
    _refuse_if_ended(placement)
    supervisor = db.session.get(User, terms.supervisor_id) if terms.supervisor_id is not None else None
    changes = _changes(placement, terms, supervisor)
    if not changes:
        return []
    before = snapshot(placement)
    placement.supervisor = supervisor
    placement.start_date = terms.start_date
    placement.end_date = terms.end_date
    placement.committed_minutes_per_week = terms.committed_minutes_per_week
    placement.stipend_eligible = terms.stipend_eligible
    db.session.flush()
    record_event(
        "placement.changed",
        target_type=TARGET,
        target_id=placement.id,
        actor=actor,
        details={"before": before, "after": snapshot(placement), "changed": [change.label for change in changes]},
    )
    if any(change.tells_intern for change in changes):
        _email_intern(
            placement,
            f"Your placement in {placement.program.title} has changed",
            "Your placement has changed:",
            [change.text for change in changes],
        )
    return changes


def extend_placement(placement: Placement, new_end: date, *, actor: User) -> None:
    """A later planned end date: audited "placement.extended" (from → to); the intern is emailed."""
    _refuse_if_ended(placement)
    before = snapshot(placement)
    old_end = placement.end_date
    placement.end_date = new_end
    db.session.flush()
    record_event(
        "placement.extended",
        target_type=TARGET,
        target_id=placement.id,
        actor=actor,
        from_state=old_end.isoformat() if old_end else "",
        to_state=new_end.isoformat(),
        details={"before": before, "after": snapshot(placement)},
    )
    _email_intern(
        placement,
        f"Your placement in {placement.program.title} is extended to {long_date(new_end)}",
        "Your placement is extended:",
        [f"Planned end date: {_date_text(old_end)} → {long_date(new_end)}"],
    )


def end_placement(placement: Placement, ending: Ending, *, actor: User, today: date) -> str:
    """Record how and when it ended: audited "placement.ended" (active → outcome, with the reason); the
    intern is emailed the pages' sentence about it, which is returned. ``Changed`` when someone ended it
    first."""
    _refuse_if_ended(placement)
    before = snapshot(placement)
    planned_end = placement.end_date
    values = {
        "outcome": ending.outcome,
        "end_date": ending.end_date,
        "end_reason": ending.reason,
        "ended_at": utcnow(),
        "ended_by_id": actor.id,
    }
    result = db.session.execute(
        update(Placement)
        .where(Placement.id == placement.id, Placement.outcome.is_(None))
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise Changed("Someone ended this placement at the same moment. Nothing was saved; see how it ended below.")
    db.session.refresh(placement)
    record_event(
        "placement.ended",
        target_type=TARGET,
        target_id=placement.id,
        actor=actor,
        from_state="active",
        to_state=ending.outcome.value,
        reason=ending.reason,
        details={"before": before, "after": {**snapshot(placement), "outcome": ending.outcome.value}},
    )
    sentence = placement_progress(placement, today=today, now=utcnow()).completion_text
    lines = [sentence + "."]
    if planned_end != ending.end_date:
        lines.append(f"End date: {_date_text(planned_end)} → {long_date(ending.end_date)}")
    _email_intern(
        placement,
        f"Your placement in {placement.program.title} has ended",
        "Your placement has ended:",
        lines,
        reason=ending.reason if ending.outcome is Outcome.ENDED_EARLY else "",
    )
    return sentence


# ---- the intern's invitation ---------------------------------------------------------------------


def _refuse_unless_reinvitable(placement: Placement) -> None:
    if not can_reinvite(placement):
        who = placement.intern.full_name or placement.intern.email
        raise Refused(f"{who} has already set a password: there is no invitation to resend.")


def resend_invitation(placement: Placement, *, actor: User) -> None:
    """A new invitation email (the earlier link stops working); audited."""
    _refuse_unless_reinvitable(placement)
    send_invitation(placement.intern, invited_by=actor, program_title=placement.program.title)
    record_event(
        "placement.invitation_resent",
        target_type=TARGET,
        target_id=placement.id,
        actor=actor,
        details={"intern": placement.intern.email},
    )


def invitation_link(placement: Placement, *, actor: User) -> str:
    """A fresh invitation link to hand over (shown once; the earlier link stops working); audited."""
    _refuse_unless_reinvitable(placement)
    token = issue_token(placement.intern, TokenPurpose.INVITATION, INVITATION_LIFETIME)
    record_event(
        "placement.invitation_link_copied",
        target_type=TARGET,
        target_id=placement.id,
        actor=actor,
        details={"intern": placement.intern.email},
    )
    return absolute_url("auth.accept_invitation", token=token)
