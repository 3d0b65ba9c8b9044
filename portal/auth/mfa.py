"""The second factor for staff: setting it up (QR code, secret, recovery codes) and the code step.

After a correct password, ``second_factor_redirect`` keeps a short-lived "pending" marker in the
session instead of signing in, and sends the person to the code step (enrolled) or to enrolment
(required and not enrolled). Only a right code signs them in. Wrong codes are rate-limited like
passwords, per (account, client) and per client, so someone who has the password and guesses codes
slows down only their own device; a high per-account cap bounds guessing spread over many addresses.
A signed-in staff member who must enrol (an invitation just
accepted, the setting just turned on) is turned into a pending one and can reach no other page.
"""

from __future__ import annotations

import time

from flask import redirect, render_template, request, session, url_for
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_user
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import InputRequired, Length

from portal.auth.blueprint import bp
from portal.extensions import limiter
from portal.models import User
from portal.rules.mfa import ENROL, VERIFY
from portal.services import mfa
from portal.sessions import someone_signed_in
from portal.web import no_store, transaction

PENDING_KEY = "mfa_pending"
#: Minutes between the password and the code before the password has to be typed again.
PENDING_SECONDS = 10 * 60
#: Wrong codes for one account from one client (between two passwords or not), and from one client.
CODE_ACCOUNT_CLIENT_LIMIT = "5 per 15 minutes"
CODE_CLIENT_LIMIT = "10 per 15 minutes"
#: Wrong codes for one account from every client together: 30 guesses an hour at a 6-digit code that is
#: valid for about 3 steps leave about one chance in 11,000 an hour to someone who already has the password.
CODE_ACCOUNT_LIMIT = "30 per hour"
#: What a pending person may open while they must enrol.
ENROLMENT_ENDPOINTS = {"auth.mfa_enrol", "auth.logout", "auth.mfa_cancel", "static"}


class CodeForm(FlaskForm):
    code = StringField(
        "Code",
        validators=[InputRequired(message="Enter the code"), Length(max=64, message="Enter the code")],
    )


def second_factor_redirect(user: User, next_path: str | None):
    """After a correct password: a redirect to the code step or enrolment, or None to sign in now."""
    step = mfa.next_step(user)
    if step is None:
        return None
    session[PENDING_KEY] = {"user": user.session_token, "id": user.id, "next": next_path, "at": int(time.time())}
    return redirect(url_for("auth.mfa_verify" if step == VERIFY else "auth.mfa_enrol"))


def pending_user(step: str) -> User | None:
    """The person who typed their password in this browser for ``step`` a few minutes ago, if any."""
    marker = session.get(PENDING_KEY)
    if not isinstance(marker, dict) or time.time() - marker.get("at", 0) > PENDING_SECONDS:
        return None
    user = User.from_session_token(str(marker.get("user", "")))
    if user is None or not user.is_active or mfa.next_step(user) != step:
        return None
    return user


def _finish(user: User) -> str:
    """Sign the person in (again, when enrolling from their account); where they go next."""
    from portal.auth.sessions import landing_url, safe_next  # sessions imports this module

    marker = session.pop(PENDING_KEY, None) or {}
    login_user(user)
    return safe_next(marker.get("next")) or landing_url(user)


def _pending_account_key() -> str:
    marker = session.get(PENDING_KEY)
    user_id = marker.get("id", "") if isinstance(marker, dict) else ""
    return f"mfa-account:{user_id}"


def _pending_account_client_key() -> str:
    return f"{_pending_account_key()}|{get_remote_address()}"


def _failed(response) -> bool:
    return response.status_code != 302 and request.method == "POST"


@bp.before_app_request
def enrolment_gate():
    """Staff who must have a second factor and have none see only enrolment (and sign-out)."""
    if not someone_signed_in() or request.endpoint in ENROLMENT_ENDPOINTS or not current_user.is_authenticated:
        return None
    if mfa.next_step(current_user._get_current_object()) != ENROL:
        return None
    return redirect(url_for("auth.mfa_enrol"))


def enrolling_user() -> User | None:
    """Who is setting up a second factor: the person between password and enrolment, or a signed-in staff
    member without one (when it is required, the gate sends them here; otherwise from their account)."""
    user = pending_user(ENROL)
    if user is None and current_user.is_authenticated and mfa.can_enrol(current_user._get_current_object()):
        user = current_user._get_current_object()
    return user


@bp.route("/two-step", methods=["GET", "POST"])
@limiter.limit(CODE_CLIENT_LIMIT, methods=["POST"], deduct_when=_failed)
@limiter.limit(CODE_ACCOUNT_CLIENT_LIMIT, methods=["POST"], key_func=_pending_account_client_key, deduct_when=_failed)
@limiter.limit(CODE_ACCOUNT_LIMIT, methods=["POST"], key_func=_pending_account_key, deduct_when=_failed)
def mfa_verify():
    user = pending_user(VERIFY)
    if user is None:
        return redirect(url_for("auth.login"))
    form = CodeForm()
    if form.validate_on_submit():
        with transaction():  # a wrong code is audited in the same commit
            accepted = mfa.check_second_factor(user, form.code.data, address=request.remote_addr)
        if accepted:
            return redirect(_finish(user))
        form.code.errors.append(mfa.WRONG_CODE)
    page = render_template("auth/mfa_verify.html", form=form)
    return no_store((page, 422 if form.errors else 200))


@bp.route("/two-step/set-up", methods=["GET", "POST"])
@limiter.limit(CODE_CLIENT_LIMIT, methods=["POST"], deduct_when=_failed)
@limiter.limit(CODE_ACCOUNT_CLIENT_LIMIT, methods=["POST"], key_func=_pending_account_client_key, deduct_when=_failed)
@limiter.limit(CODE_ACCOUNT_LIMIT, methods=["POST"], key_func=_pending_account_key, deduct_when=_failed)
def mfa_enrol():
    user = enrolling_user()
    if user is None:
        return redirect(url_for("auth.login"))
    form = CodeForm()

    def page(error=None):
        with transaction():
            secret = mfa.enrolment_secret(user)
        uri = mfa.provisioning_uri(user, secret)
        return no_store(render_template("auth/mfa_enrol.html", form=form, qr=mfa.qr_svg(uri), secret=secret))

    if form.validate_on_submit():
        with transaction(form, render=page):
            codes = mfa.confirm_enrolment(user, form.code.data)
        start = _finish(user)
        return no_store(render_template("auth/mfa_recovery_codes.html", codes=codes, start=start))
    response = page()
    if form.errors:
        response.status_code = 422
    return response


@bp.post("/two-step/cancel")
def mfa_cancel():
    """Forget the typed password and go back to sign-in."""
    session.pop(PENDING_KEY, None)
    return redirect(url_for("auth.login"))
