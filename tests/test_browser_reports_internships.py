"""The internships report in a real browser: reached from the reports index, filtered by dates through the form,
each chart an image with its table beside it, and no serious or critical axe violation at 1280 and 375 px."""

from __future__ import annotations

import pytest
from browser_support import phone_overflow
from test_browser_progress import sign_in_browser
from test_reports_internships import FIRST, LAST, known  # noqa: F401 - the known interns, as a fixture

pytestmark = pytest.mark.program_settings(min_weeks=3)


def test_the_internships_report_in_a_browser(app, live_server, page, admin, program, known, audit_and_capture):  # noqa: F811
    sign_in_browser(page, app, live_server, admin)
    page.goto(live_server + "/reports/")
    page.get_by_role("link", name="Internships", exact=True).click()
    page.get_by_label("From").fill(FIRST.isoformat())
    page.get_by_label("To", exact=True).fill(LAST.isoformat())
    page.get_by_role("button", name="Show").click()
    page.wait_for_url(f"**/reports/internships?*date_from={FIRST.isoformat()}*")

    assert page.get_by_role("img", name="Approved hours per month").is_visible()
    hours = page.get_by_role("table", name="Approved hours per month")
    assert hours.locator("tbody tr").first.inner_text().split("\t") == ["September 2020", "120 h"]
    assert page.locator("#hours-chart rect.report-chart__bar").count() == 2
    stipends = page.get_by_role("table", name="Stipends per month")
    assert "$562.50" in stipends.inner_text()
    for name in ("Interns", "Qualifying weeks per month", "Learning share of logged hours", "Concerns"):
        assert page.get_by_role("table", name=name).is_visible(), name

    serious = audit_and_capture(page, "reports-internships")
    assert phone_overflow(page) == 0
    assert not serious, serious
