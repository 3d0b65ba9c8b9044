"""Accounts: sign-in checks, invitations and password resets by single-use, expiring links."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from portal.database import utcnow
from portal.extensions import db
from portal.models import Role, TokenPurpose, User, UserToken
from portal.models.user import dummy_password_check, hash_token
from portal.rules.passwords import MIN_PASSWORD_LENGTH, password_problem  # noqa: F401  (MIN_…: re-exported)
from portal.services.audit import record_event
from portal.services.errors import Refused
from portal.services.outbox import queue_email
from portal.web import absolute_url

INVITATION_LIFETIME = timedelta(days=7)
RESET_LIFETIME = timedelta(hours=1)


def authenticate(email: str, password: str) -> User | None:
    """The user when the email and password match an active account; the same work either way.

    A match whose hash was made with weaker argon2 parameters gets a new hash (the caller commits).
    """
    user = User.by_email(email or "")
    if user is None:
        dummy_password_check(password or "")
        return None
    if not user.check_password(password or "") or not user.active:
        return None
    user.rehash_if_weak(password)  # a hash made with weaker argon2 parameters is upgraded now
    user.last_sign_in_at = utcnow()
    return user


def issue_token(user: User, purpose: TokenPurpose, lifetime: timedelta, *, now: datetime | None = None) -> str:
    """A fresh link token; earlier unused ones of the same purpose stop working."""
    now = now or utcnow()
    db.session.execute(
        update(UserToken)
        .where(UserToken.user_id == user.id, UserToken.purpose == purpose, UserToken.used_at.is_(None))
        .values(used_at=now)
    )
    token = secrets.token_urlsafe(32)
    db.session.add(UserToken(user=user, purpose=purpose, token_hash=hash_token(token), expires_at=now + lifetime))
    return token


def void_unused_tokens(user: User, *, now: datetime | None = None) -> int:
    """End every unused link of the account (invitations, resets): deactivation leaves none alive."""
    result = db.session.execute(
        update(UserToken)
        .where(UserToken.user_id == user.id, UserToken.used_at.is_(None))
        .values(used_at=now or utcnow())
    )
    return result.rowcount or 0


def usable_token(token: str, purpose: TokenPurpose, *, now: datetime | None = None) -> UserToken | None:
    """The token row when the link is genuine, unused, unexpired and its account active."""
    if not token or len(token) > 100:
        return None
    row = db.session.scalar(
        select(UserToken).where(UserToken.token_hash == hash_token(token), UserToken.purpose == purpose)
    )
    if row is None or not row.usable(now or utcnow()) or not row.user.active:
        return None
    return row


def send_invitation(user: User, *, invited_by: User | None = None, program_title: str = "") -> None:
    """Email a link to set a first password (7 days, single use)."""
    token = issue_token(user, TokenPurpose.INVITATION, INVITATION_LIFETIME)
    queue_email(
        user.email,
        "invitation",
        f"Welcome to {program_title or current_app.config['ORGANISATION_NAME']}: set up your account",
        user=user,
        link=absolute_url("auth.accept_invitation", token=token),
        program_title=program_title,
        days=INVITATION_LIFETIME.days,
    )
    record_event("user.invited", target_type="user", target_id=user.id, actor=invited_by)


def request_password_reset(email: str) -> None:
    """Email a reset link when the address has an active account; callers answer the same either way."""
    user = User.by_email(email or "")
    if user is None or not user.active:
        return
    token = issue_token(user, TokenPurpose.PASSWORD_RESET, RESET_LIFETIME)
    queue_email(
        user.email,
        "password_reset",
        "Reset your password",
        user=user,
        link=absolute_url("auth.reset_password", token=token),
        minutes=int(RESET_LIFETIME.total_seconds() // 60),
    )
    record_event("user.password_reset_requested", target_type="user", target_id=user.id, actor_label="system")


def set_password_with_token(row: UserToken, password: str) -> User:
    """Use the link once: set the password, end every other session, audit."""
    user = row.user
    user.set_password(password)
    user.end_sessions()
    row.used_at = utcnow()
    action = "user.invitation_accepted" if row.purpose == TokenPurpose.INVITATION else "user.password_reset"
    record_event(action, target_type="user", target_id=user.id, actor=user)
    return user


def create_account(email: str, role: Role, full_name: str, password: str, *, actor_label: str = "") -> User:
    """A staff or intern account with a password (``flask create-user``).

    Refused when the password breaks the portal's rule (``field="password"``, the rule's message) or
    the email already has an account (``field="email"``). Audited; the caller commits.
    """
    address = email.strip().lower()
    problem = password_problem(password, email=address)
    if problem:
        raise Refused(problem, field="password")
    duplicate = Refused(f"A user with the email {address} already exists.", field="email")
    if User.by_email(address) is not None:
        raise duplicate
    user = User(email=address, role=role, full_name=full_name)
    user.set_password(password)
    db.session.add(user)
    try:
        db.session.flush()
    except IntegrityError:  # created at the same moment by someone else; the caller rolls back
        raise duplicate from None
    record_event(
        "user.created", target_type="user", target_id=user.id, actor_label=actor_label, to_state=role.value
    )
    return user


def create_intern_account(email: str, full_name: str) -> User:
    """An intern account without a password: the invitation link sets one."""
    user = User.by_email(email)
    if user is None:
        user = User(email=email, full_name=full_name, role=Role.INTERN)
        db.session.add(user)
        db.session.flush()
    return user


def sign_out_everywhere(user: User) -> None:
    """Server-side sign-out: the session identity rotates, so a copied cookie stops working."""
    user.end_sessions()
    record_event("user.signed_out", target_type="user", target_id=user.id, actor=user)
