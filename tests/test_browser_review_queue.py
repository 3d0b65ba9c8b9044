"""A supervisor works the review queue in a real browser: filter by status, sort by normalised score.

axe-core audits the queue with data, in blind mode and empty; screenshots at 1280 and 375 px are
written by the ``audit_and_capture`` fixture to test-artifacts/screenshots/.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from browser_support import phone_overflow
from factories import (
    ApplicationFactory,
    ProgramFactory,
    ReviewFactory,
    RubricCriterionFactory,
    ScoreFactory,
    UserFactory,
)

from portal.database import utcnow
from portal.models import ApplicationStatus


def sign_in_browser(page, app, base_url: str, user) -> None:
    """Give the browser the session cookie Flask-Login would set on signing in."""
    serializer = app.session_interface.get_signing_serializer(app)
    cookie = serializer.dumps({"_user_id": user.session_token, "_fresh": True})
    page.context.add_cookies([{"name": app.config["SESSION_COOKIE_NAME"], "value": cookie, "url": base_url}])


@pytest.fixture
def supervisor(app):
    return UserFactory(full_name="Sam Supervisor")


@pytest.fixture
def queue_data(app, supervisor):
    """A program where a lenient and a strict reviewer disagree, and a blind program."""
    program = ProgramFactory(title="Fall Organizing", reviewers=[supervisor])
    blind = ProgramFactory(title="Blind Fellowship", blind_review=True, reviewers=[supervisor])
    lenient, strict = UserFactory(), UserFactory()
    criterion = RubricCriterionFactory(program=program)
    base = utcnow() - timedelta(days=10)
    statuses = {"D": ApplicationStatus.INTERVIEW, "E": ApplicationStatus.INTERVIEW, "F": ApplicationStatus.IN_REVIEW}
    apps = {
        key: ApplicationFactory(
            program=program,
            full_name=f"Person {key}",
            submitted_at=base + timedelta(days=day),
            status=statuses.get(key, ApplicationStatus.SUBMITTED),
            wants_credit=day % 2 == 0,
        )
        for day, key in enumerate("ABCDEFG")
    }
    for reviewer, values in ((lenient, {"A": 5, "B": 5, "C": 4}), (strict, {"D": 3, "E": 1, "F": 2})):
        for key, value in values.items():
            review = ReviewFactory(application=apps[key], reviewer=reviewer, submitted_at=utcnow())
            ScoreFactory(review=review, criterion=criterion, value=value)
    apps["blind"] = ApplicationFactory(program=blind, full_name="Rosa Hidden", email="rosa@example.org")
    return apps


def table_column(page, header: str) -> list[str]:
    headers = [text.replace("▼", "").strip() for text in page.locator("thead th").all_inner_texts()]
    index = headers.index(header)
    return [row.locator("th, td").nth(index).inner_text().strip() for row in page.locator("tbody tr").all()]


def test_a_supervisor_filters_by_status_and_sorts_by_normalised_score(
    app, live_server, page, supervisor, queue_data, audit_and_capture
):
    sign_in_browser(page, app, live_server, supervisor)
    serious = []
    page.goto(live_server + "/review/")
    assert page.get_by_role("heading", level=1).inner_text() == "Review queue"
    assert page.locator(".queue-summary").inner_text() == "Showing 1–8 of 8 applications"
    assert f"Applicant {queue_data['blind'].reference}" in page.locator("tbody").inner_text()
    assert "Rosa Hidden" not in page.content()
    serious += audit_and_capture(page, "review-queue")
    assert phone_overflow(page) == 0  # the table scrolls inside its own box on a phone

    # Filter by status through the form.
    page.get_by_label("Status", exact=True).select_option(label="Invited to interview")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url(re.compile(r"status=interview"))
    assert set(table_column(page, "Status")) == {"Invited to interview"}
    assert table_column(page, "Applicant") == ["Person E", "Person D"]  # newest first
    assert page.get_by_label("Status", exact=True).input_value() == "interview"  # the form keeps the choice

    # Back to every status, then sort by the normalised score with the column header's link.
    page.get_by_role("link", name=re.compile(r"^Any status")).click()
    page.wait_for_url(re.compile(r"/review/$"))
    page.get_by_role("link", name="Normalised", exact=True).click()
    page.wait_for_url(re.compile(r"sort=normalised"))
    assert table_column(page, "Applicant")[:6] == [
        "Person D",
        "Person A",
        "Person B",
        "Person F",
        "Person E",
        "Person C",
    ]
    assert page.locator('th[aria-sort="descending"]').inner_text().startswith("Normalised")
    serious += audit_and_capture(page, "review-queue-sorted")

    # The CSV link keeps the sort.
    assert page.get_by_role("link", name="Download CSV").get_attribute("href") == "/review/export.csv?sort=normalised"
    assert serious == [], f"serious or critical accessibility violations: {serious}"


def test_the_blind_queue_and_the_empty_queue_are_accessible(
    app, live_server, page, supervisor, queue_data, audit_and_capture
):
    sign_in_browser(page, app, live_server, supervisor)
    blind_id = queue_data["blind"].program_id
    page.goto(live_server + "/review/")
    page.get_by_label("Program", exact=True).select_option(label="Blind Fellowship")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url(re.compile(rf"program={blind_id}"))
    assert table_column(page, "Applicant") == [f"Applicant {queue_data['blind'].reference} Blind review"]
    assert "not searched by name or email" in page.locator("#q-hint").inner_text()
    serious = audit_and_capture(page, "review-queue-blind")

    page.get_by_label("Search by name or email").fill("Rosa")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url(re.compile(r"q=Rosa"))
    assert page.get_by_text("No applications match these filters.").is_visible()
    serious += audit_and_capture(page, "review-queue-empty")
    assert serious == [], f"serious or critical accessibility violations: {serious}"


def test_the_results_table_can_be_scrolled_with_the_keyboard(app, live_server, page, supervisor, queue_data):
    sign_in_browser(page, app, live_server, supervisor)
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(live_server + "/review/")
    region = page.get_by_role("region", name=re.compile(r"^Applications, newest first"))
    region.focus()
    assert page.evaluate("document.activeElement.classList.contains('table-scroll')")
    before = region.evaluate("element => element.scrollLeft")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    page.wait_for_function("() => document.querySelector('.table-scroll').scrollLeft > 0")
    assert region.evaluate("element => element.scrollLeft") > before
