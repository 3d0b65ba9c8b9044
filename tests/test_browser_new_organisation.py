"""A new organisation, in Chromium, from nothing: its first admin (made with ``flask create-user``) builds
"Spring Youth Organizing Fellowship" with its own posting, window, places, questions, rubric and tiers,
publishes it; a person applies answering its questions; the program's reviewer reads the answers, scores
on the new rubric and accepts, and the third acceptance goes to the waitlist because there are two places.
axe (1280 and 375 px) on every admin page of the journey."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from documents import MINIMAL_PDF
from factories import ApplicationFactory
from sqlalchemy import select

from portal.extensions import db
from portal.models import Application, ApplicationStatus, Program, ProgramState, Review

PASSWORD = "spring-fellowship-2027"
TITLE = "Spring Youth Organizing Fellowship"
BOROUGH = "Which borough do you organise in?"
WHY = "Why do you want to organise young people?"
CAMPAIGN = "A campaign you admire"
CRITERIA = ("Knows the neighbourhood", "Organised", "Writes clearly")


def create_first_admin(app) -> None:
    result = app.test_cli_runner().invoke(
        args=["create-user", "dana@youth.example.org", "--role", "admin", "--name", "Dana Director",
              "--password", PASSWORD]
    )
    assert result.exit_code == 0, result.output


def sign_in(page, base_url: str) -> None:
    page.goto(base_url + "/auth/sign-in")
    page.get_by_label("Email address").fill("dana@youth.example.org")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def tab(page, name: str) -> None:
    page.get_by_role("navigation", name="Program settings").get_by_role("link", name=name).click()


def add_question(page, kind: str, label: str, *, options: str = "", required: bool = False, words: str = "") -> None:
    page.get_by_label(kind, exact=True).check()
    page.get_by_label("Question", exact=True).fill(label)
    if options:
        page.get_by_label("Options, one per line").fill(options)
    if required:
        page.get_by_label("Applicants must answer this question").check()
    if words:
        page.get_by_label("Word limit").fill(words)
    page.get_by_role("button", name="Add the question").click()


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)  # every form of the journey carries its token
def test_a_new_organisation_runs_its_own_program(app, live_server, page, tmp_path, audit_and_capture):
    today = date.today()
    starts = today + timedelta(days=40)
    create_first_admin(app)
    sign_in(page, live_server)

    page.get_by_role("link", name="Programs").first.click()
    serious = audit_and_capture(page, "org-programs-empty")
    page.get_by_role("link", name="New program").click()
    serious += audit_and_capture(page, "org-new-program")
    page.get_by_label("Title").fill(TITLE)
    page.get_by_label("Organisation unit").fill("Bronx Youth Collective")
    page.get_by_label("Applications open").fill(today.isoformat())
    page.get_by_label("Applications close").fill((today + timedelta(days=30)).isoformat())
    page.get_by_label("Earliest start date").fill(starts.isoformat())
    page.get_by_label("Latest start date").fill((starts + timedelta(days=30)).isoformat())
    page.get_by_role("button", name="Create draft").click()
    assert "Draft created" in page.locator("main").inner_text()
    serious += audit_and_capture(page, "org-overview-draft")

    tab(page, "Posting")
    page.get_by_label("Location").fill("The Bronx, New York")
    page.get_by_label("Summary").fill("Twelve weeks organizing young people around housing and transit.")
    page.get_by_label("Posting text (Markdown)").fill(
        "## What you will do\n\nOrganise young people in the Bronx.\n\n"
        "## What you will learn\n\n- Running a campaign\n- Facilitating meetings"
    )
    page.get_by_label("Places").fill("2")
    page.get_by_role("button", name="Save", exact=True).click()
    assert "Posting saved." in page.locator("main").inner_text()
    serious += audit_and_capture(page, "org-posting")

    tab(page, "Rules and stipends")
    page.locator("#tiers-1-from_hours").fill("20")
    page.locator("#tiers-1-amount").fill("600")
    page.get_by_label("Remove this tier").nth(2).check()
    page.get_by_label("Remove this tier").nth(3).check()
    page.get_by_role("button", name="Save rules").click()
    assert "Rules saved." in page.locator("main").inner_text()
    assert page.locator('[data-pay-hours="20"]').inner_text().strip() == "$600.00"
    assert page.locator('[data-pay-hours="15"]').inner_text().strip() == "$0.00"
    serious += audit_and_capture(page, "org-rules")

    tab(page, "Review and privacy")
    for name in CRITERIA:
        page.get_by_label("Criterion name").fill(name)
        page.get_by_role("button", name="Add criterion").click()
        assert f"Added the criterion “{name}”." in page.locator(".flash").inner_text()
    serious += audit_and_capture(page, "org-review")

    tab(page, "Activity categories")
    serious += audit_and_capture(page, "org-categories")

    tab(page, "Application questions")
    add_question(page, "One choice", BOROUGH, options="Bronx\nBrooklyn\nManhattan\nQueens\nStaten Island")
    add_question(page, "Long text", WHY, required=True, words="150")
    add_question(page, "Short text", CAMPAIGN)
    serious += audit_and_capture(page, "org-questions")
    assert page.locator("#questions .item__name").all_inner_texts() == [BOROUGH, WHY, CAMPAIGN]

    tab(page, "Overview")
    page.get_by_role("link", name="Preview the posting").click()
    assert page.get_by_role("heading", name="What you will learn").is_visible()
    serious += audit_and_capture(page, "org-preview")
    page.get_by_role("link", name="Back to the program").click()
    page.get_by_role("button", name="Publish", exact=True).click()
    assert "Published: the posting is on the public site." in page.locator("main").inner_text()
    serious += audit_and_capture(page, "org-overview-published")
    program = db.session.scalar(select(Program).where(Program.title == TITLE))
    assert program.state == ProgramState.PUBLISHED and program.places == 2
    assert [tier.monthly_cents for tier in program.stipend_tiers] == [0, 60_000]

    # An applicant, in a fresh browser context: the home page lists it; the form asks its questions.
    applicant = page.context.browser.new_context().new_page()
    applicant.goto(live_server + "/")
    applicant.get_by_role("link", name=TITLE).first.click()
    assert applicant.get_by_role("heading", name="What you will do").is_visible()
    applicant.get_by_role("link", name="Apply for this internship").first.click()
    resume = tmp_path / "Rosa Vega resume.pdf"
    resume.write_bytes(MINIMAL_PDF)
    applicant.get_by_label("Full name").fill("Rosa Vega")
    applicant.get_by_label("Email address").fill("rosa@example.org")
    applicant.get_by_label("City where you live").fill("Bronx")
    applicant.get_by_label("Yes, I am a student").check()
    applicant.locator("input#school").fill("Lehman College")
    applicant.get_by_label("Hours a week you can commit").fill("20")
    applicant.get_by_label("Earliest start date").fill(starts.isoformat())
    applicant.get_by_label("Number of weeks you are available").fill("12")
    applicant.get_by_role("group", name=BOROUGH).get_by_label("Bronx").check()
    applicant.get_by_label(CAMPAIGN).fill("The fight for free student MetroCards")
    applicant.get_by_label("Resume", exact=True).set_input_files(str(resume))
    applicant.get_by_role("button", name="Send my application").click()
    # The required long text was left empty: its message, beside it; every other answer kept.
    assert "Answer this question" in applicant.locator(".error-summary").inner_text()
    assert applicant.get_by_role("group", name=BOROUGH).get_by_label("Bronx").is_checked()
    assert applicant.get_by_label(CAMPAIGN).input_value() == "The fight for free student MetroCards"
    applicant.get_by_label(WHY).fill("Because young people ride the buses and nobody asks them.")
    applicant.get_by_label("Resume", exact=True).set_input_files(str(resume))
    applicant.get_by_role("button", name="Send my application").click()
    applicant.wait_for_url(re.compile(r"/apply/submitted"))
    applicant.context.close()

    # Two more applicants, already in review, so three acceptances meet two places.
    others = [
        ApplicationFactory(program=program, full_name=name, status=ApplicationStatus.IN_REVIEW,
                           earliest_start=starts)
        for name in ("Luis Ortega", "Mei Lin")
    ]
    db.session.commit()

    # The reviewer (here the admin: staff assignment is the next issue's page) reads, scores, accepts.
    page.goto(live_server + "/review/")
    page.get_by_role("link", name="Rosa Vega").click()
    page.wait_for_url(re.compile(r"/review/applications/\d+$"))
    answers = page.locator("main").inner_text()
    assert "Bronx" in answers and "nobody asks them" in answers and "free student MetroCards" in answers
    for name in CRITERIA:
        page.get_by_role("group", name=name).get_by_label("5 – outstanding").check()
    page.get_by_label("Overall comment").fill("Knows every bus line.")
    page.get_by_role("button", name="Submit my scores").click()
    page.wait_for_url(re.compile(r"#reviews$"))
    assert page.get_by_role("button", name="Update my scores").is_visible()
    review = db.session.scalar(select(Review))
    assert sorted(score.criterion.name for score in review.scores) == sorted(CRITERIA)
    assert review.comment == "Knows every bus line." and {score.value for score in review.scores} == {5}
    page.get_by_role("button", name="Accept").click()
    page.wait_for_load_state()
    assert "Accepted" in page.locator(".lead").inner_text()

    for other, outcome in zip(others, ("Accepted", "On the waitlist"), strict=True):
        page.goto(f"{live_server}/review/applications/{other.id}")
        # Nobody has scored these two, so accepting one needs a reason.
        page.get_by_label("Internal reason").fill("Interviewed in person at the spring open day.")
        page.get_by_role("button", name="Accept").click()
        page.wait_for_load_state()
        assert outcome in page.locator(".lead").inner_text()
    assert "All 2 places are taken" in page.locator(".flashes").inner_text()
    statuses = dict(db.session.execute(select(Application.full_name, Application.status)).all())
    assert statuses == {
        "Rosa Vega": ApplicationStatus.ACCEPTED,
        "Luis Ortega": ApplicationStatus.ACCEPTED,
        "Mei Lin": ApplicationStatus.WAITLISTED,
    }

    page.goto(live_server + "/admin/programs")
    assert "2 / 2" in page.locator("tbody").inner_text()
    serious += audit_and_capture(page, "org-programs-full")
    assert serious == [], f"serious or critical accessibility violations: {serious}"
