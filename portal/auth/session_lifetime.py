"""How long a signed-in session lasts: an idle limit and an absolute one, stricter for staff.

Signing in (any way: the form, the second factor, an invitation) stamps the session with the sign-in
time and rotates the CSRF token; every request by a signed-in user checks the limits of their role
(``STAFF_SESSION_IDLE_MINUTES`` / ``STAFF_SESSION_MAX_HOURS`` for admins and supervisors,
``INTERN_SESSION_IDLE_HOURS`` / ``INTERN_SESSION_MAX_DAYS`` for interns) and then records the time it
was seen. A session past either limit is signed out and sent to sign in again with a message saying
why. The times live in the signed session cookie, so nobody can move them.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from flask import Flask, current_app, flash, g, redirect, request, session, url_for
from flask_login import current_user, logout_user, user_logged_in

from portal.models import Role
from portal.sessions import someone_signed_in

SIGNED_IN_AT = "signed_in_at"
SEEN_AT = "seen_at"


def clock() -> float:
    """Seconds since the epoch; tests replace it to move time."""
    return time.time()


@dataclass(frozen=True)
class Lifetime:
    idle_seconds: int
    max_seconds: int


def lifetime_for(role: Role, config) -> Lifetime:
    """The idle and absolute limits of a role's sessions, from the settings."""
    if role == Role.INTERN:
        return Lifetime(int(config["INTERN_SESSION_IDLE_HOURS"] * 3600), int(config["INTERN_SESSION_MAX_DAYS"] * 86400))
    return Lifetime(int(config["STAFF_SESSION_IDLE_MINUTES"] * 60), int(config["STAFF_SESSION_MAX_HOURS"] * 3600))


def spell_duration(seconds: int) -> str:
    """ "30 minutes", "12 hours", "14 days", "1 hour"."""
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size and seconds % size == 0:
            amount = seconds // size
            return f"{amount} {unit}{'' if amount == 1 else 's'}"
    return f"{seconds} seconds"


def expiry_message(signed_in_at: float, seen_at: float, now: float, lifetime: Lifetime) -> str | None:
    """Why the session has ended, as the flash says it; None while it is still good."""
    if now - seen_at > lifetime.idle_seconds:
        idle = spell_duration(lifetime.idle_seconds)
        return f"You were signed out after {idle} without activity. Please sign in again."
    if now - signed_in_at > lifetime.max_seconds:
        return (
            f"You were signed out because you signed in more than {spell_duration(lifetime.max_seconds)} ago. "
            "Please sign in again."
        )
    return None


def _stamp_sign_in(sender, user, **extra) -> None:
    """At every sign-in: a fresh clock, and a fresh CSRF token (the old one may be known to others)."""
    now = clock()
    session[SIGNED_IN_AT] = now
    session[SEEN_AT] = now
    field = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    session.pop(field, None)
    g.pop(field, None)


def _check_session_lifetime():
    if not someone_signed_in() or request.endpoint == "static" or not current_user.is_authenticated:
        return None
    now = clock()
    signed_in_at = session.setdefault(SIGNED_IN_AT, now)  # a session from before these limits starts now
    seen_at = session.get(SEEN_AT, now)
    message = expiry_message(signed_in_at, seen_at, now, lifetime_for(current_user.role, current_app.config))
    if message is None:
        session[SEEN_AT] = now
        return None
    logout_user()
    session.pop(SIGNED_IN_AT, None)
    session.pop(SEEN_AT, None)
    flash(message, "info")
    target = request.full_path.rstrip("?") if request.method == "GET" else None
    return redirect(url_for("auth.login", next=target))


def install_session_lifetime(app: Flask) -> None:
    """Register the checks: on every request (before the views) and at every sign-in."""
    app.before_request(_check_session_lifetime)
    user_logged_in.connect(_stamp_sign_in, app)
