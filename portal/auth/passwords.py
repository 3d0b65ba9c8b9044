"""Password reset and invitations: both end in choosing a password through a single-use link."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user

from portal.auth.blueprint import bp
from portal.auth.forms import ResetRequestForm, SetPasswordForm
from portal.auth.sessions import account_key, landing_url, no_email_submitted
from portal.extensions import limiter
from portal.models import TokenPurpose
from portal.services import accounts, audit_log
from portal.web import no_store, transaction

#: Reset requests: per client, and per address so nobody can flood one person's mailbox.
RESET_CLIENT_LIMIT = "5 per 15 minutes"
RESET_ACCOUNT_LIMIT = "3 per hour"


@bp.route("/reset", methods=["GET", "POST"])
@limiter.limit(RESET_CLIENT_LIMIT, methods=["POST"])
@limiter.limit(RESET_ACCOUNT_LIMIT, methods=["POST"], key_func=account_key, exempt_when=no_email_submitted)
def reset_request():
    form = ResetRequestForm()
    if form.validate_on_submit():
        with transaction():
            accounts.request_password_reset(form.email.data)
        return redirect(url_for("auth.reset_sent"))
    return render_template("auth/reset_request.html", form=form), 422 if form.errors else 200


@bp.get("/reset/check-your-email")
def reset_sent():
    return render_template("auth/reset_sent.html", minutes=int(accounts.RESET_LIFETIME.total_seconds() // 60))


def _set_password_page(token: str, purpose: TokenPurpose, *, invalid: str, page: str, done, signs_in: bool = False):
    """A reset or invitation link: the form to choose a password, then ``done(user)`` once it is set
    (``signs_in``: done signs them in, so the sign-in is audited with the password, as the sign-in page does)."""
    row = accounts.usable_token(token, purpose)
    if row is None:
        return no_store((render_template(invalid), 404))
    user = row.user
    form = SetPasswordForm(email=user.email)
    if form.validate_on_submit():
        with transaction():
            accounts.set_password_with_token(row, form.password.data)
            if signs_in:
                audit_log.record_sign_in(user.email, user, address=request.remote_addr)
        return done(user)
    return no_store((render_template(page, form=form, user=user), 422 if form.errors else 200))


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    def done(user):
        if current_user.is_authenticated and current_user.id == user.id:
            logout_user()  # the session ended on the server already; tidy this browser's cookie too
        flash(
            "Your password is changed and every earlier sign-in has ended. Sign in with your new password.", "success"
        )
        return redirect(url_for("auth.login"))

    return _set_password_page(
        token, TokenPurpose.PASSWORD_RESET, invalid="auth/reset_invalid.html", page="auth/reset_password.html",
        done=done,
    )


@bp.route("/invitation/<token>", methods=["GET", "POST"])
def accept_invitation(token: str):
    def done(user):
        login_user(user)
        flash("Your password is set and you are signed in. Welcome!", "success")
        return redirect(landing_url(user))

    return _set_password_page(
        token, TokenPurpose.INVITATION, invalid="auth/invitation_invalid.html", page="auth/invitation.html",
        done=done, signs_in=True,
    )
