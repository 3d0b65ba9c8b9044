"""Managing a placement in Chromium: an admin opens the demo intern's placement from their hours page, is
refused an end date before the start (the message beside the field, focus on the summary), ends it before
the minimum with a reason, and the hours page says so. axe at 1280 and 375 px on the manage page, its error
state and the ended dashboard."""

from __future__ import annotations

import re
from datetime import date, timedelta

from browser_support import phone_overflow
from test_browser_progress import demo, sign_in_browser  # noqa: F401  (demo is a fixture)

from portal.extensions import db
from portal.formatting import long_date
from portal.models import Placement, Role
from portal.models.placement import PlacementOutcome


def test_an_admin_ends_the_demo_placement_before_the_minimum(app, live_server, page, demo, audit_and_capture):  # noqa: F811
    placement, people = demo
    sign_in_browser(page, app, live_server, people[Role.ADMIN])
    serious = []

    page.goto(live_server + f"/hours/?placement={placement.id}")
    page.get_by_role("link", name="Change, extend or end this placement").click()
    page.wait_for_url(re.compile(r"/hours/placements/\d+/manage$"))
    assert page.get_by_role("heading", level=1).inner_text() == "Manage the placement: Maria Delgado"
    assert page.get_by_label("Ended before the minimum").is_checked()  # what the approved hours give
    serious += audit_and_capture(page, "placement-manage")
    assert phone_overflow(page) == 0

    before_start = placement.start_date - timedelta(days=1)
    page.locator("#end-end_date").fill(before_start.isoformat())
    page.locator("#end-reason").fill("Took a full-time organizing job")
    page.get_by_role("button", name="End the placement").click()
    message = f"The end date cannot be before the start date ({long_date(placement.start_date)})"
    assert page.locator("#end-end_date-error").inner_text().endswith(message)
    assert page.locator(".error-summary").get_by_role("link", name=message).is_visible()
    assert page.locator("#end-reason").input_value() == "Took a full-time organizing job"  # nothing typed is lost
    assert page.locator("#end-end_date").get_attribute("aria-invalid") == "true"
    serious += audit_and_capture(page, "placement-manage-error")
    assert phone_overflow(page) == 0

    today = date.today()
    page.locator("#end-end_date").fill(today.isoformat())
    page.get_by_role("button", name="End the placement").click()
    sentence = f"Ended before the 12-week minimum on {long_date(today)}"
    assert sentence in page.locator(".flash").inner_text()
    db.session.expire_all()
    assert db.session.get(Placement, placement.id).outcome is PlacementOutcome.ENDED_EARLY

    page.get_by_role("link", name="Back to Maria Delgado's hours").click()
    assert page.locator(".completion-text").inner_text() == sentence
    serious += audit_and_capture(page, "placement-ended-dashboard")
    assert phone_overflow(page) == 0
    assert serious == [], f"serious or critical accessibility violations: {serious}"
