"""Sign-in, sign-out, password reset and invitations for staff and interns.

Thin views: ``portal.services.accounts`` does the work, the view commits. Failed sign-ins are
rate-limited per client and per account (a successful one costs nothing); the same message and the
same work (one argon2 verification) answer an unknown email, a wrong password and an inactive account.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.routing import BuildError

from portal.auth.forms import ResetRequestForm, SetPasswordForm, SignInForm, SignOutForm
from portal.extensions import db, limiter
from portal.models import Role, TokenPurpose, User
from portal.services import accounts

bp = Blueprint("auth", __name__)

SIGN_IN_FAILED = "That email and password do not match an account."
#: Failed sign-ins from one client (an office or campus can share an address, so not too tight).
SIGN_IN_CLIENT_LIMIT = "10 per 15 minutes"
#: Failed sign-ins for one email address, from anywhere.
SIGN_IN_ACCOUNT_LIMIT = "5 per 15 minutes"
#: Reset requests: per client, and per address so nobody can flood one person's mailbox.
RESET_CLIENT_LIMIT = "5 per 15 minutes"
RESET_ACCOUNT_LIMIT = "3 per hour"

#: Where each role starts after signing in, once the blueprint providing the page exists.
LANDING_ENDPOINTS = {
    Role.ADMIN: "review.queue",
    Role.SUPERVISOR: "review.queue",
    Role.INTERN: "timesheets.dashboard",
}
LANDING_LABELS = {"review.queue": "the review queue", "timesheets.dashboard": "your hours"}
ROLE_LABELS = {
    Role.ADMIN: "Admin",
    Role.SUPERVISOR: "Supervisor",
    Role.INTERN: "Intern",
}


# ------------------------------------------------------------------------------------------------
# Helpers


def _submitted_email() -> str:
    return (request.form.get("email") or "").strip().lower()[:254]


def _account_key() -> str:
    """The rate-limit key of the account a request is about: the submitted email, lower-cased."""
    return f"account:{_submitted_email()}"


def _no_email_submitted() -> bool:
    return not _submitted_email()


def _failed(response) -> bool:
    """Only failed sign-ins count against the limits: a success redirects."""
    return response.status_code != 302


def _no_store(body: str, status: int = 200):
    response = current_app.make_response((body, status))
    response.headers["Cache-Control"] = "no-store"
    return response


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


def landing_endpoint(user: User) -> str:
    """The endpoint of the role's start page, or ``auth.account`` while that page does not exist."""
    endpoint = LANDING_ENDPOINTS.get(user.role)
    if endpoint and endpoint in current_app.view_functions:
        return endpoint
    return "auth.account"


def landing_url(user: User) -> str:
    endpoint = landing_endpoint(user)
    try:
        return url_for(endpoint)
    except BuildError:  # the start page needs arguments we do not have: the account page will do
        return url_for("auth.account")


# ------------------------------------------------------------------------------------------------
# Signing in and out


@bp.route("/sign-in", methods=["GET", "POST"])
@limiter.limit(SIGN_IN_CLIENT_LIMIT, methods=["POST"], deduct_when=_failed)
@limiter.limit(
    SIGN_IN_ACCOUNT_LIMIT,
    methods=["POST"],
    key_func=_account_key,
    exempt_when=_no_email_submitted,
    deduct_when=_failed,
)
def login():
    next_path = safe_next(request.args.get("next"))
    form = SignInForm()
    if form.validate_on_submit():
        user = accounts.authenticate(form.email.data, form.password.data)
        if user is not None:
            db.session.commit()
            login_user(user)
            flash(f"You are signed in as {user.email}.", "success")
            return redirect(next_path or landing_url(user))
        form.form_errors.append(SIGN_IN_FAILED)
    body = render_template("auth/login.html", form=form, next_path=next_path)
    return _no_store(body, 422 if form.errors else 200)


@bp.get("/account")
@login_required
def account():
    user = current_user._get_current_object()
    endpoint = landing_endpoint(user)
    start_url = landing_url(user) if endpoint != "auth.account" else None
    body = render_template(
        "auth/account.html",
        user=user,
        role_label=ROLE_LABELS.get(user.role, user.role.value),
        start_url=start_url,
        start_label=LANDING_LABELS.get(endpoint, "your start page"),
        sign_out_form=SignOutForm(),
    )
    return _no_store(body)


@bp.post("/sign-out")
def logout():
    """End every session of this account on the server, then forget this browser's."""
    if not SignOutForm().validate_on_submit():  # CSRFProtect refuses a missing token even before this
        abort(400)
    if current_user.is_authenticated:
        accounts.sign_out_everywhere(current_user._get_current_object())
        db.session.commit()
        logout_user()
    flash("You are signed out, on this device and any other.", "success")
    return redirect(url_for("public.home"))


# ------------------------------------------------------------------------------------------------
# Password reset


@bp.route("/reset", methods=["GET", "POST"])
@limiter.limit(RESET_CLIENT_LIMIT, methods=["POST"])
@limiter.limit(RESET_ACCOUNT_LIMIT, methods=["POST"], key_func=_account_key, exempt_when=_no_email_submitted)
def reset_request():
    form = ResetRequestForm()
    if form.validate_on_submit():
        accounts.request_password_reset(form.email.data)
        db.session.commit()
        return redirect(url_for("auth.reset_sent"))
    return render_template("auth/reset_request.html", form=form), 422 if form.errors else 200


@bp.get("/reset/check-your-email")
def reset_sent():
    return render_template("auth/reset_sent.html", minutes=int(accounts.RESET_LIFETIME.total_seconds() // 60))


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    row = accounts.usable_token(token, TokenPurpose.PASSWORD_RESET)
    if row is None:
        return _no_store(render_template("auth/reset_invalid.html"), 404)
    user = row.user
    form = SetPasswordForm(email=user.email)
    if form.validate_on_submit():
        accounts.set_password_with_token(row, form.password.data)
        db.session.commit()
        if current_user.is_authenticated and current_user.id == user.id:
            logout_user()  # the session ended on the server already; tidy this browser's cookie too
        flash(
            "Your password is changed and every earlier sign-in has ended. Sign in with your new password.", "success"
        )
        return redirect(url_for("auth.login"))
    body = render_template("auth/reset_password.html", form=form, user=user)
    return _no_store(body, 422 if form.errors else 200)


# ------------------------------------------------------------------------------------------------
# Invitations


@bp.route("/invitation/<token>", methods=["GET", "POST"])
def accept_invitation(token: str):
    row = accounts.usable_token(token, TokenPurpose.INVITATION)
    if row is None:
        return _no_store(render_template("auth/invitation_invalid.html"), 404)
    user = row.user
    form = SetPasswordForm(email=user.email)
    if form.validate_on_submit():
        accounts.set_password_with_token(row, form.password.data)
        db.session.commit()
        login_user(user)
        flash("Your password is set and you are signed in. Welcome!", "success")
        return redirect(landing_url(user))
    body = render_template("auth/invitation.html", form=form, user=user)
    return _no_store(body, 422 if form.errors else 200)
