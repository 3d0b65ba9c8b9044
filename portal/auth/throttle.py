"""Sign-in throttling that an attacker cannot turn against the real user (OWASP's lockout guidance).

Failed sign-ins are counted per (account, client address) and per client address, never per account
alone: guessing someone's password from one address slows down that address only, and the person
signing in from their own device with the right password is let through. The counts live in
``RATELIMIT_STORAGE_URI`` (Redis in production), so every worker shares them. A throttled client
gets the sign-in form back with a 429, how long to wait, and a ``Retry-After`` header.
"""

from __future__ import annotations

import math
import time

from flask import make_response, render_template, request
from flask_limiter import RateLimitExceeded, RequestLimit
from flask_limiter.util import get_remote_address

from portal.auth.blueprint import bp

#: Failed sign-ins for one account from one client.
SIGN_IN_ACCOUNT_CLIENT_LIMIT = "5 per 15 minutes"
#: Failed sign-ins from one client, whatever the account (an office or campus can share an address).
SIGN_IN_CLIENT_LIMIT = "10 per 15 minutes"


def submitted_email() -> str:
    return (request.form.get("email") or "").strip().lower()[:254]


def account_client_key() -> str:
    """The rate-limit key of (the account the request is about, the client sending it)."""
    return f"sign-in:{submitted_email()}|{get_remote_address()}"


def failed(response) -> bool:
    """Only failed attempts count against the limits: a success redirects."""
    return response.status_code != 302


def retry_after_seconds(limit: RequestLimit | None) -> int:
    """Whole seconds until the breached window resets (at least 1)."""
    if limit is None:
        return 60
    return max(1, int(limit.reset_at - time.time()))


def slow_down_message(seconds: int) -> str:
    minutes = max(1, math.ceil(seconds / 60))
    wait = "a minute" if minutes == 1 else f"{minutes} minutes"
    return (
        f"Too many attempts: too many failed sign-ins from this device. Wait {wait}, then try again, "
        "or reset your password."
    )


def sign_in_slowed_down(limit: RequestLimit):
    """``on_breach`` of the sign-in limits: the form again (email kept), what to do, and Retry-After."""
    from portal.auth.forms import SignInForm
    from portal.auth.sessions import safe_next

    seconds = retry_after_seconds(limit)
    form = SignInForm()
    form.form_errors.append(slow_down_message(seconds))
    next_path = safe_next(request.args.get("next"))
    response = make_response(render_template("auth/login.html", form=form, next_path=next_path), 429)
    response.headers["Retry-After"] = str(seconds)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.errorhandler(RateLimitExceeded)
def rate_limited(error: RateLimitExceeded):
    """Every throttled auth page says when to come back; the sign-in form is its own answer."""
    from portal.extensions import limiter

    if error.response is not None:
        return error.response
    response = make_response(render_template("errors/429.html"), 429)
    response.headers["Retry-After"] = str(retry_after_seconds(limiter.current_limit))
    return response
