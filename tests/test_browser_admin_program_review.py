"""The Review and privacy and Activity categories tabs in Chromium: an admin adds, changes, moves and retires
criteria, sees a refusal beside its field with what was typed kept, and saves blind review and retention;
axe at 1280 and 375 px on each state of the page."""

from __future__ import annotations

import pytest
from browser_support import phone_overflow
from test_browser_review_queue import sign_in_browser

pytestmark = [
    pytest.mark.program_settings(rubric=("Knows current events", "Organised")),
    pytest.mark.app_config(WTF_CSRF_ENABLED=True),  # every button and form carries its token
]


def rubric(page) -> list[str]:
    return [name.strip() for name in page.locator("#rubric ol.item-list .item__name").all_inner_texts()]


def test_an_admin_edits_the_rubric_and_the_review_settings(app, live_server, page, admin, program, audit_and_capture):
    sign_in_browser(page, app, live_server, admin)
    page.goto(f"{live_server}/admin/programs/{program.id}/review")
    serious = audit_and_capture(page, "admin-program-review")
    assert phone_overflow(page) == 0

    page.get_by_label("Criterion name").fill("Cares about workers")
    page.get_by_label("Description").fill("Knows why unions matter")
    page.get_by_role("button", name="Add criterion").click()
    assert "Added the criterion “Cares about workers”." in page.locator(".flash").inner_text()
    assert rubric(page) == ["Knows current events", "Organised", "Cares about workers"]

    page.get_by_label("Criterion name").fill("organised")  # a duplicate: refused beside the field, input kept
    page.get_by_label("Description").fill("Kept as typed")
    page.get_by_role("button", name="Add criterion").click()
    assert "There is already a criterion called “Organised”" in page.locator("#name-error").inner_text()
    assert page.get_by_label("Description").input_value() == "Kept as typed"
    serious += audit_and_capture(page, "admin-program-review-error")

    page.get_by_role("link", name="Change “Organised”").click()
    page.get_by_label("Criterion name").fill("Well organised")
    page.get_by_role("button", name="Save changes").click()
    page.get_by_role("button", name="Move up “Cares about workers”").click()
    assert rubric(page) == ["Knows current events", "Cares about workers", "Well organised"]
    page.get_by_role("button", name="Retire “Knows current events”").click()
    assert rubric(page) == ["Cares about workers", "Well organised"]
    assert page.get_by_role("button", name="Restore “Knows current events”").is_visible()
    serious += audit_and_capture(page, "admin-program-review-retired")

    page.get_by_label("Blind review: reviewers do not see who applied").check()
    page.get_by_label("Keep declined and withdrawn applications for (months)").fill("200")
    page.get_by_role("button", name="Save settings").click()
    assert "from 1 to 120" in page.locator("#retention_months-error").inner_text()
    assert page.get_by_label("Blind review: reviewers do not see who applied").is_checked()  # nothing lost
    serious += audit_and_capture(page, "admin-program-review-settings-error")
    page.get_by_label("Keep declined and withdrawn applications for (months)").fill("18")
    page.get_by_role("button", name="Save settings").click()
    assert "Review and privacy settings saved." in page.locator(".flash").inner_text()
    assert page.get_by_label("Blind review: reviewers do not see who applied").is_checked()
    assert page.get_by_label("Keep declined and withdrawn applications for (months)").input_value() == "18"
    assert serious == [], f"serious or critical accessibility violations: {serious}"


def test_the_categories_tab_is_accessible(app, live_server, page, admin, program, audit_and_capture):
    sign_in_browser(page, app, live_server, admin)
    page.goto(f"{live_server}/admin/programs/{program.id}/categories")
    serious = audit_and_capture(page, "admin-program-categories")
    assert phone_overflow(page) == 0
    page.get_by_label("Category name").fill("Phone banking")
    page.get_by_label("Operational: work that keeps the organisation running").check()
    page.get_by_role("button", name="Add category").click()
    assert "Added the category “Phone banking”." in page.locator(".flash").inner_text()
    page.get_by_role("button", name="Retire “Office support”").click()
    assert page.get_by_role("button", name="Restore “Office support”").is_visible()
    serious += audit_and_capture(page, "admin-program-categories-retired")
    assert serious == [], f"serious or critical accessibility violations: {serious}"
