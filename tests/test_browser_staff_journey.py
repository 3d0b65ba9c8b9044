"""The staff issue's acceptance journey in Chromium: an admin invites a supervisor to the Fall program; the
invitation reaches a real SMTP server; the supervisor sets a password, sees that program's queue and
scores; the admin deactivates them; the supervisor's open page is signed out on its next request and
cannot sign in again; the audit log shows the invitation, the sign-in and the deactivation. axe (1280 and
375 px) on the people pages and the audit log."""

from __future__ import annotations

import re

import pytest
from factories import ApplicationFactory
from test_browser_review_queue import sign_in_browser

from portal.extensions import db
from portal.models import ApplicationStatus, Review, User
from portal.services.outbox import send_pending

PASSWORD = "union-hall-spring-2027"
pytestmark = [
    pytest.mark.app_config(WTF_CSRF_ENABLED=True),  # every form of the journey carries its token
    pytest.mark.program_settings(rubric=("Knows the neighbourhood",)),
]


def body_of(message) -> str:
    part = next(p for p in message.walk() if p.get_content_type() == "text/plain")
    return part.get_payload(decode=True).decode()


def sign_in(page, base_url: str, email: str, password: str) -> None:
    page.goto(base_url + "/auth/sign-in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def test_an_invited_supervisor_reviews_until_deactivated(
    app, live_server, page, smtp_server, admin, program, audit_and_capture
):
    ApplicationFactory(program=program, full_name="Ana Reyes", status=ApplicationStatus.IN_REVIEW)
    db.session.commit()
    sign_in_browser(page, app, live_server, admin)

    page.goto(live_server + "/admin/people")
    serious = audit_and_capture(page, "staff-people")
    page.get_by_role("link", name="Invite someone").click()
    page.get_by_label("Email address").fill("not-an-email")
    page.get_by_label("Full name").fill("Cruz Colleague")
    page.get_by_role("button", name="Send the invitation").click()
    assert page.locator("#email-error").is_visible()
    assert page.get_by_label("Full name").input_value() == "Cruz Colleague"  # nothing lost
    serious += audit_and_capture(page, "staff-invite-error")
    page.get_by_label("Email address").fill("cruz@example.org")
    page.get_by_role("group", name="Programs they review").get_by_label(program.title).check()
    page.get_by_role("group", name="Programs they supervise").get_by_label(program.title).check()
    page.get_by_role("button", name="Send the invitation").click()
    page.wait_for_url(re.compile(r"/admin/people/\d+$"))
    serious += audit_and_capture(page, "staff-person-invited")
    person_page = page.url

    # The invitation goes through the outbox to a real SMTP server.
    send_pending(sender_id="browser-test")
    [invitation] = [m for m in smtp_server.inbox.messages if m["To"] == "cruz@example.org"]
    link = re.search(r"http://127\.0\.0\.1:\d+/auth/invitation/\S+", body_of(invitation)).group(0)

    supervisor = page.context.browser.new_context().new_page()
    supervisor.goto(link)
    supervisor.get_by_label("New password", exact=True).fill(PASSWORD)
    supervisor.get_by_label("Type the new password again").fill(PASSWORD)
    supervisor.get_by_role("button", name="Set my password and sign in").click()
    supervisor.wait_for_load_state()
    supervisor.goto(live_server + "/review/")
    assert "Ana Reyes" in supervisor.locator("main").inner_text()
    supervisor.get_by_role("link", name="Ana Reyes").click()
    supervisor.get_by_role("group", name="Knows the neighbourhood").get_by_label("4", exact=True).check()
    supervisor.get_by_role("button", name="Submit my scores").click()
    supervisor.wait_for_url(re.compile(r"#reviews$"))
    cruz = db.session.scalar(db.select(User).where(User.email == "cruz@example.org"))
    assert db.session.scalar(db.select(Review).where(Review.reviewer_id == cruz.id)).submitted_at is not None

    # The admin deactivates them: the supervisor's open page is signed out at its next request.
    page.goto(person_page)
    page.get_by_role("button", name=re.compile(r"^Deactivate Cruz Colleague")).click()
    page.wait_for_load_state()
    assert "Deactivated" in page.locator("main").inner_text()
    serious += audit_and_capture(page, "staff-person-deactivated")
    supervisor.reload()
    assert "/auth/sign-in" in supervisor.url
    sign_in(supervisor, live_server, "cruz@example.org", PASSWORD)
    assert "/auth/sign-in" in supervisor.url and supervisor.locator(".error-summary").is_visible()
    supervisor.context.close()

    # The audit log tells the story, newest first.
    page.goto(live_server + "/admin/audit")
    log = page.locator("table").inner_text()
    assert "Cruz Colleague" in log
    for words in ("Signed in", "Sign-in failed"):
        assert words in log
    actions = page.locator('td[data-label="Action"]').all_inner_texts()
    invited = next(i for i, text in enumerate(actions) if "nvit" in text)
    deactivated = next(i for i, text in enumerate(actions) if "eactivat" in text)
    signed_in = next(i for i, text in enumerate(actions) if text == "Signed in")
    assert deactivated < signed_in < invited  # newest first
    serious += audit_and_capture(page, "staff-audit-log")
    assert serious == [], f"serious or critical accessibility violations: {serious}"
