"""The hours statement for school credit: printable page, one-page PDF read back with pypdf, public
verification by code; and one test that the pages, the CSV and the PDF show the same figures."""

from __future__ import annotations

import io
import re
import sys
from datetime import timedelta

import pypdf
import pytest
from factories import AdminFactory, InternFactory, PlacementFactory, UserFactory
from session_support import sign_in
from sqlalchemy import func, select
from test_progress import H, add_week, categories, known_placement, parse, texts, weeks_ago
from test_stipends import csv_rows, past_month

from portal.extensions import db
from portal.formatting import long_date, month_label
from portal.models import HoursStatement, WeekStatus
from portal.rules.weeks import month_weeks


def pdf_text(response) -> str:
    assert response.status_code == 200, response.status_code
    assert response.mimetype == "application/pdf"
    reader = pypdf.PdfReader(io.BytesIO(response.data))
    return "\n".join(page.extract_text() for page in reader.pages)


def pdf_pages(response) -> int:
    return len(pypdf.PdfReader(io.BytesIO(response.data)).pages)


def placement_with_weeks(weeks: int, minutes: int = 20 * H, **overrides):
    """Started ``weeks`` + 1 weeks ago, with ``weeks`` approved weeks of ``minutes`` (not this week)."""
    placement = PlacementFactory(**{"start_date": weeks_ago(weeks), **overrides})
    learning, _ = categories(placement.program)
    for n in range(weeks, 0, -1):
        add_week(placement, weeks_ago(n), (minutes, learning))
    return placement


def test_the_pdf_of_a_complete_placement_has_its_totals(app, client):
    placement = placement_with_weeks(12)
    sign_in(client, placement.intern)
    response = client.get(f"/hours/placements/{placement.id}/statement.pdf")
    text = pdf_text(response)
    assert "Total approved hours 240 h" in text
    assert "Qualifying weeks 12 of 12" in text
    assert "Completed the 12-week minimum" in text
    assert placement.intern.full_name in text and placement.program.organisation in text
    statement = db.session.scalar(select(HoursStatement))
    assert statement.code in text
    assert statement.figures["total_minutes"] == 240 * H and statement.figures["qualifying_weeks"] == 12
    assert f'hours-statement-{statement.code}.pdf' in response.headers["Content-Disposition"]


def test_the_pdf_of_a_placement_in_progress_says_so(app, client):
    placement = known_placement()
    sign_in(client, placement.intern)
    text = pdf_text(client.get(f"/hours/placements/{placement.id}/statement.pdf"))
    assert "Total approved hours 59 h" in text
    assert "Qualifying weeks 2 of 12" in text
    assert "In progress: 2 of the 12 qualifying weeks needed so far" in text
    assert "Completed" not in text


def test_a_placement_ended_early_says_ended_before_the_minimum_and_when(app, client):
    end = weeks_ago(1) + timedelta(days=4)
    placement = placement_with_weeks(5, end_date=end)
    sign_in(client, placement.intern)
    page = parse(client.get(f"/hours/placements/{placement.id}/statement").data)
    assert texts(page, ".statement-completion") == [f"Ended before the 12-week minimum on {long_date(end)}"]
    assert texts(page, ".statement-total") == ["100 h"]


def test_twenty_weeks_fit_on_one_page(app, client):
    placement = placement_with_weeks(20, minutes=17 * H + 30)
    sign_in(client, placement.intern)
    response = client.get(f"/hours/placements/{placement.id}/statement.pdf")
    assert pdf_pages(response) == 1
    text = pdf_text(response)
    assert "Total approved hours 350 h" in text
    assert text.count("17 h 30 min") == 20


def test_the_printable_page_shows_the_same_code_until_the_figures_change(app, client):
    placement = known_placement()
    sign_in(client, placement.intern)
    first = parse(client.get(f"/hours/placements/{placement.id}/statement").data)
    [code] = texts(first, ".statement-code")
    text = pdf_text(client.get(f"/hours/placements/{placement.id}/statement.pdf"))
    assert code in text  # the PDF of the same figures carries the same code
    assert db.session.scalar(select(func.count()).select_from(HoursStatement)) == 1
    [url] = texts(first, ".statement-url")
    assert url == f"http://portal.test/hours/verify/{code}"
    # Approving the waiting week changes the figures: a new statement with a new code.
    learning, _ = categories(placement.program)
    add_week(placement, weeks_ago(3), (20 * H, learning))
    second = parse(client.get(f"/hours/placements/{placement.id}/statement").data)
    assert texts(second, ".statement-code") != [code]
    assert texts(second, ".statement-total") == ["79 h"]


def test_the_verify_url_shows_the_same_figures_without_signing_in(app, client):
    placement = known_placement()
    sign_in(client, placement.intern)
    printed = parse(client.get(f"/hours/placements/{placement.id}/statement").data)
    [code] = texts(printed, ".statement-code")
    # Later changes do not alter what was issued.
    learning, _ = categories(placement.program)
    add_week(placement, weeks_ago(3), (20 * H, learning))
    public = app.test_client()
    response = public.get(f"/hours/verify/{code}")
    assert response.status_code == 200
    verified = parse(response.data)
    for selector in (".statement-total", ".statement-qualifying", ".statement-completion", ".statement-intern",
                     ".statement__weeks tbody tr"):
        assert texts(verified, selector) == texts(printed, selector), selector
    assert texts(verified, ".statement-total") == ["59 h"]
    assert public.get(f"/hours/verify/{code.lower().replace('-', '')}").status_code == 200
    assert public.get("/hours/verify/AAAA-BBBB-CCCC").status_code == 404
    assert public.get("/hours/verify/not-a-code").status_code == 404


def test_without_weasyprint_the_pdf_link_explains_and_points_to_the_printable_page(app, client, monkeypatch):
    monkeypatch.setitem(sys.modules, "weasyprint", None)  # as on a server without WeasyPrint installed
    placement = known_placement()
    sign_in(client, placement.intern)
    response = client.get(f"/hours/placements/{placement.id}/statement.pdf")
    assert response.status_code == 503
    page = response.get_data(as_text=True)
    assert "The PDF cannot be made right now" in page
    assert f'href="/hours/placements/{placement.id}/statement"' in page


@pytest.mark.app_config(RATELIMIT_ENABLED=True)
def test_the_verify_page_is_rate_limited_per_client(app, client):
    statuses = [client.get("/hours/verify/AAAA-BBBB-CCCC").status_code for _ in range(31)]
    assert statuses == [404] * 30 + [429]


def test_statement_access(app):
    placement = known_placement()
    for user, status in ((InternFactory(), 404), (UserFactory(), 404), (placement.supervisor, 200),
                         (AdminFactory(), 200)):
        client = app.test_client()
        sign_in(client, user)
        assert client.get(f"/hours/placements/{placement.id}/statement").status_code == status
        assert client.get(f"/hours/placements/{placement.id}/statement.pdf").status_code == status
    anonymous = app.test_client().get(f"/hours/placements/{placement.id}/statement.pdf")
    assert anonymous.status_code == 302 and "/auth/" in anonymous.headers["Location"]
    assert db.session.scalar(select(func.count()).select_from(HoursStatement)) == 1  # issued for staff only


def _decimal(text: str) -> str:
    """ "30.62 h" or "$750.00" as the CSV writes it ("30.62", "750.00")."""
    if text.startswith("$"):
        return text[1:].replace(",", "").split(" ")[0]
    return re.fullmatch(r"(\d+\.\d\d) h", text)[1]


def test_pages_csv_and_pdf_show_the_same_stipend_and_completion_figures(app):
    """Stipend: statement page = dashboard table = CSV. Completion: dashboard = printable page = PDF."""
    cycle = (31 * H + 30, 28 * H + 15, 33 * H, 29 * H + 46)
    placement = PlacementFactory(start_date=weeks_ago(16), stipend_eligible=True)
    learning, _ = categories(placement.program)
    for n in range(16, 0, -1):
        add_week(placement, weeks_ago(n), (cycle[n % 4], learning))
    add_week(placement, weeks_ago(0), (5 * H, learning), status=WeekStatus.DRAFT)
    year, month = past_month(2)
    assert all(monday >= weeks_ago(16) for monday in month_weeks(year, month))
    intern, staff = app.test_client(), app.test_client()
    sign_in(intern, placement.intern)
    sign_in(staff, placement.supervisor)

    statement = parse(intern.get(f"/hours/placements/{placement.id}/stipends/{year}/{month}").data)
    dashboard = parse(intern.get("/hours/").data)
    [csv_row] = [row for row in csv_rows(staff.get(f"/hours/stipends.csv?month={year:04d}-{month:02d}"))[1:]]
    label = month_label(year, month)
    [dashboard_row] = [row for row in dashboard.query_all(".stipend-table tbody tr")
                       if label in "".join(row.etree_element.itertext())]
    dashboard_cells = [" ".join("".join(td.itertext()).split()) for td in dashboard_row.etree_element.iter()
                       if td.tag.endswith("td")]
    weeks_counted, average, tier, amount = csv_row[3:7]
    assert texts(statement, ".fig-weeks") == [weeks_counted] == [dashboard_cells[0]]
    assert [_decimal(t) for t in texts(statement, ".fig-average")] == [average] == [_decimal(dashboard_cells[1])]
    assert [_decimal(t) for t in texts(statement, ".fig-tier")] == [tier] == [_decimal(dashboard_cells[2])]
    assert [_decimal(t) for t in texts(statement, ".fig-amount")] == [amount] == [_decimal(dashboard_cells[3])]
    assert average != f"{average.split('.')[0]}.00"  # a fractional average, so rounding is compared too

    printable = parse(intern.get(f"/hours/placements/{placement.id}/statement").data)
    text = pdf_text(intern.get(f"/hours/placements/{placement.id}/statement.pdf"))
    [qualifying] = texts(dashboard, ".qualifying-weeks")
    assert texts(printable, ".statement-qualifying") == [f"{qualifying} of 12"]
    assert f"Qualifying weeks {qualifying} of 12" in text
    [completion] = texts(printable, ".statement-completion")
    assert completion == "Completed the 12-week minimum" and completion in text
    assert "Complete" in texts(dashboard, ".completion")[0]
    [total] = texts(printable, ".statement-total")
    assert f"Total approved hours {total}" in text
