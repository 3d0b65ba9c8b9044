"""The data requests page in Chromium: the log after a purge and an applicant's deletion, filtered by kind,
a bad date range explained beside the field; axe-core audits each state and the page fits a phone."""

from __future__ import annotations

from datetime import UTC, datetime

from browser_support import phone_overflow
from factories import ProgramFactory
from test_browser_review_queue import sign_in_browser

from portal.extensions import db
from portal.models import DataRequest, DataRequestKind


def test_the_data_requests_log_filters_by_kind_and_explains_a_bad_date(
    app, live_server, page, admin, audit_and_capture
):
    program = ProgramFactory(title="Fall Organizing 2025", slug="fall-2025")
    for kind, day, count, actor in (
        (DataRequestKind.DELETION, 2, 1, "applicant"),
        (DataRequestKind.DOWNLOAD, 5, 1, "applicant"),
        (DataRequestKind.PURGE, 9, 12, "system"),
    ):
        db.session.add(
            DataRequest(
                kind=kind,
                at=datetime(2026, 10, day, 3, 30, tzinfo=UTC),
                program_id=program.id,
                application_count=count,
                actor_label=actor,
            )
        )
    db.session.commit()
    sign_in_browser(page, app, live_server, admin)
    page.goto(live_server)

    page.get_by_role("link", name="Data requests").click()
    assert page.get_by_role("heading", name="Data requests", level=1).is_visible()
    kinds = page.locator("#data-requests tbody td:nth-child(2)")
    assert kinds.all_inner_texts() == ["Purge", "Download", "Deletion"]
    serious = audit_and_capture(page, "admin-data-requests")
    assert phone_overflow(page) == 0

    page.get_by_label("Kind", exact=True).select_option(label="Purge")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**kind=purge**")
    assert kinds.all_inner_texts() == ["Purge"]
    assert page.locator("#data-requests tbody td:nth-child(4)").inner_text() == "12"
    serious += audit_and_capture(page, "admin-data-requests-filtered")

    page.get_by_role("link", name="Clear all filters").click()
    page.get_by_label("From").fill("2026-10-09")
    page.get_by_label("To", exact=True).fill("2026-10-01")
    page.get_by_role("button", name="Show").click()
    assert "on or after the start date" in page.locator("#date_to-error").inner_text()
    serious += audit_and_capture(page, "admin-data-requests-error")
    assert phone_overflow(page) == 0
    assert serious == [], f"serious or critical accessibility violations: {serious}"
