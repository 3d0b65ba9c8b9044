"""An admin in Chromium creates a program, reads its checklist, publishes it once it has a posting and a
criterion, previews and clones; axe at 1280 and 375 px on the list, new and overview pages."""

from __future__ import annotations

import pytest
from browser_support import phone_overflow
from factories import ProgramFactory, RubricCriterionFactory
from sqlalchemy import select
from test_browser_review_queue import sign_in_browser

from portal.extensions import db
from portal.models import Program, ProgramState


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)  # every button of the journey carries its token
def test_an_admin_creates_publishes_and_clones_a_program(app, live_server, page, admin, audit_and_capture):
    ProgramFactory(title="Fall Organizing", slug="fall")
    ProgramFactory(title="Old Spring", slug="old-spring", state=ProgramState.ARCHIVED)
    sign_in_browser(page, app, live_server, admin)

    page.goto(f"{live_server}/admin/programs")
    serious = audit_and_capture(page, "admin-programs-list")
    assert phone_overflow(page) == 0
    assert page.locator("tbody tr").count() == 1
    page.get_by_role("link", name="New program").click()

    serious += audit_and_capture(page, "admin-program-new")
    page.get_by_label("Title").fill("Spring Youth Organizing Fellowship")
    page.get_by_label("Address").fill("fall")
    page.get_by_role("button", name="Create draft").click()
    assert "That address is taken" in page.locator("#slug-error").inner_text()
    assert page.get_by_label("Title").input_value() == "Spring Youth Organizing Fellowship"
    serious += audit_and_capture(page, "admin-program-new-error")
    page.get_by_label("Address").fill("")
    page.get_by_role("button", name="Create draft").click()

    assert "Draft created at /programs/spring-youth-organizing-fellowship" in page.locator("main").inner_text()
    checklist = page.locator(".checklist li")
    assert checklist.count() == 2
    serious += audit_and_capture(page, "admin-program-overview-draft")
    assert phone_overflow(page) == 0
    page.get_by_role("button", name="Publish", exact=True).click()
    assert "Not published yet" in page.locator(".error-summary").inner_text()

    program = db.session.scalar(select(Program).where(Program.slug == "spring-youth-organizing-fellowship"))
    RubricCriterionFactory(program=program, name="Knows the neighbourhood")  # the rubric tab is tested on its own
    page.get_by_role("link", name="Go to the Posting tab").click()
    page.get_by_label("Posting text (Markdown)").fill("## What you will do\n\nOrganise young people in the Bronx.")
    page.get_by_role("button", name="Save", exact=True).click()
    page.get_by_role("link", name="Overview").click()
    assert "Ready to publish" in page.locator(".publish-checklist").inner_text()

    page.get_by_role("link", name="Preview the posting").click()
    assert "this program is a draft and not public" in page.locator(".preview-banner").inner_text()
    assert page.get_by_role("heading", name="What you will do").is_visible()
    serious += audit_and_capture(page, "admin-program-preview")
    page.get_by_role("link", name="Back to the program").click()

    page.get_by_role("button", name="Publish", exact=True).click()
    assert "Published: the posting is on the public site." in page.locator("main").inner_text()
    serious += audit_and_capture(page, "admin-program-overview-published")
    page.goto(f"{live_server}/")  # it opens in 30 days: listed as opening soon
    assert "Spring Youth Organizing Fellowship" in page.locator("#upcoming-heading + ul").inner_text()

    page.goto(f"{live_server}/admin/programs/{program.id}")
    page.get_by_role("button", name="Clone for the next term").click()
    assert "set its dates for the next term" in page.locator("main").inner_text()
    assert page.get_by_label("Address").input_value() == "spring-youth-organizing-fellowship-copy"
    assert serious == [], f"serious or critical accessibility violations: {serious}"
