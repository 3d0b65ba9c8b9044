"""An invited intern sets a password, logs a week in a real browser and submits it; the supervisor approves it
on the approvals page and the intern's dashboard counts it as a qualifying week.

Playwright drives Debian's Chromium against the app on loopback. axe-core audits the week page (with
entries, and with an error), the approvals page, the concern page and the admin concerns page;
screenshots at 1280 and 375 px are written to test-artifacts/screenshots/.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from browser_support import phone_overflow
from smtp_support import mailed_link
from sqlalchemy import select

from portal.extensions import db
from portal.models import OutboxMessage, TimesheetWeek, WeekStatus
from portal.services.accounts import send_invitation


def sign_in_browser(page, app, base_url: str, user) -> None:
    """Give the browser the session cookie Flask-Login would set on signing in (any earlier one is dropped)."""
    serializer = app.session_interface.get_signing_serializer(app)
    cookie = serializer.dumps({"_user_id": user.session_token, "_fresh": True})
    page.context.clear_cookies()
    page.context.add_cookies([{"name": app.config["SESSION_COOKIE_NAME"], "value": cookie, "url": base_url}])


@pytest.fixture
def people(placement, intern, supervisor, admin):
    """The shared placement, whose intern has no password yet: the journey starts at the invitation."""
    intern.password_hash = None
    db.session.commit()
    return {"intern": intern, "supervisor": supervisor, "placement": placement, "admin": admin}


def add_entry(page, day: date, hours: str, activity: str, note: str) -> None:
    page.get_by_label("Day", exact=True).select_option(value=day.isoformat())
    page.get_by_label("Hours", exact=True).fill(hours)
    page.get_by_label("Activity", exact=True).select_option(label=activity)
    page.get_by_label("Note (optional)").fill(note)
    page.get_by_role("button", name="Save entry").click()
    page.wait_for_selector(".flash--success")


def week_status(placement, monday: date) -> WeekStatus:
    db.session.expire_all()
    return db.session.scalar(
        select(TimesheetWeek.status).where(
            TimesheetWeek.placement_id == placement.id, TimesheetWeek.week_start == monday
        )
    )


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)  # every form of the journey carries its token
def test_an_intern_logs_and_submits_16_hours_and_the_supervisor_approves(
    app, live_server, page, people, smtp_server, audit_and_capture, this_monday
):
    placement = people["placement"]
    past_monday = this_monday - timedelta(weeks=1)
    serious = []

    # The invitation arrives at the SMTP server; setting a password lands the intern on the dashboard.
    send_invitation(people["intern"], program_title="Fall Organizing")
    db.session.commit()
    page.goto(mailed_link(smtp_server, "/auth/invitation/"))
    invitation_subject = smtp_server.inbox.messages[0]["Subject"]
    page.get_by_label("New password", exact=True).fill("tenants union fall 2026")
    page.get_by_label("Type the new password again").fill("tenants union fall 2026")
    with page.expect_navigation():
        page.get_by_role("button", name="Set my password and sign in").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Your hours"
    assert page.locator(".qualifying-weeks").inner_text() == "0"

    # From "this week" to last week with the navigation link.
    page.get_by_role("link", name="Log this week's hours").click()
    page.wait_for_url(re.compile(rf"/weeks/{this_monday.isoformat()}$"))
    page.get_by_role("link", name="Previous week").click()
    page.wait_for_url(re.compile(rf"/weeks/{past_monday.isoformat()}$"))
    assert page.get_by_role("heading", level=1).inner_text() == f"Week of {past_monday.day} {past_monday:%B %Y}"

    # Hours that cannot be read are explained beside the field, and what was typed stays.
    page.get_by_label("Hours", exact=True).fill("six hours")
    page.get_by_label("Activity", exact=True).select_option(label="Event planning")
    page.get_by_role("button", name="Save entry").click()
    page.wait_for_selector(".error-summary")
    assert "Enter hours like 2:30, 2.5 or 2h30" in page.locator("#hours-error").inner_text()
    assert page.get_by_label("Hours", exact=True).input_value() == "six hours"
    serious += audit_and_capture(page, "hours-week-error")

    # 16 h across three days, typed three different ways.
    add_entry(page, past_monday, "6", "Event planning", "Planned the tenants' teach-in")
    add_entry(page, past_monday + timedelta(days=1), "5:30", "Organizing software and tools", "Action Network")
    add_entry(page, past_monday + timedelta(days=3), "4", "Office support", "Mailing")
    add_entry(page, past_monday + timedelta(days=4), "1", "Office support", "A mistake")

    # Change Thursday's entry to 4 h 30 min.
    page.get_by_role("link", name=re.compile(r"^Change 4 h of Office support on Thursday")).click()
    assert page.get_by_role("heading", name="Change an entry").is_visible()
    assert page.get_by_label("Hours", exact=True).input_value() == "4:00"
    page.get_by_label("Hours", exact=True).fill("4h30")
    page.get_by_role("button", name="Save the change").click()
    page.wait_for_selector(".flash--success")

    # Delete Friday's mistake: asked first, then gone.
    page.get_by_role("link", name=re.compile(r"^Delete 1 h of Office support on Friday")).click()
    assert page.get_by_role("heading", name="Delete this entry?").is_visible()
    serious += audit_and_capture(page, "hours-week-delete-confirm")
    page.get_by_role("button", name="Yes, delete it").click()
    page.wait_for_selector(".flash--success")
    assert "A mistake" not in page.locator("#days").inner_text()

    assert page.get_by_role("heading", name="Total this week: 16 h").is_visible()
    assert "5 h 30 min" in page.locator(f"#day-{(past_monday + timedelta(days=1)).isoformat()}").inner_text()
    serious += audit_and_capture(page, "hours-week-entries")
    assert phone_overflow(page) == 0

    page.get_by_role("button", name="Submit this week").click()
    page.wait_for_selector(".flash--success")
    assert page.get_by_role("heading", name="Status: Submitted, waiting for approval").is_visible()
    assert week_status(placement, past_monday) == WeekStatus.SUBMITTED

    # The week's reflection, written after submitting (it is not part of the hours to approve).
    page.get_by_label("Your reflection").fill("How to plan a teach-in:\nthe room, the speakers, the sign-up sheet.")
    page.get_by_role("button", name="Save the reflection").click()
    page.wait_for_selector(".flash--success")
    assert page.locator(".flash--success").inner_text() == "Your reflection is saved."
    assert week_status(placement, past_monday) == WeekStatus.SUBMITTED

    # The concern page, as the intern sees it.
    page.goto(live_server + "/hours/concerns")
    assert page.get_by_role("heading", level=1).inner_text() == "Raise a concern"
    page.get_by_label("I am not learning").check()
    page.get_by_label("Tell us more (optional)").fill("Mostly mailings so far.")
    page.get_by_role("button", name="Send my concern").click()
    page.wait_for_selector(".flash--success")
    assert "Mostly mailings so far." in page.locator(".concerns").inner_text()
    serious += audit_and_capture(page, "hours-concerns")

    # The supervisor approves it from the approvals page.
    sign_in_browser(page, app, live_server, people["supervisor"])
    page.goto(live_server + "/hours/approvals")
    assert page.get_by_role("heading", level=1).inner_text() == "Timesheets to approve"
    row = page.locator("tbody tr", has_text="Ana Reyes")
    assert "16 h" in row.inner_text()
    serious += audit_and_capture(page, "hours-approvals")
    assert phone_overflow(page) == 0  # the table scrolls inside its own box on a phone
    page.goto(f"{live_server}/hours/placements/{placement.id}/weeks/{past_monday.isoformat()}")
    reflection = page.locator("section#week-reflection")
    assert "the room, the speakers, the sign-up sheet." in reflection.inner_text()
    assert reflection.get_by_role("textbox").count() == 0  # read, not written, by the supervisor
    serious += audit_and_capture(page, "hours-week-supervisor-reflection")
    page.goto(live_server + "/hours/approvals")
    row = page.locator("tbody tr", has_text="Ana Reyes")
    row.get_by_role("button", name=re.compile(r"^Approve the week of .* of Ana Reyes$")).click()
    page.wait_for_selector(".flash--success")
    assert page.locator(".flash--success").inner_text() == "Approved 1 week."
    assert week_status(placement, past_monday) == WeekStatus.APPROVED
    messages = db.session.scalars(select(OutboxMessage)).all()
    assert [m.subject for m in messages] == [invitation_subject]  # approving emails nobody; returning does

    # Locked for the intern, and counted on the dashboard as the first qualifying week.
    sign_in_browser(page, app, live_server, people["intern"])
    page.goto(f"{live_server}/hours/placements/{placement.id}/weeks/{past_monday.isoformat()}")
    assert page.get_by_role("heading", name="Status: Approved").is_visible()
    assert page.get_by_role("button", name="Save entry").count() == 0
    page.goto(live_server + "/hours/")
    assert page.locator(".qualifying-weeks").inner_text() == "1"
    assert "of 12 qualifying weeks" in page.locator("section[aria-labelledby=minimum-heading]").inner_text()
    week_row = page.locator("tbody tr", has_text=f"{past_monday.day} {past_monday:%B %Y}")
    assert "16 h" in week_row.inner_text() and "Qualifying" in week_row.inner_text()

    # The admin's concerns page.
    sign_in_browser(page, app, live_server, people["admin"])
    page.goto(live_server + "/admin/concerns")
    assert page.get_by_role("heading", level=1).inner_text() == "Concerns from interns"
    assert "Mostly mailings so far." in page.locator("main").inner_text()
    serious += audit_and_capture(page, "admin-concerns")

    assert serious == [], f"serious or critical accessibility violations: {serious}"


def test_the_approvals_page_with_nothing_waiting_is_accessible(app, live_server, page, people, audit_and_capture):
    sign_in_browser(page, app, live_server, people["supervisor"])
    page.goto(live_server + "/hours/approvals")
    assert "Nothing is waiting for approval" in page.locator("main").inner_text()
    assert audit_and_capture(page, "hours-approvals-empty") == []
