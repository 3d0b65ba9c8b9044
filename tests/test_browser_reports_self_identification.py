"""The self-identification report of the demo in a real browser: small groups read "<5", real counts are
numbers, and axe-core finds no serious or critical violation at 1280 and 375 px (``audit_and_capture``)."""

from __future__ import annotations

from browser_support import phone_overflow
from test_browser_progress import demo, sign_in_browser  # noqa: F401  (demo is a fixture)

from portal.models import Role


def test_the_demo_report_shows_small_groups_as_under_five(app, live_server, page, demo, audit_and_capture):  # noqa: F811
    _placement, people = demo
    sign_in_browser(page, app, live_server, people[Role.ADMIN])  # the demo grants its admin the report
    page.goto(live_server + "/reports/self-identification")
    assert page.get_by_role("heading", level=1).inner_text() == "Self-identification report"

    gender = page.get_by_role("table", name="Answers to “Gender”: applicants and accepted applicants")
    rows = {
        row.locator("th").inner_text(): row.locator("td").all_inner_texts()
        for row in gender.locator("tbody tr").all()
    }
    # The demo: 6 women, 4 men, 1 non-binary applicant, 1 who skipped the section; 1 accepted applicant,
    # so no accepted figure can be shown.
    assert rows["Woman"] == ["6", "not shown"]
    assert rows["Man"] == ["<5", "not shown"]
    assert rows["Non-binary"] == ["<5", "not shown"]
    assert rows["No answer"] == ["<5", "not shown"]
    assert page.get_by_role("heading", name="Why some counts are hidden").is_visible()

    serious = audit_and_capture(page, "reports-self-identification")
    assert phone_overflow(page) == 0
    assert serious == [], f"serious or critical accessibility violations: {serious}"
