"""The password rule, in one place: the set-password forms and ``flask create-user`` both ask it."""

from __future__ import annotations

MIN_PASSWORD_LENGTH = 12
#: Longest password accepted; argon2 hashes any length, this only bounds the work per request.
MAX_PASSWORD_LENGTH = 256


def password_problem(password: str | None, *, email: str = "") -> str | None:
    """What is wrong with ``password`` for the account ``email``, as one sentence; None when it is fine.

    One message at a time, the first rule broken: given, at least ``MIN_PASSWORD_LENGTH`` characters,
    at most ``MAX_PASSWORD_LENGTH``, not only spaces, and not the account's own email address.
    """
    value = password or ""
    if not value:
        return "Enter a new password"
    if len(value) < MIN_PASSWORD_LENGTH:
        return f"Use at least {MIN_PASSWORD_LENGTH} characters"
    if len(value) > MAX_PASSWORD_LENGTH:
        return f"Use at most {MAX_PASSWORD_LENGTH} characters"
    if not value.strip():
        return "Enter a new password, not only spaces"
    if email and value.strip().lower() == email.strip().lower():
        return "Choose a password that is not your email address"
    return None
