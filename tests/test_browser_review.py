"""A supervisor's journey in a real browser: sign in, filter the queue, score, see the others'
scores appear, accept, and the invitation reaches the applicant at a real SMTP server. Blind mode
hides the name on screen. axe-core audits the application page."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from factories import TEST_PASSWORD, ApplicationFactory, ReviewFactory, ScoreFactory, UserFactory

from portal.extensions import db
from portal.models import ApplicationStatus, Placement
from portal.services.outbox import send_pending

# The shared ``program``, titled "Fall Internship", with three places and a rubric of two criteria.
pytestmark = pytest.mark.program_settings(title="Fall Internship", places=3, rubric=("Current events", "Organised"))


@pytest.fixture
def people(program, supervisor):
    """The shared supervisor and a colleague, both reviewing the program."""
    colleague = UserFactory(email="cruz@example.org", full_name="Colleague Cruz")
    program.reviewers.append(colleague)
    db.session.commit()
    return supervisor, colleague


def sign_in(page, base_url: str, email: str) -> None:
    page.goto(base_url + "/auth/sign-in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/review/"))


def test_a_supervisor_scores_sees_others_accepts_and_the_invitation_arrives(
    app, live_server, page, smtp_server, program, people, audit_and_capture
):
    supervisor, colleague = people
    ana = ApplicationFactory(
        program=program,
        full_name="Ana Reyes",
        email="ana@example.org",
        status=ApplicationStatus.IN_REVIEW,
        hours_per_week=26,
        seeks_stipend=True,
        earliest_start=date.today() + timedelta(days=7),
    )
    ApplicationFactory(program=program, full_name="Ben Submitted", status=ApplicationStatus.SUBMITTED)
    review = ReviewFactory(application=ana, reviewer=colleague, comment="Organised and bold", submitted_at=None)
    for criterion in program.rubric:
        ScoreFactory(review=review, criterion=criterion, value=4)
    review.submitted_at = review.created_at
    db.session.commit()

    sign_in(page, live_server, supervisor.email)
    page.get_by_label("Status", exact=True).select_option(label="In review")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url(re.compile(r"status=in_review"))
    table = page.locator("table.queue-table")
    assert "Ana Reyes" in table.inner_text() and "Ben Submitted" not in table.inner_text()

    page.get_by_role("link", name="Ana Reyes").click()
    page.wait_for_url(re.compile(r"/review/applications/\d+$"))
    assert "Colleague Cruz" not in page.content()  # hidden until I score
    assert page.get_by_text("1 other reviewer has scored this application").is_visible()
    serious = audit_and_capture(page, "review-application")

    for criterion in program.rubric:
        page.get_by_role("group", name=criterion.name).get_by_label("5 – outstanding").check()
    page.get_by_label("Overall comment").fill("Ready to start.")
    page.get_by_role("button", name="Submit my scores").click()
    page.wait_for_url(re.compile(r"#reviews$"))
    reviews = page.locator("#reviews")
    assert "Colleague Cruz" in reviews.inner_text() and "Organised and bold" in reviews.inner_text()
    serious += audit_and_capture(page, "review-application-scored")

    page.get_by_role("button", name="Accept").click()
    page.wait_for_load_state()
    assert "emailed an invitation" in page.locator(".flashes").inner_text()
    assert "Accepted" in page.locator(".lead").inner_text()

    send_pending(sender_id="browser-test")
    subjects = {message["Subject"]: message for message in smtp_server.inbox.messages}
    invitation = next(message for subject, message in subjects.items() if "set up your account" in subject)
    assert invitation["To"] == "ana@example.org"
    body = next(p for p in invitation.walk() if p.get_content_type() == "text/plain").get_payload(decode=True).decode()
    assert re.search(r"http://127\.0\.0\.1:\d+/auth/invitation/\S+", body)
    assert db.session.scalar(db.select(Placement.stipend_eligible)) is True
    assert serious == [], serious


def test_blind_mode_hides_the_name_on_screen(app, live_server, page, program, people, audit_and_capture):
    supervisor, _ = people
    program.blind_review = True
    application = ApplicationFactory(program=program, full_name="Ana Reyes", email="ana@example.org")
    db.session.commit()
    sign_in(page, live_server, supervisor.email)
    assert "Ana Reyes" not in page.content()
    assert f"Applicant {application.reference}" in page.locator("table.queue-table").inner_text()
    page.get_by_role("link", name=f"Applicant {application.reference}").click()
    page.wait_for_url(re.compile(r"/review/applications/\d+$"))
    assert page.get_by_role("heading", level=1).inner_text() == f"Applicant {application.reference}"
    assert "Ana Reyes" not in page.content() and "ana@example.org" not in page.content()
    assert audit_and_capture(page, "review-application-blind") == []
