"""The audit log and the outbox in Chromium: an admin's own sign-in (after a mistyped password) is in the log,
a filter narrows it, a bad date range is explained beside the field; a failed email is retried. axe-core
audits each state at 1280 and 375 px (``audit_and_capture``), and neither page is wider than a phone."""

from __future__ import annotations

from datetime import timedelta

from browser_support import phone_overflow
from factories import TEST_PASSWORD, ApplicationFactory, AuditEventFactory, OutboxMessageFactory

from portal.database import utcnow
from portal.extensions import db
from portal.models import OutboxStatus

TOKEN = "Browser0nlyPrivateToken_55"


def sign_in_through_the_form(page, base_url: str, email: str, password: str) -> None:
    page.goto(f"{base_url}/auth/sign-in")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_the_audit_log_filters_and_explains_a_bad_date(app, live_server, page, admin, supervisor, program,
                                                       audit_and_capture):
    application = ApplicationFactory(program=program)
    AuditEventFactory(
        actor=supervisor,
        action="application.status_changed",
        target_type="application",
        target_id=application.id,
        from_state="in_review",
        to_state="declined",
        reason="Not available on Tuesdays",
        details={"before": {"status": "in_review"}, "after": {"status": "declined"}},
        at=utcnow() - timedelta(days=1),
    )
    db.session.commit()
    sign_in_through_the_form(page, live_server, admin.email, "not the password at all")
    sign_in_through_the_form(page, live_server, admin.email, TEST_PASSWORD)
    page.goto(f"{live_server}/admin/audit")
    assert page.get_by_role("heading", name="Audit log", level=1).is_visible()
    actions = page.locator('.audit-table td[data-label="Action"]')
    assert actions.all_inner_texts() == ["Signed in", "Sign-in failed", "Application status changed"]
    serious = audit_and_capture(page, "admin-audit-log")
    assert phone_overflow(page) == 0

    page.get_by_label("Action").select_option(label="Sign-in failed")
    page.get_by_role("button", name="Show").click()
    assert actions.all_inner_texts() == ["Sign-in failed"]
    assert page.locator('.audit-table td[data-label="Who"]').inner_text() == admin.email
    assert page.get_by_label("Action").input_value() == "auth.sign_in_failed"  # the filter stays chosen
    serious += audit_and_capture(page, "admin-audit-log-filtered")

    page.get_by_role("link", name="Clear all filters").click()
    page.get_by_label("From").fill("2026-09-10")
    page.get_by_label("To", exact=True).fill("2026-09-01")
    page.get_by_role("button", name="Show").click()
    assert "on or after the start date" in page.locator("#date_to-error").inner_text()
    assert page.get_by_label("To", exact=True).input_value() == "2026-09-01"  # what was typed is kept
    assert page.locator(".error-summary").is_visible()
    serious += audit_and_capture(page, "admin-audit-log-error")
    assert phone_overflow(page) == 0

    page.locator(".error-summary a").click()  # the summary takes the keyboard to the field
    assert page.evaluate("document.activeElement.id") == "date_to"
    assert serious == [], f"serious or critical accessibility violations: {serious}"


def test_the_outbox_shows_failures_without_bodies_and_retries(app, live_server, page, admin, audit_and_capture):
    from test_browser_review_queue import sign_in_browser

    for _ in range(2):
        OutboxMessageFactory(status=OutboxStatus.SENT, sent_at=utcnow())
    OutboxMessageFactory(
        recipient="mistyped@exmaple.org",
        subject="You are invited to the internship portal",
        status=OutboxStatus.FAILED,
        attempts=1,
        last_error="recipient refused: 550 5.1.1 <mistyped@exmaple.org>: no such user",
        text_body=f"Set your password: http://portal.test/auth/invitation/{TOKEN}",
    )
    db.session.commit()
    sign_in_browser(page, app, live_server, admin)
    page.goto(f"{live_server}/admin/outbox")
    assert page.locator(".outbox-counts li").all_inner_texts() == ["0\nqueued", "0\nbeing sent", "2\nsent",
                                                                   "1\nfailed"]
    assert "no such user" in page.locator(".outbox-table").inner_text()
    assert TOKEN not in page.content()
    serious = audit_and_capture(page, "admin-outbox")
    assert phone_overflow(page) == 0

    page.get_by_role("button", name="Retry the email to mistyped@exmaple.org").click()
    assert "The email is queued again" in page.locator(".flash").inner_text()
    assert page.locator(".empty-state").inner_text() == "No message has failed."
    serious += audit_and_capture(page, "admin-outbox-retried")
    assert serious == [], f"serious or critical accessibility violations: {serious}"
