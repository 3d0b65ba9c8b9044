"""The recruitment report in a real browser, on the seeded demo: the funnel chart and its table, and no
serious or critical axe violation at 1280 and 375 px (screenshots in test-artifacts/screenshots/)."""

from __future__ import annotations

from datetime import date

import pytest
from browser_support import phone_overflow
from test_browser_progress import sign_in_browser

from portal.extensions import db
from portal.models import Application, Program, Role, User
from portal.services.demo import DEMO_SLUG, seed_demo


@pytest.fixture
def demo(app):
    seed_demo(date.today())
    db.session.commit()
    people = {user.role: user for user in db.session.scalars(db.select(User))}
    return db.session.scalar(db.select(Program).where(Program.slug == DEMO_SLUG)), people


def test_the_demo_recruitment_report_shows_its_funnel_chart_and_table(app, live_server, page, demo, audit_and_capture):
    program, people = demo
    count = db.select(db.func.count(Application.id)).where(Application.program_id == program.id)
    applications = db.session.scalar(count)
    sign_in_browser(page, app, live_server, people[Role.SUPERVISOR])

    page.goto(live_server + "/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Reports").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Reports"
    page.get_by_role("link", name="Recruitment").click()
    page.get_by_label("Program", exact=True).select_option(label=program.title)
    page.get_by_role("button", name="Show").click()
    page.wait_for_url(f"**/reports/recruitment?program={program.id}*")

    chart = page.get_by_role("img", name="Recruitment funnel")
    assert chart.is_visible()
    assert chart.locator("rect.report-chart__bar").count() == 8
    funnel = page.get_by_role("table", name="Applications at each step")
    assert funnel.is_visible()
    first_row = funnel.locator("tbody tr").first
    assert first_row.locator("th").inner_text() == "Submitted"
    assert first_row.locator("td").first.inner_text() == str(applications)
    assert page.locator("#funnel-chart rect").first.get_attribute("data-value") == str(applications)
    for name in ("Applications per week", "How applicants heard of the program", "Scores per reviewer"):
        assert page.get_by_role("table", name=name).is_visible()

    serious = audit_and_capture(page, "reports-recruitment")
    assert phone_overflow(page) == 0
    page.goto(live_server + "/reports/")
    serious += audit_and_capture(page, "reports-index")
    assert phone_overflow(page) == 0
    assert not serious, serious
