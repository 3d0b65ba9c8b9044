"""Staff: invitations, roles, program assignments, deactivation and reactivation (the People pages).

Every change is audited; nothing here commits (the view's ``transaction()`` does). The last active admin
can be neither demoted nor deactivated (``portal.rules.staff``): the active admins are read with a row
lock, so two admins demoting each other at the same moment cannot both succeed on PostgreSQL.
"""

from __future__ import annotations

import enum
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import Select, Table, case, delete, func, insert, or_, select
from sqlalchemy.exc import IntegrityError

from portal.database import utcnow
from portal.extensions import db
from portal.models import (
    Placement,
    Program,
    ProgramState,
    Role,
    TokenPurpose,
    User,
    UserToken,
    program_reviewers,
    program_supervisors,
)
from portal.rules.staff import StatusView, last_admin_problem, staff_status, unknown_ids
from portal.services.accounts import issue_token, void_unused_tokens
from portal.services.audit import record_event
from portal.services.errors import Changed, Refused
from portal.services.outbox import queue_email
from portal.web import absolute_url

STAFF_ROLES = (Role.ADMIN, Role.SUPERVISOR)
ROLE_LABELS = {Role.ADMIN: "Admin", Role.SUPERVISOR: "Supervisor", Role.INTERN: "Intern"}
UNKNOWN_PROGRAM = "A chosen program is archived or no longer exists. Choose from the programs listed."
INTERNS_HAVE_NO_STAFF_ROLE = "Interns have no staff role or program assignments here; invite staff separately."


class Show(enum.StrEnum):
    """Which accounts the People list shows."""

    STAFF = "staff"
    INTERNS = "interns"


class Assignment(enum.StrEnum):
    """The two ways staff belong to a program; each is a table and a tab section."""

    REVIEWERS = "reviewers"  # see and score the program's applications
    SUPERVISORS = "supervisors"  # are offered as its interns' supervisor and see its interns

    @property
    def table(self) -> Table:
        return program_reviewers if self is Assignment.REVIEWERS else program_supervisors

    @property
    def singular(self) -> str:
        return "reviewer" if self is Assignment.REVIEWERS else "supervisor"


class ExistingAccount(Refused):
    """The email already has an account; ``user_id`` is that person (None when taken at the same moment)."""

    def __init__(self, user_id: int | None) -> None:
        super().__init__("There is already an account for this email.", field="email")
        self.user_id = user_id


@dataclass
class PersonRow:
    """One person as the People pages show them: status and the programs they review and supervise."""

    user: User
    status: StatusView
    reviews: list[Program] = field(default_factory=list)
    supervises: list[Program] = field(default_factory=list)

    @property
    def is_staff(self) -> bool:
        return self.user.role in STAFF_ROLES


@dataclass(frozen=True)
class Invitation:
    """What the invite form asks: who, which role, and the programs they review and supervise."""

    email: str
    full_name: str
    role: Role
    review_ids: frozenset[int] = frozenset()
    supervise_ids: frozenset[int] = frozenset()


def invitation_lifetime() -> timedelta:
    """How long a staff invitation link works (``STAFF_INVITATION_DAYS``, 7 by default)."""
    return timedelta(days=int(current_app.config.get("STAFF_INVITATION_DAYS", 7)))


# ------------------------------------------------------------------------------------------------
# Reading


def people_query(show: Show) -> Select:
    """Staff (admins first) or interns; active people before deactivated ones, then by name."""
    roles = (Role.INTERN,) if show is Show.INTERNS else STAFF_ROLES
    admins_first = case((User.role == Role.ADMIN, 0), else_=1)
    return (
        select(User)
        .where(User.role.in_(roles))
        .order_by(User.active.desc(), admins_first, func.lower(User.full_name), User.email, User.id)
    )


def person_rows(users: list[User], *, now: datetime | None = None) -> list[PersonRow]:
    """The rows for these people in three queries, whatever their number (assignments and invitations)."""
    now = now or utcnow()
    ids = [user.id for user in users]
    assigned = {kind: _programs_by_user(kind, ids) for kind in Assignment}
    invitations = _pending_invitations(ids)
    return [
        PersonRow(
            user=user,
            status=staff_status(
                active=user.active,
                has_password=bool(user.password_hash),
                invitation_expires_at=invitations.get(user.id),
                now=now,
            ),
            reviews=assigned[Assignment.REVIEWERS].get(user.id, []),
            supervises=assigned[Assignment.SUPERVISORS].get(user.id, []),
        )
        for user in users
    ]


def _programs_by_user(kind: Assignment, user_ids: list[int]) -> dict[int, list[Program]]:
    if not user_ids:
        return {}
    table = kind.table
    rows = db.session.execute(
        select(table.c.user_id, Program)
        .join(Program, Program.id == table.c.program_id)
        .where(table.c.user_id.in_(user_ids))
        .order_by(Program.title, Program.id)
    )
    found: dict[int, list[Program]] = defaultdict(list)
    for user_id, program in rows:
        found[user_id].append(program)
    return found


def _pending_invitations(user_ids: list[int]) -> dict[int, datetime]:
    """Each person's unused invitation link's expiry (issuing a link ends the earlier ones)."""
    if not user_ids:
        return {}
    rows = db.session.execute(
        select(UserToken.user_id, func.max(UserToken.expires_at))
        .where(
            UserToken.user_id.in_(user_ids),
            UserToken.purpose == TokenPurpose.INVITATION,
            UserToken.used_at.is_(None),
        )
        .group_by(UserToken.user_id)
    )
    return {user_id: expires_at for user_id, expires_at in rows}


def current_interns_supervised(person: User, today: date) -> int:
    """How many placements not yet ended have ``person`` as their supervisor (their weeks wait on them)."""
    return db.session.scalar(
        select(func.count(Placement.id)).where(
            Placement.supervisor_id == person.id,
            Placement.outcome.is_(None),
            or_(Placement.end_date.is_(None), Placement.end_date >= today),
        )
    ) or 0


def person_or_404(user_id: int) -> User:
    """Anyone with an account, by id: the person page's loader (the route already checked the role)."""
    return db.get_or_404(User, user_id)


def assignable_programs() -> list[Program]:
    """The programs staff can be given: every one not archived, by title."""
    return list(
        db.session.scalars(
            select(Program).where(Program.state != ProgramState.ARCHIVED).order_by(Program.title, Program.id)
        )
    )


def program_people(program: Program, kind: Assignment) -> list[User]:
    """The program's reviewers or supervisors, by name."""
    table = kind.table
    return list(
        db.session.scalars(
            select(User)
            .join(table, table.c.user_id == User.id)
            .where(table.c.program_id == program.id)
            .order_by(func.lower(User.full_name), User.email)
        )
    )


def addable_people(program: Program, kind: Assignment) -> list[User]:
    """Active staff who are not yet the program's reviewers (or supervisors): the "add" list."""
    table = kind.table
    already = select(table.c.user_id).where(table.c.program_id == program.id)
    return list(
        db.session.scalars(
            select(User)
            .where(User.role.in_(STAFF_ROLES), User.active.is_(True), User.id.not_in(already))
            .order_by(func.lower(User.full_name), User.email)
        )
    )


# ------------------------------------------------------------------------------------------------
# Inviting


def invite_staff(invitation: Invitation, *, actor: User) -> User:
    """Make a staff account without a password, assign its programs and email it an invitation link.

    Refused: a role other than admin or supervisor, an email that has an account (``ExistingAccount``),
    a program not on offer. Audited ``staff.invited`` with the role and programs.
    """
    address = invitation.email.strip().lower()
    if invitation.role not in STAFF_ROLES:
        raise Refused("Choose Admin or Supervisor.", field="role")
    existing = User.by_email(address)
    if existing is not None:
        raise ExistingAccount(existing.id)
    offered = _check_programs(invitation.review_ids, invitation.supervise_ids)
    user = User(email=address, full_name=invitation.full_name.strip(), role=invitation.role)
    db.session.add(user)
    try:
        db.session.flush()
    except IntegrityError:  # the same email invited at the same moment; the caller rolls back
        raise ExistingAccount(None) from None
    _add_assignments(Assignment.REVIEWERS, user.id, invitation.review_ids)
    _add_assignments(Assignment.SUPERVISORS, user.id, invitation.supervise_ids)
    _email_invitation(user, actor=actor)
    record_event(
        "staff.invited",
        target_type="user",
        target_id=user.id,
        actor=actor,
        to_state=user.role.value,
        details={
            "role": user.role.value,
            "review": _titles(offered, invitation.review_ids),
            "supervise": _titles(offered, invitation.supervise_ids),
        },
    )
    return user


def _email_invitation(user: User, *, actor: User) -> None:
    """Queue the invitation email with a fresh link, naming the role and the programs as they are now."""
    link = _fresh_link(user)
    row = person_rows([user])[0]
    queue_email(
        user.email,
        "staff_invitation",
        f"You are invited to the {current_app.config['ORGANISATION_NAME']} internship portal",
        user=user,
        role_label=ROLE_LABELS[user.role],
        reviews=[program.title for program in row.reviews],
        supervises=[program.title for program in row.supervises],
        invited_by=actor.full_name or actor.email,
        link=link,
        days=invitation_lifetime().days,
    )


def _fresh_link(user: User) -> str:
    token = issue_token(user, TokenPurpose.INVITATION, invitation_lifetime())
    return absolute_url("auth.accept_invitation", token=token)


def _check_pending(person: User) -> None:
    if person.role not in STAFF_ROLES:
        raise Refused("An intern's invitation is resent from their placement.")
    if not person.active:
        raise Refused("This account is deactivated. Reactivate it before sending an invitation.")
    if person.password_hash:
        raise Refused(
            "They have set a password already, so there is no invitation to resend. "
            "If they forgot it, they can reset it from the sign-in page."
        )


def resend_invitation(person: User, *, actor: User) -> None:
    """Email a new invitation link; the earlier link stops working. Audited ``staff.invitation_resent``."""
    _check_pending(person)
    _email_invitation(person, actor=actor)
    record_event("staff.invitation_resent", target_type="user", target_id=person.id, actor=actor)


def copy_invitation_link(person: User, *, actor: User) -> str:
    """A new invitation link to show the admin once (to paste elsewhere); the earlier link stops working."""
    _check_pending(person)
    link = _fresh_link(person)
    record_event("staff.invitation_link_copied", target_type="user", target_id=person.id, actor=actor)
    return link


# ------------------------------------------------------------------------------------------------
# Roles and programs


def _active_admin_ids() -> list[int]:
    """The active admins' ids, their rows locked until the transaction ends (PostgreSQL; SQLite has one writer)."""
    return list(
        db.session.scalars(
            select(User.id).where(User.role == Role.ADMIN, User.active.is_(True)).with_for_update()
        )
    )


def change_role(person: User, role: Role, *, actor: User) -> bool:
    """Make a staff member an admin or a supervisor; False when it is their role already.

    Refused for interns, for any other role, and when it would demote the last active admin.
    Ends every session of theirs (they sign in again under the new role). Audited
    ``staff.role_changed`` (from → to).
    """
    if person.role not in STAFF_ROLES:
        raise Refused(INTERNS_HAVE_NO_STAFF_ROLE, field="role")
    if role not in STAFF_ROLES:
        raise Refused("Choose Admin or Supervisor.", field="role")
    if role == person.role:
        return False
    problem = last_admin_problem(
        _active_admin_ids(), person.id, stays_admin=role == Role.ADMIN, stays_active=person.active, actor_id=actor.id
    )
    if problem:
        raise Refused(problem, field="role")
    before = person.role
    person.role = role
    person.end_sessions()  # their open sessions had the old role's pages and limits
    if role != Role.ADMIN and person.can_view_self_identification:
        set_self_identification_report(person, False, actor=actor)  # only admins hold it
    record_event(
        "staff.role_changed",
        target_type="user",
        target_id=person.id,
        actor=actor,
        from_state=before.value,
        to_state=role.value,
    )
    return True


def _check_programs(review_ids: Iterable[int], supervise_ids: Iterable[int]) -> dict[int, Program]:
    """The programs on offer by id; refused beside the first field naming one that is not."""
    offered = {program.id: program for program in assignable_programs()}
    for name, chosen in (("review_programs", review_ids), ("supervise_programs", supervise_ids)):
        if unknown_ids(chosen, offered):
            raise Refused(UNKNOWN_PROGRAM, field=name)
    return offered


def _assigned_ids(kind: Assignment, user_id: int) -> set[int]:
    table = kind.table
    return set(db.session.scalars(select(table.c.program_id).where(table.c.user_id == user_id)))


def _add_assignments(kind: Assignment, user_id: int, program_ids: Iterable[int]) -> None:
    """Insert the rows now; one added by someone else at the same moment (a double click) is a ``Changed``."""
    rows = [{"program_id": program_id, "user_id": user_id} for program_id in sorted(program_ids)]
    if not rows:
        return
    try:
        with db.session.begin_nested():
            db.session.execute(insert(kind.table), rows)
    except IntegrityError:
        raise Changed() from None


def _remove_assignments(kind: Assignment, user_id: int, program_ids: Iterable[int]) -> None:
    ids = list(program_ids)
    if ids:
        table = kind.table
        db.session.execute(delete(table).where(table.c.user_id == user_id, table.c.program_id.in_(ids)))


def _titles(programs: dict[int, Program], ids: Iterable[int]) -> list[str]:
    return sorted(programs[program_id].title for program_id in ids if program_id in programs)


def _assignment_titles(ids: dict[Assignment, set[int]]) -> dict[str, list[str]]:
    """``{"review": [titles], "supervise": [titles]}``: an audit event's before or after."""
    wanted = set().union(*ids.values())
    programs = {p.id: p for p in db.session.scalars(select(Program).where(Program.id.in_(wanted)))} if wanted else {}
    return {
        "review": _titles(programs, ids[Assignment.REVIEWERS]),
        "supervise": _titles(programs, ids[Assignment.SUPERVISORS]),
    }


def change_programs(
    person: User, review_ids: Iterable[int], supervise_ids: Iterable[int], *, actor: User
) -> bool:
    """Set the programs (not archived) a staff member reviews and supervises; False when nothing changed.

    Archived programs' assignments are kept (the form does not list them). Refused for interns and for
    a program not on offer. Audited ``staff.programs_changed`` with before → after (program titles).
    """
    if person.role not in STAFF_ROLES:
        raise Refused(INTERNS_HAVE_NO_STAFF_ROLE, field="review_programs")
    chosen = {Assignment.REVIEWERS: set(review_ids), Assignment.SUPERVISORS: set(supervise_ids)}
    offered = _check_programs(chosen[Assignment.REVIEWERS], chosen[Assignment.SUPERVISORS])
    before = {kind: _assigned_ids(kind, person.id) for kind in Assignment}
    after = {kind: (before[kind] - offered.keys()) | chosen[kind] for kind in Assignment}
    if after == before:
        return False
    for kind in Assignment:
        _add_assignments(kind, person.id, after[kind] - before[kind])
        _remove_assignments(kind, person.id, before[kind] - after[kind])
    record_event(
        "staff.programs_changed",
        target_type="user",
        target_id=person.id,
        actor=actor,
        details={"before": _assignment_titles(before), "after": _assignment_titles(after)},
    )
    return True


def change_program_people(
    program: Program, kind: Assignment, *, add: int | None = None, remove: int | None = None, actor: User
) -> str:
    """Add one person to (or remove one from) a program's reviewers or supervisors; the flash to show.

    Only active staff can be added. Audited ``program.reviewers_changed`` / ``program.supervisors_changed``
    with before → after (emails). Refused: someone not on offer, or not there to remove.
    """
    before = program_people(program, kind)
    present = {user.id for user in before}
    if add is not None:
        person = db.session.get(User, add)
        if person is None or person.role not in STAFF_ROLES or not person.active or person.id in present:
            raise Refused(f"Choose an active staff member who is not already a {kind.singular}.", field="person")
        _add_assignments(kind, person.id, [program.id])
        after = [*before, person]
        message = f"{person.full_name or person.email} is now a {kind.singular} of {program.title}."
    else:
        person = db.session.get(User, remove) if remove is not None else None
        if person is None or person.id not in present:
            raise Changed(f"That person is no longer a {kind.singular} of this program. Nothing was changed.")
        _remove_assignments(kind, person.id, [program.id])
        after = [user for user in before if user.id != person.id]
        message = f"{person.full_name or person.email} is no longer a {kind.singular} of {program.title}."
    record_event(
        f"program.{kind.value}_changed",
        target_type="program",
        target_id=program.id,
        actor=actor,
        details={"before": sorted(u.email for u in before), "after": sorted(u.email for u in after)},
    )
    return message


def set_self_identification_report(person: User, allowed: bool, *, actor: User | None, actor_label: str = "") -> bool:
    """Grant or remove the self-identification report permission; False when it is so already.

    Kept apart from the admin role on purpose: those answers are the most sensitive data held, so not
    every admin sees even their aggregates. Refused for anyone but an admin. Audited
    ``staff.self_id_report_granted`` / ``staff.self_id_report_revoked`` (``actor_label`` names a command
    that does it, e.g. the demo seed).
    """
    if allowed and person.role != Role.ADMIN:
        raise Refused("Only admins can see the self-identification report. Make them an admin first.")
    if person.can_view_self_identification == allowed:
        return False
    person.can_view_self_identification = allowed
    record_event(
        f"staff.self_id_report_{'granted' if allowed else 'revoked'}",
        target_type="user",
        target_id=person.id,
        actor=actor,
        actor_label=actor_label,
        from_state="revoked" if allowed else "granted",
        to_state="granted" if allowed else "revoked",
    )
    return True


# ------------------------------------------------------------------------------------------------
# Deactivating and reactivating


def _kind(person: User) -> str:
    return "staff" if person.role in STAFF_ROLES else "intern"


def deactivate(person: User, *, actor: User) -> None:
    """Switch the account off: every session ends now, its unused links die, reminders stop.

    Their past reviews, scores and approvals stay, still theirs. Refused for the last active admin
    (oneself included). Audited ``staff.deactivated`` (``intern.deactivated`` for an intern).
    """
    if not person.active:
        raise Changed("This account is deactivated already. Nothing was changed.")
    if person.role == Role.ADMIN:
        problem = last_admin_problem(
            _active_admin_ids(), person.id, stays_admin=True, stays_active=False, actor_id=actor.id
        )
        if problem:
            raise Refused(problem)
    _switch(person, active=False, actor=actor, details={"links_ended": void_unused_tokens(person)})


def reactivate(person: User, *, actor: User) -> None:
    """Switch the account on again; its session identity rotates once more, so old cookies stay dead and
    they sign in afresh. Audited ``staff.reactivated`` (``intern.reactivated``)."""
    if person.active:
        raise Changed("This account is active already. Nothing was changed.")
    _switch(person, active=True, actor=actor)


def _switch(person: User, *, active: bool, actor: User, details: dict | None = None) -> None:
    """Turn the account on or off; either way its session identity rotates, so no earlier cookie works."""
    person.active = active
    person.end_sessions()
    states = ("deactivated", "active") if active else ("active", "deactivated")
    record_event(
        f"{_kind(person)}.{'reactivated' if active else 'deactivated'}",
        target_type="user",
        target_id=person.id,
        actor=actor,
        from_state=states[0],
        to_state=states[1],
        details=details,
    )
