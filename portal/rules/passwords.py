"""The password rule, in one place: the set-password forms and ``flask create-user`` both ask it.

``common_passwords.txt`` is the "passwords" frequency list of zxcvbn (30,000 passwords most often
found in breaches, lower-cased; from the zxcvbn 4.5.0 package on PyPI, MIT licence).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

MIN_PASSWORD_LENGTH = 12
#: Longest password accepted; argon2 hashes any length, this only bounds the work per request.
MAX_PASSWORD_LENGTH = 256
COMMON_PASSWORDS_FILE = Path(__file__).with_name("common_passwords.txt")
COMMON_PASSWORD = "Choose a less common password: this one is on the lists attackers try first"  # noqa: S105 (a message, not a password)
REPEATED_CHARACTER = "Use more than one character repeated"


@cache
def common_passwords() -> frozenset[str]:
    """The bundled list of breached passwords, read once per process."""
    return frozenset(COMMON_PASSWORDS_FILE.read_text(encoding="utf-8").split())


def is_common(password: str) -> bool:
    """True when the password, whatever its case and surrounding spaces, is on the bundled list."""
    return password.strip().lower() in common_passwords()


def password_problem(password: str | None, *, email: str = "") -> str | None:
    """What is wrong with ``password`` for the account ``email``, as one sentence; None when it is fine.

    One message at a time, the first rule broken: given, at least ``MIN_PASSWORD_LENGTH`` characters,
    at most ``MAX_PASSWORD_LENGTH``, not only spaces, not the account's own email address, not one
    character repeated ("aaaaaaaaaaaa"), and not on the bundled list of common passwords.
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
    if len(set(value.strip().lower())) == 1:
        return REPEATED_CHARACTER
    if is_common(value):
        return COMMON_PASSWORD
    return None
