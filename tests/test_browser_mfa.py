"""Two-step sign-in in a real browser: a supervisor who must have it sets it up, then signs in with a code.

"Scanning" the QR code is what the app would do with the key printed below it: the test reads that key
and computes the codes with pyotp. axe-core audits the set-up page, its error state, the recovery
codes, and the code step with its error, at 1280 and 375 px.
"""

from __future__ import annotations

import re
import time

import pyotp
import pytest
from factories import TEST_PASSWORD, UserFactory

from portal.extensions import db

pytestmark = pytest.mark.app_config(MFA_REQUIRED_FOR_STAFF=True)


def sign_in_with_password(page, live_server: str, email: str) -> None:
    page.goto(live_server + "/auth/sign-in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(TEST_PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()


def test_a_supervisor_sets_up_two_step_sign_in_and_signs_in_with_a_code(app, live_server, page, audit_and_capture):
    UserFactory(email="sam@example.org", full_name="Sam Supervisor")
    db.session.commit()
    serious = []

    sign_in_with_password(page, live_server, "sam@example.org")
    assert page.url.endswith("/auth/two-step/set-up")
    assert page.get_by_role("heading", level=1).inner_text() == "Set up two-step sign-in"
    assert page.locator(".mfa-qr svg").count() == 1
    # Before enrolling there is no session: a staff page asks to sign in; the set-up page is still there.
    page.goto(live_server + "/review/")
    assert "/auth/sign-in" in page.url
    page.goto(live_server + "/auth/two-step/set-up")
    serious += audit_and_capture(page, "auth-mfa-enrol")

    secret = page.locator("#mfa-secret").inner_text().strip()
    assert re.fullmatch(r"[A-Z2-7]{32}", secret)
    page.get_by_label("Code", exact=True).fill("000000")
    page.get_by_role("button", name="Turn on two-step sign-in").click()
    page.wait_for_selector(".error-summary")
    assert "That code is not right" in page.locator("#code-error").inner_text()
    assert page.locator("#mfa-secret").inner_text().strip() == secret  # the same key: the app needs no rescan
    serious += audit_and_capture(page, "auth-mfa-enrol-error")

    page.get_by_label("Code", exact=True).fill(pyotp.TOTP(secret).now())
    with page.expect_navigation():
        page.get_by_role("button", name="Turn on two-step sign-in").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Two-step sign-in is on"
    codes = [c.strip() for c in page.locator(".recovery-codes code").all_inner_texts()]
    assert len(codes) == 10
    serious += audit_and_capture(page, "auth-mfa-recovery-codes")
    with page.expect_navigation():
        page.get_by_role("link", name="I have saved them, continue").click()
    assert page.url.endswith("/review/")

    page.goto(live_server + "/auth/account")
    with page.expect_navigation():
        page.locator("#main").get_by_role("button", name="Sign out").click()

    sign_in_with_password(page, live_server, "sam@example.org")
    assert page.url.endswith("/auth/two-step")
    serious += audit_and_capture(page, "auth-mfa-code")
    page.get_by_label("Code", exact=True).fill("123456")
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_selector(".error-summary")
    assert "That code is not right" in page.locator("#code-error").inner_text()
    serious += audit_and_capture(page, "auth-mfa-code-error")

    page.get_by_label("Code", exact=True).fill(pyotp.TOTP(secret).at(time.time() + 30))  # the next step: not yet used
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in", exact=True).click()
    assert page.url.endswith("/review/")
    assert serious == [], f"serious or critical accessibility violations: {serious}"
