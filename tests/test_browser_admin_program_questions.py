"""The question builder and the applicant's form in Chromium: an admin adds a choice question and a required
long text, an applicant sees them, is told what is missing beside each one, fills them and is sent on;
axe at 1280 and 375 px on the builder and the form."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from browser_support import phone_overflow
from documents import MINIMAL_PDF
from sqlalchemy import select
from test_browser_review_queue import sign_in_browser

from portal.extensions import db
from portal.models import Application, ApplicationQuestion


@pytest.fixture
def resume_file(tmp_path):
    path = tmp_path / "resume.pdf"
    path.write_bytes(MINIMAL_PDF)
    return path


def fill_fixed_part(page, resume_file) -> None:
    """The part of the form every program asks."""
    page.get_by_label("Full name").fill("Ana Reyes")
    page.get_by_label("Email address").fill("ana@example.org")
    page.get_by_label("City where you live").fill("Queens")
    page.get_by_label("No, I am not a student").check()
    page.get_by_label("Hours a week you can commit").fill("20")
    page.get_by_label("Earliest start date").fill((date.today() + timedelta(days=7)).isoformat())
    page.get_by_label("Number of weeks you are available").fill("12")
    page.get_by_label("Resume", exact=True).set_input_files(str(resume_file))


def test_an_admin_builds_questions_and_an_applicant_answers_them(
    app, live_server, page, admin, program, resume_file, audit_and_capture
):
    sign_in_browser(page, app, live_server, admin)
    page.goto(f"{live_server}/admin/programs/{program.id}/questions")
    serious = audit_and_capture(page, "admin-program-questions-empty")
    assert phone_overflow(page) == 0

    page.get_by_label("One choice").check()
    page.get_by_label("Question", exact=True).fill("Which campaign interests you most?")
    page.get_by_role("button", name="Add the question").click()
    assert "Give at least two options" in page.locator("#options-error").inner_text()  # no options yet
    assert page.get_by_label("Question", exact=True).input_value() == "Which campaign interests you most?"
    serious += audit_and_capture(page, "admin-program-questions-error")
    page.get_by_label("Options, one per line").fill("Tenant organizing\nWorker centers\nClimate jobs")
    page.get_by_role("button", name="Add the question").click()
    assert "Added the question" in page.locator(".flashes").inner_text()

    page.get_by_label("Long text").check()
    page.get_by_label("Question", exact=True).fill("What would you like to learn with us?")
    page.get_by_label("Applicants must answer this question").check()
    page.get_by_label("Word limit").fill("50")
    page.get_by_role("button", name="Add the question").click()
    items = page.locator("#questions > li .item__name")
    assert items.all_inner_texts() == ["Which campaign interests you most?", "What would you like to learn with us?"]
    serious += audit_and_capture(page, "admin-program-questions")
    assert phone_overflow(page) == 0

    page.context.clear_cookies()
    page.goto(f"{live_server}/programs/{program.slug}/apply")
    section = page.locator("section[aria-labelledby=section-questions]")
    assert section.get_by_role("group", name="Which campaign interests you most? (optional)").is_visible()
    essay = page.get_by_label("What would you like to learn with us?")
    assert "Up to 50 words." in page.locator(f"#{essay.get_attribute('id')}-hint").inner_text()
    serious += audit_and_capture(page, "apply-with-questions")
    assert phone_overflow(page) == 0

    fill_fixed_part(page, resume_file)
    page.get_by_role("button", name="Send my application").click()
    essay_id = essay.get_attribute("id")
    assert page.locator(f"#{essay_id}-error").inner_text().endswith("Answer this question")
    page.locator(".error-summary").get_by_role("link", name="Answer this question").click()
    assert page.evaluate("() => document.activeElement.id") == essay_id  # the summary takes you there
    serious += audit_and_capture(page, "apply-with-questions-error")

    page.get_by_label("What would you like to learn with us?").fill("How a campaign wins, from the first meeting on.")
    page.get_by_label("Worker centers").check()
    page.get_by_label("Resume", exact=True).set_input_files(str(resume_file))
    page.get_by_role("button", name="Send my application").click()
    page.wait_for_url("**/apply/submitted")
    assert "your application is sent" in page.locator("main").inner_text()

    db.session.expire_all()
    application = db.session.scalar(select(Application))
    answers = {answer.question.label: answer.text for answer in application.answers}
    assert answers == {
        "Which campaign interests you most?": "Worker centers",
        "What would you like to learn with us?": "How a campaign wins, from the first meeting on.",
    }
    assert db.session.scalar(select(ApplicationQuestion.key).where(ApplicationQuestion.required)) == (
        "what_would_you_like_to_learn_with_us"
    )
    assert serious == [], f"serious or critical accessibility violations: {serious}"
