"""Signing in and out, and the account page.

Failed sign-ins are rate-limited per (account, client) and per client, never per account alone, so
nobody can lock the real user out (``portal.auth.throttle``; a successful one costs nothing); the
same message and the same work (one argon2 verification) answer an unknown email, a wrong password
and an inactive account. Only same-site ``next`` addresses are followed after signing in. Every
attempt that reaches the check is audited ("auth.signed_in", or "auth.sign_in_failed" with the email
typed, never the password); one refused by the rate limit never reaches it.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user

from portal.auth.blueprint import bp
from portal.auth.forms import SignInForm, SignOutForm
from portal.auth.mfa import second_factor_redirect
from portal.auth.throttle import (
    SIGN_IN_ACCOUNT_CLIENT_LIMIT,
    SIGN_IN_CLIENT_LIMIT,
    account_client_key,
    failed,
    sign_in_slowed_down,
    submitted_email,
)
from portal.extensions import limiter
from portal.models import Role, User
from portal.services import accounts, audit_log
from portal.web import no_store, transaction

SIGN_IN_FAILED = "That email and password do not match an account."

#: Where each role starts after signing in, and how the account page names that page.
LANDING_PAGES = {
    Role.ADMIN: ("review.queue", "the review queue"),
    Role.SUPERVISOR: ("review.queue", "the review queue"),
    Role.INTERN: ("timesheets.dashboard", "your hours"),
}
ROLE_LABELS = {
    Role.ADMIN: "Admin",
    Role.SUPERVISOR: "Supervisor",
    Role.INTERN: "Intern",
}


def account_key() -> str:
    """The rate-limit key of the account a request is about: the submitted email, lower-cased."""
    return f"account:{submitted_email()}"


def no_email_submitted() -> bool:
    return not submitted_email()


def safe_next(target: str | None) -> str | None:
    """``target`` when it is a path on this site ("/auth/account"), else None.

    Refused: anything not starting with exactly one "/", a scheme or host ("//evil.example",
    "https://evil.example/"), backslashes ("/\\evil.example": browsers read them as "/"), and
    whitespace or control characters (browsers drop tabs and newlines, turning "/\\t/x" into "//x").
    """
    if not target or len(target) > 2000 or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target or any(ch.isspace() or ord(ch) < 0x20 or ord(ch) == 0x7F for ch in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


def landing_url(user: User) -> str:
    """The start page of the user's role."""
    return url_for(LANDING_PAGES[user.role][0])


@bp.route("/sign-in", methods=["GET", "POST"])
@limiter.limit(SIGN_IN_CLIENT_LIMIT, methods=["POST"], deduct_when=failed, on_breach=sign_in_slowed_down)
@limiter.limit(
    SIGN_IN_ACCOUNT_CLIENT_LIMIT,
    methods=["POST"],
    key_func=account_client_key,
    exempt_when=no_email_submitted,
    deduct_when=failed,
    on_breach=sign_in_slowed_down,
)
def login():
    next_path = safe_next(request.args.get("next"))
    form = SignInForm()
    if form.validate_on_submit():
        with transaction():  # the attempt is audited in the same commit, whether it succeeds or fails
            user = accounts.authenticate(form.email.data, form.password.data)
            audit_log.record_sign_in(form.email.data, user, address=request.remote_addr)
        if user is not None:
            second_step = second_factor_redirect(user, next_path)  # staff: a code (or enrolment) first
            if second_step is not None:
                return second_step
            login_user(user)
            flash(f"You are signed in as {user.email}.", "success")
            return redirect(next_path or landing_url(user))
        form.form_errors.append(SIGN_IN_FAILED)
    return no_store((render_template("auth/login.html", form=form, next_path=next_path), 422 if form.errors else 200))


@bp.get("/account")
@login_required
def account():
    user = current_user
    return no_store(
        render_template(
            "auth/account.html",
            user=user,
            role_label=ROLE_LABELS.get(user.role, user.role.value),
            start_url=landing_url(user),
            start_label=LANDING_PAGES[user.role][1],
            sign_out_form=SignOutForm(),
        )
    )


@bp.post("/sign-out")
def logout():
    """End every session of this account on the server, then forget this browser's."""
    if not SignOutForm().validate_on_submit():  # CSRFProtect refuses a missing token even before this
        abort(400)
    if current_user.is_authenticated:
        with transaction():
            accounts.sign_out_everywhere(current_user._get_current_object())
        logout_user()
    flash("You are signed out, on this device and any other.", "success")
    return redirect(url_for("public.home"))
