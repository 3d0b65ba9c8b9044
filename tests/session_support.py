"""Signing a test client in as a user without the sign-in form, for tests about what comes after it."""

from __future__ import annotations


def sign_in(client, user) -> None:
    """Set the session cookie Flask-Login reads, as a successful sign-in would."""
    with client.session_transaction() as session:
        session["_user_id"] = user.session_token
        session["_fresh"] = True
