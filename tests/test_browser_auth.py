"""Accounts in a real browser: an emailed invitation, signing out and in, and a password reset.

Playwright drives Debian's Chromium against the app on loopback; mail goes through the outbox to a
real SMTP server (aiosmtpd). axe-core audits every page of the journey; screenshots at 1280 and
375 px are written to test-artifacts/screenshots/.
"""

from __future__ import annotations

import re

from factories import InternFactory, UserFactory
from smtp_support import mailed_link

from portal.extensions import db
from portal.services.accounts import send_invitation

NEW_PASSWORD = "tenants union summer 2026"


def assert_signed_in_as(page, live_server: str, email: str) -> None:
    page.goto(live_server + "/auth/account")
    assert page.get_by_role("heading", level=1).inner_text() == "Your account"
    assert email in page.locator("main").inner_text()


def test_an_invited_intern_sets_a_password_then_signs_out_and_in_again(
    app, live_server, page, smtp_server, audit_and_capture
):
    intern = InternFactory(email="ana@example.org", full_name="Ana Reyes", password_hash=None)
    send_invitation(intern, program_title="Fall Internship")
    db.session.commit()
    link = mailed_link(smtp_server, "/auth/invitation/")
    assert smtp_server.inbox.messages[0]["To"] == "ana@example.org"

    serious = []
    page.goto(link)
    assert page.get_by_role("heading", level=1).inner_text() == "Welcome, Ana Reyes"
    serious += audit_and_capture(page, "auth-invitation")

    # A password that is too short is explained beside the field.
    page.get_by_label("New password", exact=True).fill("short")
    page.get_by_label("Type the new password again").fill("short")
    page.get_by_role("button", name="Set my password and sign in").click()
    page.wait_for_selector(".error-summary")
    assert "Use at least 12 characters" in page.locator("#password-error").inner_text()
    serious += audit_and_capture(page, "auth-invitation-errors")

    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Type the new password again").fill(NEW_PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Set my password and sign in").click()
    assert "/auth/invitation/" not in page.url and "/auth/sign-in" not in page.url
    assert_signed_in_as(page, live_server, "ana@example.org")
    serious += audit_and_capture(page, "auth-account")

    with page.expect_navigation():
        page.locator("#main").get_by_role("button", name="Sign out").click()
    assert page.url == live_server + "/"
    assert "You are signed out" in page.locator(".flashes").inner_text()

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Sign in").click()
    page.wait_for_url(re.compile(r"/auth/sign-in$"))
    serious += audit_and_capture(page, "auth-sign-in")

    page.get_by_label("Email address").fill("ana@example.org")
    page.get_by_label("Password", exact=True).fill("not my password at all")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_selector(".error-summary")
    assert "That email and password do not match an account." in page.locator(".error-summary").inner_text()
    assert page.get_by_label("Email address").input_value() == "ana@example.org"
    assert page.get_by_label("Password", exact=True).input_value() == ""
    serious += audit_and_capture(page, "auth-sign-in-error")

    page.get_by_label("Password", exact=True).fill(NEW_PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()
    assert "/auth/sign-in" not in page.url
    assert_signed_in_as(page, live_server, "ana@example.org")

    page.goto(link)  # the invitation worked once
    assert page.get_by_role("heading", level=1).inner_text() == "This invitation link no longer works"
    serious += audit_and_capture(page, "auth-invitation-used")
    assert serious == [], f"serious or critical accessibility violations: {serious}"


def test_a_person_resets_a_forgotten_password_from_the_emailed_link(
    app, live_server, page, smtp_server, audit_and_capture
):
    UserFactory(email="ada@example.org", full_name="Ada Lovelace")
    serious = []
    page.goto(live_server + "/auth/sign-in")
    page.get_by_role("link", name="Forgotten your password?").click()
    page.wait_for_url(re.compile(r"/auth/reset$"))
    serious += audit_and_capture(page, "auth-reset-request")

    page.get_by_label("Email address").fill("ada@example.org")
    with page.expect_navigation():
        page.get_by_role("button", name="Email me a reset link").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Check your email"
    serious += audit_and_capture(page, "auth-reset-sent")

    link = mailed_link(smtp_server, "/auth/reset/")
    page.goto(link)
    assert page.get_by_role("heading", level=1).inner_text() == "Choose a new password"
    serious += audit_and_capture(page, "auth-reset-form")

    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Type the new password again").fill(NEW_PASSWORD + "!")
    page.get_by_role("button", name="Save my new password").click()
    page.wait_for_selector(".error-summary")
    page.get_by_role("link", name="The two passwords do not match").click()
    assert page.evaluate("document.activeElement.id") == "confirm"
    serious += audit_and_capture(page, "auth-reset-form-errors")

    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Type the new password again").fill(NEW_PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Save my new password").click()
    assert page.url == live_server + "/auth/sign-in"
    assert "Your password is changed" in page.locator(".flashes").inner_text()

    page.get_by_label("Email address").fill("ada@example.org")
    page.get_by_label("Password", exact=True).fill(NEW_PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()
    assert_signed_in_as(page, live_server, "ada@example.org")

    page.goto(link)
    assert page.get_by_role("heading", level=1).inner_text() == "This link no longer works"
    serious += audit_and_capture(page, "auth-reset-invalid")
    assert serious == [], f"serious or critical accessibility violations: {serious}"
