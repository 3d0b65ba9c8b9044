"""The hours pages in a real browser: axe-core finds no serious or critical violation on the dashboard (with
the seeded demo placement and its chart), a stipend statement, the printable hours statement and the
compliance page. Screenshots at 1280 and 375 px go to test-artifacts/screenshots/ (``audit_and_capture``),
and the PDF's first page is written there as an image when poppler's ``pdftoppm`` is installed.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import date

import pytest
from browser_support import SCREENSHOT_DIR, phone_overflow, unavailable
from factories import PlacementFactory
from session_support import sign_in
from test_progress import H, add_week, categories, known_placement, weeks_ago

from portal.extensions import db
from portal.models import Placement, Role, User
from portal.services.demo import seed_demo


def sign_in_browser(page, app, base_url: str, user) -> None:
    """Give the browser the session cookie Flask-Login would set on signing in."""
    serializer = app.session_interface.get_signing_serializer(app)
    cookie = serializer.dumps({"_user_id": user.session_token, "_fresh": True})
    page.context.add_cookies([{"name": app.config["SESSION_COOKIE_NAME"], "value": cookie, "url": base_url}])


@pytest.fixture
def demo(app):
    seed_demo(date.today())
    db.session.commit()
    people = {user.role: user for user in db.session.scalars(db.select(User))}
    return db.session.scalar(db.select(Placement)), people


def test_the_intern_pages_have_no_serious_accessibility_violation(app, live_server, page, demo, audit_and_capture):
    placement, people = demo
    sign_in_browser(page, app, live_server, people[Role.INTERN])
    serious = []

    page.goto(live_server + "/hours/")
    assert page.get_by_role("heading", level=1).inner_text() == "Your hours"
    chart = page.get_by_role("img", name="Approved hours per week")
    assert chart.is_visible()
    assert page.locator("rect.hours-chart__bar").count() == page.locator(".weeks-table tbody tr").count()
    assert page.get_by_role("table", name="Hours per week, newest first").is_visible()
    serious += audit_and_capture(page, "hours-dashboard")
    assert phone_overflow(page) == 0

    page.locator(".stipend-table a").last.click()  # the oldest month: final
    page.wait_for_url(re.compile(r"/stipends/\d{4}/\d{1,2}$"))
    assert page.get_by_role("heading", level=1).inner_text().startswith("Stipend for ")
    assert page.locator(".stipend-steps li").count() >= 5
    serious += audit_and_capture(page, "hours-stipend-statement")
    assert phone_overflow(page) == 0

    page.goto(live_server + f"/hours/placements/{placement.id}/statement")
    code = page.locator(".statement-code").inner_text()
    total = page.locator(".statement-total").inner_text()
    serious += audit_and_capture(page, "hours-statement")
    assert phone_overflow(page) == 0

    page.context.clear_cookies()  # the verification page is public
    page.goto(live_server + f"/hours/verify/{code}")
    assert page.get_by_role("heading", level=1).inner_text() == f"Hours statement {code}"
    assert page.locator(".statement-total").inner_text() == total
    serious += audit_and_capture(page, "hours-verify")
    assert serious == [], f"serious or critical accessibility violations: {serious}"


def test_the_compliance_page_has_no_serious_accessibility_violation(app, live_server, page, demo, audit_and_capture):
    placement, people = demo
    supervisor = people[Role.SUPERVISOR]
    known_placement(supervisor=supervisor, program=placement.program)
    low = PlacementFactory(supervisor=supervisor, program=placement.program, start_date=weeks_ago(2))
    learning, operational = categories(low.program)
    add_week(low, weeks_ago(2), (3 * H, learning), (20 * H, operational))
    add_week(low, weeks_ago(1), (4 * H, learning), (18 * H, operational))
    sign_in_browser(page, app, live_server, supervisor)
    page.goto(live_server + "/hours/compliance")
    assert page.get_by_role("heading", level=1).inner_text() == "Compliance"
    assert page.locator("tr.compliance-row").count() == 3
    assert page.locator(".cell-risk .flag").first.inner_text() == "At risk"
    serious = audit_and_capture(page, "hours-compliance")
    assert phone_overflow(page) == 0
    assert serious == [], f"serious or critical accessibility violations: {serious}"


def test_the_pdf_statement_as_an_image(app, client, demo, backend):
    """The demo intern's PDF statement, its first page written as a PNG next to the screenshots."""
    placement, people = demo
    sign_in(client, people[Role.INTERN])
    response = client.get(f"/hours/placements/{placement.id}/statement.pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    if backend != "sqlite":
        return  # one image is enough
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    pdf = SCREENSHOT_DIR / "hours-statement.pdf"
    pdf.write_bytes(response.data)
    if shutil.which("pdftoppm") is None:
        unavailable("pdftoppm is not installed (apt-get install poppler-utils): the PDF is kept, not its image")
    subprocess.run(  # noqa: S603
        ["pdftoppm", "-png", "-r", "60", "-singlefile", str(pdf), str(SCREENSHOT_DIR / "hours-statement-pdf")],  # noqa: S607
        check=True,
        timeout=60,
    )
    assert (SCREENSHOT_DIR / "hours-statement-pdf.png").stat().st_size > 1000
