"""Staff in Chromium: an admin invites a supervisor to the Fall program (an existing email refused beside the
field first); the invitation reaches a real SMTP server; the supervisor sets a password, sees that program's
queue and scores; the admin deactivates them and the supervisor's open page is signed out on its next request
and cannot sign in again. axe at 1280 and 375 px on the people list, the invite form with its error, the
person page (with a copied link) and the program's People tab."""

from __future__ import annotations

import re

import pytest
from browser_support import phone_overflow
from factories import ApplicationFactory, UserFactory
from smtp_support import mailed_link
from sqlalchemy import select
from test_browser_review_queue import sign_in_browser

from portal.extensions import db
from portal.models import AuditEvent, Review, User

NEW_PASSWORD = "tenants union summer 2026"

pytestmark = [
    pytest.mark.program_settings(title="Fall Internship", rubric=("Current events", "Organised")),
    pytest.mark.app_config(WTF_CSRF_ENABLED=True),  # every form and button carries its token
]


def test_an_invited_supervisor_scores_and_is_then_deactivated(
    app, live_server, page, browser, admin, program, smtp_server, audit_and_capture
):
    ApplicationFactory(program=program, full_name="Ana Applicant")
    taken = UserFactory(email="taken@example.org", full_name="Already Here")
    sign_in_browser(page, app, live_server, admin)

    page.goto(f"{live_server}/admin/people")
    serious = audit_and_capture(page, "admin-people")
    assert phone_overflow(page) == 0
    page.get_by_role("link", name="Invite someone").click()
    page.get_by_label("Email address").fill("taken@example.org")
    page.get_by_label("Full name").fill("Rosa Parks")
    page.get_by_role("group", name="Programs they review").get_by_label("Fall Internship").check()
    page.get_by_role("button", name="Send the invitation").click()
    assert "There is already an account for this email." in page.locator("#email-error").inner_text()
    assert page.get_by_label("Full name").input_value() == "Rosa Parks"  # nothing lost
    assert page.get_by_role("group", name="Programs they review").get_by_label("Fall Internship").is_checked()
    assert page.get_by_role("link", name="Go to the person who has this email").get_attribute("href") == (
        f"/admin/people/{taken.id}"
    )
    serious += audit_and_capture(page, "admin-people-invite-error")

    page.get_by_label("Email address").fill("rosa@example.org")
    page.get_by_role("group", name="Programs they supervise").get_by_label("Fall Internship").check()
    page.get_by_role("button", name="Send the invitation").click()
    page.wait_for_url(re.compile(r"/admin/people/\d+$"))
    assert "Rosa Parks is invited" in page.locator(".flashes").inner_text()
    assert "Invited — invitation pending" in page.locator(".person-facts").inner_text()
    serious += audit_and_capture(page, "admin-person")
    link = mailed_link(smtp_server, "/auth/invitation/")

    # The supervisor, in a browser of their own.
    theirs = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US", bypass_csp=True)
    rosa_page = theirs.new_page()
    rosa_page.set_default_timeout(10_000)
    rosa_page.goto(link)
    rosa_page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    rosa_page.get_by_label("Type the new password again").fill(NEW_PASSWORD)
    rosa_page.get_by_role("button", name="Set my password and sign in").click()
    rosa_page.wait_for_url(re.compile(r"/review/$"))
    rosa_page.get_by_role("link", name="Ana Applicant").click()
    rosa_page.wait_for_url(re.compile(r"/review/applications/\d+$"))
    for criterion in program.rubric:
        rosa_page.get_by_role("group", name=criterion.name).get_by_label("4").check()
    rosa_page.get_by_role("button", name="Submit my scores").click()
    rosa_page.wait_for_url(re.compile(r"#reviews$"))
    rosa = db.session.scalar(select(User).where(User.email == "rosa@example.org"))
    assert db.session.scalar(select(Review.reviewer_id).where(Review.submitted_at.is_not(None))) == rosa.id

    page.reload()
    page.get_by_role("button", name="Deactivate Rosa Parks").click()
    page.wait_for_load_state()
    assert "Rosa Parks is deactivated" in page.locator(".flashes").inner_text()
    assert "Deactivated" in page.locator(".person-facts").inner_text()

    rosa_page.get_by_role("link", name="Review", exact=True).click()  # her open page's next request
    rosa_page.wait_for_url(re.compile(r"/auth/sign-in"))
    rosa_page.get_by_label("Email address").fill("rosa@example.org")
    rosa_page.get_by_label("Password", exact=True).fill(NEW_PASSWORD)
    rosa_page.get_by_role("button", name="Sign in").click()
    assert "That email and password do not match an account." in rosa_page.locator("main").inner_text()
    theirs.close()

    db.session.expire_all()
    actions = set(db.session.scalars(select(AuditEvent.action).where(AuditEvent.target_id == rosa.id)))
    assert {"staff.invited", "user.invitation_accepted", "staff.deactivated"} <= actions
    assert serious == [], f"serious or critical accessibility violations: {serious}"


def test_a_copied_link_and_the_program_people_tab_are_accessible(
    app, live_server, page, admin, program, supervisor, audit_and_capture
):
    invited = UserFactory(email="rosa@example.org", full_name="Rosa Parks", password_hash=None)
    sign_in_browser(page, app, live_server, admin)
    page.goto(f"{live_server}/admin/people/{invited.id}")
    page.get_by_role("button", name="Show a new link to copy").click()
    field = page.get_by_label("Invitation link for Rosa Parks")
    assert re.match(rf"{live_server}/auth/invitation/\S+$", field.input_value())
    assert field.get_attribute("readonly") is not None
    serious = audit_and_capture(page, "admin-person-copied-link")
    assert phone_overflow(page) == 0

    page.get_by_role("radio", name=re.compile("^Admin")).check()
    page.get_by_role("button", name="Save the role").click()
    assert "Rosa Parks is now an Admin." in page.locator(".flashes").inner_text()

    page.goto(f"{live_server}/admin/programs/{program.id}/people")
    serious += audit_and_capture(page, "admin-program-people")
    assert phone_overflow(page) == 0
    page.get_by_label("Add a supervisor").select_option(label="Rosa Parks (rosa@example.org)")
    page.get_by_role("button", name="Add as a supervisor").click()
    assert "Rosa Parks is now a supervisor of Fall Internship." in page.locator(".flashes").inner_text()
    page.get_by_role("button", name="Remove Sam Supervisor as a reviewer").click()
    assert "Sam Supervisor is no longer a reviewer" in page.locator(".flashes").inner_text()
    assert page.locator("#reviewers .staff-list").count() == 0
    serious += audit_and_capture(page, "admin-program-people-changed")
    assert serious == [], f"serious or critical accessibility violations: {serious}"
