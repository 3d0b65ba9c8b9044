"""The program editor's Posting and Rules tabs in Chromium: axe at 1280 and 375 px, the live pay table,
and a refusal shown beside its field with what was typed kept."""

from __future__ import annotations

from browser_support import phone_overflow
from test_browser_review_queue import sign_in_browser


def pay(page, hours: int) -> str:
    return page.locator(f'[data-pay-hours="{hours}"]').inner_text().strip()


def test_the_posting_tab_previews_and_is_accessible(app, live_server, page, admin, program, audit_and_capture):
    sign_in_browser(page, app, live_server, admin)
    page.goto(f"{live_server}/admin/programs/{program.id}/posting")
    serious = audit_and_capture(page, "admin-program-posting")
    assert phone_overflow(page) == 0
    page.get_by_label("Posting text (Markdown)").fill(
        "## A new heading\n\n<script>alert(1)</script> [x](javascript:alert(1))"
    )
    page.get_by_role("button", name="Preview (not saved)").click()
    preview = page.locator(".posting-preview")
    assert preview.get_by_role("heading", name="A new heading").is_visible()
    assert "<script>alert(1)</script>" in preview.inner_text()  # shown as text, never run
    assert preview.locator("a[href]").count() == 0
    serious += audit_and_capture(page, "admin-program-posting-preview")

    page.get_by_label("Applications close").fill("2000-01-01")
    page.get_by_role("button", name="Save", exact=True).click()
    assert "Applications cannot close before they open" in page.locator("#applications_close-error").inner_text()
    assert page.get_by_label("Applications close").input_value() == "2000-01-01"
    serious += audit_and_capture(page, "admin-program-posting-error")
    assert serious == [], f"serious or critical accessibility violations: {serious}"


def test_the_rules_tab_pay_table_follows_the_tiers_as_typed(app, live_server, page, admin, program,
                                                            audit_and_capture):
    sign_in_browser(page, app, live_server, admin)
    page.goto(f"{live_server}/admin/programs/{program.id}/rules")
    serious = audit_and_capture(page, "admin-program-rules")
    assert phone_overflow(page) == 0
    assert pay(page, 25) == "$500.00" and pay(page, 20) == "$0.00"

    page.locator("#tiers-1-amount").fill("612.50")  # typed, not saved: the table follows
    assert pay(page, 25) == "$612.50"
    page.locator("#tiers-4-from_hours").fill("20")
    page.locator("#tiers-4-amount").fill("250")
    assert pay(page, 20) == "$250.00" and pay(page, 15) == "$0.00"
    page.get_by_label("Remove this tier").nth(3).check()
    assert pay(page, 40) == "$750.00"

    page.get_by_label("Weekly minimum (hours)").fill("50")
    page.get_by_role("button", name="Save rules").click()
    assert "above the weekly maximum" in page.locator("#weekly_min-error").inner_text()
    assert page.locator("#tiers-1-amount").input_value() == "612.50"  # nothing lost
    assert pay(page, 25) == "$612.50"
    serious += audit_and_capture(page, "admin-program-rules-error")

    page.get_by_label("Weekly minimum (hours)").fill("10")
    page.get_by_role("button", name="Save rules").click()
    assert "Rules saved." in page.locator("main").inner_text()
    assert pay(page, 20) == "$250.00" and pay(page, 40) == "$750.00"
    serious += audit_and_capture(page, "admin-program-rules-saved")
    assert serious == [], f"serious or critical accessibility violations: {serious}"
