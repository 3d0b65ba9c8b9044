"""A person applies in a real browser: posting → form → confirmation → email → status → withdraw.

Playwright drives Debian's Chromium against the app on loopback; mail goes through the outbox to a
real SMTP server (aiosmtpd). axe-core audits each page; screenshots at 1280 and 375 px are written
to test-artifacts/screenshots/.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from browser_support import SCREENSHOT_DIR
from documents import MINIMAL_PDF
from factories import ProgramFactory
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Application, ApplicationStatus
from portal.services.demo import build_demo_program
from portal.services.outbox import send_pending
from portal.services.questions import field_name


@pytest.fixture
def demo_program(app, admin):
    program = build_demo_program(date.today(), admin)
    db.session.commit()
    return program


@pytest.fixture
def resume_file(tmp_path):
    path = tmp_path / "Ana Reyes resume.pdf"
    path.write_bytes(MINIMAL_PDF)
    return path


def start_date() -> date:
    return date.today() + timedelta(days=7)


def fill_application(page, resume_file, *, hours: str = "20") -> None:
    page.get_by_label("Full name").fill("Ana Reyes")
    page.get_by_label("Email address").fill("ana@example.org")
    page.get_by_label("City where you live").fill("Queens")
    page.get_by_label("Yes, I am a student").check()
    page.locator("input#school").fill("Hunter College")
    page.get_by_label("Hours a week you can commit").fill(hours)
    page.get_by_label("Earliest start date").fill(start_date().isoformat())
    page.get_by_label("Number of weeks you are available").fill("12")
    page.get_by_label("Why do you want this internship?").fill("To learn digital organizing.")
    page.get_by_label("How do you follow current events and use social media?").fill("Local news and Mastodon.")
    page.get_by_label("Tell us about a time you organised yourself around deadlines.").fill("A teach-in.")
    page.get_by_label("Tell us about a time you were bold or thought outside the box.").fill("A phone bank.")
    page.get_by_label("Resume", exact=True).set_input_files(str(resume_file))


def test_a_person_applies_follows_the_emailed_link_and_withdraws(
    app, live_server, page, smtp_server, demo_program, resume_file, audit_and_capture
):
    serious = []
    page.goto(live_server + "/")
    serious += audit_and_capture(page, "home")
    page.get_by_role("link", name=demo_program.title).first.click()
    page.wait_for_url(re.compile(r"/programs/"))
    assert page.get_by_role("heading", level=1).inner_text() == demo_program.title
    serious += audit_and_capture(page, "posting")

    page.get_by_role("link", name="Apply for this internship").first.click()
    page.wait_for_url(re.compile(r"/apply$"))
    serious += audit_and_capture(page, "form-empty")

    # First attempt: 10 hours a week, below the program's minimum.
    fill_application(page, resume_file, hours="10")
    page.get_by_role("button", name="Send my application").click()
    page.wait_for_selector(".error-summary")
    assert page.locator("#hours_per_week-error").inner_text().endswith("The minimum commitment is 15 hours a week")
    assert page.get_by_label("Full name").input_value() == "Ana Reyes"  # nothing typed is lost
    serious += audit_and_capture(page, "form-errors")
    page.get_by_role("link", name="The minimum commitment is 15 hours a week").click()
    assert page.evaluate("document.activeElement.id") == "hours_per_week"

    page.get_by_label("Hours a week you can commit").fill("20")
    page.get_by_label("Resume", exact=True).set_input_files(str(resume_file))
    page.get_by_role("button", name="Send my application").click()
    page.wait_for_url(re.compile(r"/apply/submitted$"))
    assert "your application is sent" in page.get_by_role("heading", level=1).inner_text()
    serious += audit_and_capture(page, "confirmation")

    report = send_pending(sender_id="browser-test")
    assert report.sent == 1
    [message] = smtp_server.inbox.messages
    assert message["To"] == "ana@example.org"
    body = next(p for p in message.walk() if p.get_content_type() == "text/plain").get_payload(decode=True).decode()
    link = re.search(r"(http://127\.0\.0\.1:\d+/status/\S+)", body).group(1)

    page.goto(link)
    assert "Status: Submitted" in page.locator(".status__label").inner_text()
    serious += audit_and_capture(page, "status")
    page.get_by_role("link", name="Withdraw my application").click()
    page.get_by_role("button", name="Yes, withdraw my application").click()
    page.wait_for_url(link)
    assert "Status: Withdrawn" in page.locator(".status__label").inner_text()
    assert page.get_by_role("link", name="Delete my data").is_visible()

    db.session.expire_all()
    assert db.session.scalar(select(Application.status)) == ApplicationStatus.WITHDRAWN
    assert serious == [], f"serious or critical accessibility violations: {serious}"


def test_the_closed_window_page_is_accessible(app, live_server, page, audit_and_capture):
    ProgramFactory(
        slug="summer",
        title="Summer Internship",
        applications_open=date.today() - timedelta(days=60),
        applications_close=date.today() - timedelta(days=2),
    )
    page.goto(live_server + "/programs/summer/apply")
    assert page.get_by_role("heading", level=1).inner_text() == "Applications are closed"
    assert page.locator("form.application-form").count() == 0
    assert audit_and_capture(page, "closed-window") == []


def test_the_form_can_be_filled_and_sent_with_the_keyboard_alone(app, live_server, page, demo_program, resume_file):
    """Tab moves between fields, Space ticks a choice, arrow keys move within a radio group, Enter sends.

    Only the file is attached through the file input's API: a native file picker is outside the page.
    """
    answers = {
        "full_name": "Kai Keyboard",
        "email": "kai@example.org",
        "city": "Bronx",
        "school": "Lehman College",
        "hours_per_week": "16",
        "weeks_available": "12",
    }
    questions = {question.key: field_name(question) for question in demo_program.active_questions()}
    written = {"why_this_internship": "Because.", "current_events": "Newsletters."}
    written |= {"organised_deadlines": "Finals week.", "bold_idea": "A zine."}
    answers |= {questions[key]: text for key, text in written.items()}
    choices = {"student": "student", "wants_credit": "yes", "seeks_stipend": "no"}
    page.goto(live_server + f"/programs/{demo_program.slug}/apply")
    page.get_by_label("Resume", exact=True).set_input_files(str(resume_file))
    page.locator("body").focus()

    for _ in range(200):
        page.keyboard.press("Tab")
        active = page.evaluate(
            "() => { const e = document.activeElement; return {tag: e.tagName, type: e.type || '', "
            "name: e.name || '', value: e.value || '', checked: !!e.checked, text: e.innerText || ''}; }"
        )
        name = active["name"]
        if active["tag"] == "BUTTON" and "Send my application" in active["text"]:
            with page.expect_navigation():
                page.keyboard.press("Enter")
            break
        if name in answers:
            page.keyboard.type(answers[name])
        elif name == "earliest_start":
            start = start_date()
            page.keyboard.type(f"{start.month:02d}{start.day:02d}{start.year}")
        elif active["type"] == "radio" and name in choices:
            for _ in range(10):
                if page.evaluate("document.activeElement.value") == choices[name]:
                    break
                page.keyboard.press("ArrowDown")
            page.keyboard.press("Space")
        elif active["type"] == "checkbox" and name == questions["skills"] and active["value"] == "Writing":
            page.keyboard.press("Space")
    else:
        pytest.fail("never reached the send button with Tab")

    assert "/apply/submitted" in page.url, page.locator(".error-summary").all_inner_texts()
    application = db.session.scalar(select(Application))
    assert (application.full_name, application.school, application.hours_per_week) == (
        "Kai Keyboard",
        "Lehman College",
        16,
    )
    skills = next(answer for answer in application.answers if answer.question.key == "skills")
    assert application.wants_credit and skills.choices == ["Writing"]
    assert application.earliest_start == start_date()
    assert db.session.scalar(select(func.count()).select_from(Application)) == 1


def test_the_accessibility_audit_catches_a_real_violation(page):
    """Guards the audit itself: a page with an unlabelled image and input must fail it."""
    from browser_support import run_axe

    page.set_content('<html lang="en"><title>x</title><main><img src="x.png"><input type="text"></main></html>')
    ids = {violation["id"] for violation in run_axe(page) if violation["impact"] in ("serious", "critical")}
    assert {"image-alt", "label"} <= ids


def test_a_file_far_over_the_limit_gets_the_form_back_not_a_bare_413(app, live_server, page, demo_program, tmp_path):
    big = tmp_path / "scan.pdf"
    big.write_bytes(b"%PDF-1.4\n" + b"0" * (app.config["MAX_CONTENT_LENGTH"] + 1024 * 1024))
    page.goto(live_server + f"/programs/{demo_program.slug}/apply")
    page.get_by_label("Full name").fill("Ana Reyes")
    page.get_by_label("Resume", exact=True).set_input_files(str(big))
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Send my application").click()
    assert navigation.value.status == 413
    assert page.get_by_role("heading", level=1).inner_text().startswith("Apply for")
    assert "larger than 5 MB" in page.locator("#resume-error").inner_text()


# What a person reads beside each field of the empty form: required ones bare, the rest "(optional)".
REQUIRED_LABELS = (
    "Full name",
    "Email address",
    "City where you live",
    "Hours a week you can commit",
    "Earliest start date",
    "Number of weeks you are available",
    "Why do you want this internship?",
    "How do you follow current events and use social media?",
    "Tell us about a time you organised yourself around deadlines.",
    "Tell us about a time you were bold or thought outside the box.",
    "Resume",
)
REQUIRED_QUESTIONS = (
    "Are you a student?",
    "Would you like school credit for this internship?",
    "Are you seeking a stipend?",
)
OPTIONAL_LABELS = (
    "Preferred name",
    "Pronouns",
    "Phone number",
    "Major or field of study",
    "Leadership experience",
    "Link 1",
    "Link 2",
    "Link 3",
    "How did you hear about us?",
    "Accommodations you would like",
    "My gender, in my words",
)


def test_the_form_says_required_and_optional_as_the_server_checks_them(app, live_server, page, demo_program):
    page.goto(live_server + f"/programs/{demo_program.slug}/apply")
    form = page.locator("form.application-form")
    for text in REQUIRED_LABELS:
        control = form.get_by_label(text, exact=True)  # the whole label: no "(optional)" after it
        assert control.count() == 1, f"{text!r} is not labelled as a required field"
        assert control.evaluate("e => e.required"), f"{text!r} is not required for the browser"
        label = form.locator(f"label[for='{control.get_attribute('id')}']")
        assert "(optional)" not in label.inner_text()
    school = form.get_by_role("textbox", name="School", exact=True)  # required of students only: neither mark
    assert school.count() == 1 and not school.evaluate("e => e.required")
    for text in REQUIRED_QUESTIONS:
        assert form.get_by_role("group", name=text, exact=True).count() == 1, f"{text!r} says it is optional"
    for text in OPTIONAL_LABELS:
        control = form.get_by_label(f"{text} (optional)", exact=True)
        assert control.count() == 1, f"{text!r} does not say it is optional"
        assert not control.evaluate("e => e.required")
    availability = form.locator("section[aria-labelledby='section-availability']")
    assert "(optional)" not in availability.inner_text()
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    availability.screenshot(path=str(SCREENSHOT_DIR / "form-availability-labels.png"))
