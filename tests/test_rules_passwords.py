"""The one password rule the set-password forms and ``flask create-user`` share (no app needed)."""

from __future__ import annotations

import pytest

from portal.rules.passwords import COMMON_PASSWORD, MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, password_problem


@pytest.mark.parametrize(
    "password, email, problem",
    [
        ("", "", "Enter a new password"),
        (None, "", "Enter a new password"),
        ("x" * (MIN_PASSWORD_LENGTH - 1), "", f"Use at least {MIN_PASSWORD_LENGTH} characters"),
        ("x" * (MAX_PASSWORD_LENGTH + 1), "", f"Use at most {MAX_PASSWORD_LENGTH} characters"),
        (" " * MIN_PASSWORD_LENGTH, "", "Enter a new password, not only spaces"),
        (" Ada@Example.org ", "ada@example.org", "Choose a password that is not your email address"),
        ("x" * MIN_PASSWORD_LENGTH, "", "Use more than one character repeated"),
        ("password1234", "", COMMON_PASSWORD),
        ("xy" * (MIN_PASSWORD_LENGTH // 2), "", None),
        ("xy" * (MAX_PASSWORD_LENGTH // 2), "", None),
        ("tenants union summer 2026", "ada@example.org", None),
    ],
)
def test_password_problem_names_the_first_rule_broken(password, email, problem):
    assert password_problem(password, email=email) == problem


def test_a_password_equal_to_some_email_is_fine_when_no_account_email_is_given():
    assert password_problem("someone@example.org") is None
