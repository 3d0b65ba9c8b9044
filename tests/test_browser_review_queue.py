"""A supervisor works the review queue in a real browser: filter by status, sort by normalised score.

axe-core audits the queue with data, in blind mode and empty; screenshots at 1280 and 375 px are
written by the ``audit_and_capture`` fixture to test-artifacts/screenshots/.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from browser_support import phone_overflow, run_axe
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
    assert phone_overflow(page) == 0  # one card per application on a phone

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


SCORE_COLUMNS = ("Reviews", "Raw mean", "Normalised", "My score")

# Where an element is on screen, and whether the page or the table's own box would hide any of it.
PLACEMENT = """(element) => {
  const rect = element.getBoundingClientRect();
  const box = element.closest('.table-scroll').getBoundingClientRect();
  const style = getComputedStyle(element);
  return {left: rect.left, right: rect.right, width: rect.width, boxLeft: box.left, boxRight: box.right,
          shown: style.display !== 'none' && style.visibility !== 'hidden' && rect.width > 0 && rect.height > 0,
          text: element.innerText.trim()};
}"""


def page_overflow(page) -> int:
    return page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")


def assert_on_screen(page, locator, what: str) -> str:
    """The element is shown, and neither the page nor the table's box cuts any of it off; returns its text."""
    width = page.evaluate("() => document.documentElement.clientWidth")
    where = locator.evaluate(PLACEMENT)
    assert where["shown"], f"{what} is not shown"
    assert where["left"] >= max(0, where["boxLeft"]) - 0.5, f"{what} starts off-screen: {where}"
    assert where["right"] <= min(width, where["boxRight"]) + 0.5, f"{what} ends off-screen: {where}"
    return where["text"]


def test_at_1280_px_every_column_fits_and_the_scores_are_on_screen(
    app, live_server, page, supervisor, queue_data, audit_and_capture
):
    sign_in_browser(page, app, live_server, supervisor)
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(live_server + "/review/?sort=normalised")
    assert page_overflow(page) <= 0  # no sideways scrolling of the page
    region = page.locator(".table-scroll")
    assert region.evaluate("box => box.scrollWidth - box.clientWidth") <= 0  # nor inside the table's box

    headers = [text.replace("▼", "").strip() for text in page.locator("thead th").all_inner_texts()]
    rows = page.locator("tbody tr")
    assert rows.count() == 8
    for name in SCORE_COLUMNS:
        index = headers.index(name)
        assert_on_screen(page, page.locator("thead th").nth(index), f"the {name!r} header")
        for n in range(rows.count()):
            assert_on_screen(page, rows.nth(n).locator("th, td").nth(index), f"{name!r} of row {n + 1}")
    assert table_column(page, "Normalised")[:2] == ["5.16", "4.39"]  # the figures, not just the boxes
    assert audit_and_capture(page, "review-queue-1280") == []


def test_at_375_px_each_application_is_a_card_with_its_name_status_and_scores(
    app, live_server, page, supervisor, queue_data, audit_and_capture
):
    sign_in_browser(page, app, live_server, supervisor)
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(live_server + "/review/?sort=normalised")
    assert page_overflow(page) <= 0
    assert page.locator(".table-scroll").evaluate("box => box.scrollWidth - box.clientWidth") <= 0

    cards = page.locator("tbody tr")
    assert cards.count() == 8
    seen = []
    for n in range(cards.count()):
        card = cards.nth(n)
        name = assert_on_screen(page, card.locator("th"), f"the name on card {n + 1}")
        status = assert_on_screen(page, card.locator(".status-tag"), f"the status on card {n + 1}")
        raw, normalised = (
            assert_on_screen(page, card.locator(f"td[data-label='{label}']"), f"{label} on card {n + 1}")
            for label in ("Raw mean", "Normalised")
        )
        seen.append((name, status, raw, normalised))
    assert seen[0] == ("Person D", "Invited to interview", "3.00", "5.16")
    assert seen[-1][0] == f"Applicant {queue_data['blind'].reference} Blind review"
    assert [score.split()[0] for score in seen[-1][2:]] == ["–", "–"]  # "–" and a hidden "none yet"
    # The table's headers are not shown on a phone: each cell shows its column's name above its figure.
    labels = cards.first.locator("td").evaluate_all(
        "cells => cells.map(cell => getComputedStyle(cell, '::before').content)"
    )
    headers = page.locator("thead th").evaluate_all("ths => ths.map(th => th.innerText.replace('▼', '').trim())")
    assert [label.split(" / ")[0].strip('"') for label in labels] == [h for h in headers if h != "Applicant"]

    serious = [v for v in run_axe(page) if v["impact"] in ("serious", "critical")]
    assert serious == [], f"serious or critical accessibility violations at 375 px: {serious}"
    assert audit_and_capture(page, "review-queue-375") == []
