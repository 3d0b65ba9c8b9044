"""Stipends: a month's statement with every step, proration by the Thursday rule, the bookkeeper's CSV."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest
from factories import AdminFactory, InternFactory, PlacementFactory, UserFactory
from session_support import sign_in
from test_progress import H, add_week, categories, parse, texts

from portal.models import WeekStatus
from portal.rules.weeks import month_weeks, week_monday


def past_month(months_back: int) -> tuple[int, int]:
    today = date.today()
    year, month = today.year, today.month - months_back
    while month <= 0:
        month += 12
        year -= 1
    return year, month


def third_thursday(year: int, month: int) -> date:
    first = date(year, month, 1)
    return first + timedelta(days=(3 - first.weekday()) % 7 + 14)


def statement_url(placement, year: int, month: int) -> str:
    return f"/hours/placements/{placement.id}/stipends/{year}/{month}"


def csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.get_data(as_text=True))))


def full_month_placement(year: int, month: int, hours=(30, 32, 28, 34, 31), **overrides):
    """Eligible, started on the first Monday counted in the month, with these approved hours a week."""
    weeks = month_weeks(year, month)
    placement = PlacementFactory(**{"start_date": weeks[0], "stipend_eligible": True, **overrides})
    learning, _ = categories(placement.program)
    for monday, week_hours in zip(weeks, hours, strict=False):
        add_week(placement, monday, (week_hours * H, learning))
    return placement


def test_a_month_statement_shows_each_step(app, client):
    year, month = past_month(2)
    placement = full_month_placement(year, month)
    weeks = len(month_weeks(year, month))  # 4 or 5: 30+32+28+34 (+31) averages 31 h either way
    sign_in(client, placement.intern)
    response = client.get(statement_url(placement, year, month))
    assert response.status_code == 200
    page = parse(response.data)
    assert texts(page, ".fig-weeks") == [f"{weeks} of {weeks}"]
    assert texts(page, ".fig-average") == ["31.00 h"]
    assert texts(page, ".fig-tier") == ["$750.00 a month"]
    assert texts(page, ".fig-proration") == [f"{weeks}/{weeks} of the month"]
    assert texts(page, ".fig-amount") == ["$750.00"]
    steps = texts(page, ".stipend-steps li")
    assert f"Weeks counted: {weeks} of {weeks}" in steps
    assert f"Average: {31 * weeks} h ÷ {weeks} weeks = 31.00 h a week" in steps
    assert "Tier: $750 a month" in steps
    assert f"Prorated: {weeks}/{weeks}" in steps
    assert steps[-1] == "Stipend: $750.00"
    assert "these figures are final" in response.get_data(as_text=True)


def test_a_placement_starting_on_the_third_thursday_is_prorated(app, client):
    year, month = past_month(2)
    start = third_thursday(year, month)
    weeks = month_weeks(year, month)
    placement = PlacementFactory(start_date=start, stipend_eligible=True)
    learning, _ = categories(placement.program)
    for monday in weeks:
        if monday >= week_monday(start):
            add_week(placement, monday, (30 * H, learning))
    active = len(weeks) - 2  # the third Thursday's week is the month's third week
    sign_in(client, placement.intern)
    page = parse(client.get(statement_url(placement, year, month)).data)
    assert texts(page, ".fig-weeks") == [f"{active} of {len(weeks)}"]
    assert texts(page, ".fig-average") == ["30.00 h"]
    assert texts(page, ".fig-proration") == [f"{active}/{len(weeks)} of the month"]
    expected_cents = 75_000 * active // len(weeks)  # $750 × 2/4 or × 3/5: exact, no rounding needed
    assert texts(page, ".fig-amount") == [f"${expected_cents // 100}.{expected_cents % 100:02d}"]
    assert f"Prorated: {active}/{len(weeks)}" in texts(page, ".stipend-steps li")
    notes = texts(page, "table tbody td:last-child")
    assert notes[:2] == ["Outside the internship"] * 2 and notes[2:] == ["Counted"] * active


def test_the_current_month_is_shown_so_far(app, client):
    placement = PlacementFactory(start_date=week_monday(date.today()) - timedelta(weeks=8), stipend_eligible=True)
    sign_in(client, placement.intern)
    today = date.today()
    links = [href for href in (el.etree_element.get("href") for el in parse(client.get("/hours/").data).query_all(
        ".stipend-table a")) if href]
    assert links  # the dashboard links each month's statement
    response = client.get(links[0])  # newest first: the month still going
    assert response.status_code == 200
    assert "So far." in response.get_data(as_text=True)
    assert client.get(statement_url(placement, today.year + 1, today.month)).status_code == 404


def test_statements_are_404_when_not_eligible_not_active_or_not_yours(app):
    year, month = past_month(2)
    placement = full_month_placement(year, month)
    not_eligible = full_month_placement(year, month, stipend_eligible=False)
    cases = [
        (placement.intern, statement_url(placement, year, month), 200),
        (placement.supervisor, statement_url(placement, year, month), 200),
        (AdminFactory(), statement_url(placement, year, month), 200),
        (not_eligible.intern, statement_url(not_eligible, year, month), 404),
        (InternFactory(), statement_url(placement, year, month), 404),
        (UserFactory(), statement_url(placement, year, month), 404),
        (placement.intern, statement_url(placement, year - 2, month), 404),  # before the placement
        (placement.intern, statement_url(placement, year, 13), 404),
    ]
    for user, url, status in cases:
        client = app.test_client()
        sign_in(client, user)
        assert client.get(url).status_code == status, (user.role, url)
    assert app.test_client().get(statement_url(placement, year, month)).status_code == 302


def test_the_csv_twice_is_byte_identical_ordered_and_neutralised(app):
    year, month = past_month(2)
    supervisor = UserFactory()
    zoe = full_month_placement(year, month, intern=InternFactory(full_name="Zoe Zhang"), supervisor=supervisor)
    ana = full_month_placement(
        year, month, hours=(25, 25, 25, 25, 25), intern=InternFactory(full_name="ana Alvarez"), supervisor=supervisor
    )
    full_month_placement(year, month, intern=InternFactory(full_name="=HYPERLINK(\"http://x\")"), supervisor=supervisor)
    full_month_placement(year, month, stipend_eligible=False, supervisor=supervisor)  # not in the file
    full_month_placement(year, month)  # another supervisor's intern
    client = app.test_client()
    sign_in(client, supervisor)
    first = client.get(f"/hours/stipends.csv?month={year:04d}-{month:02d}")
    second = client.get(f"/hours/stipends.csv?month={year:04d}-{month:02d}")
    assert first.status_code == 200 and first.mimetype == "text/csv"
    assert f'filename="stipends-{year:04d}-{month:02d}.csv"' in first.headers["Content-Disposition"]
    assert first.data == second.data
    rows = csv_rows(first)
    weeks = len(month_weeks(year, month))
    assert rows[0] == ["intern", "email", "month", "weeks counted", "average hours", "tier", "amount", "status"]
    assert [row[0] for row in rows[1:]] == ["'=HYPERLINK(\"http://x\")", "ana Alvarez", "Zoe Zhang"]
    assert rows[2][1:] == [ana.intern.email, f"{year:04d}-{month:02d}", f"{weeks} of {weeks}", "25.00", "500.00",
                           "500.00", "final"]
    assert rows[3][1:] == [zoe.intern.email, f"{year:04d}-{month:02d}", f"{weeks} of {weeks}", "31.00", "750.00",
                           "750.00", "final"]
    admin = app.test_client()
    sign_in(admin, AdminFactory())
    assert len(csv_rows(admin.get(f"/hours/stipends.csv?month={year:04d}-{month:02d}"))) == 5


def test_the_csv_rounds_the_average_half_up_as_the_statement_shows_it(app):
    """74 h over 3 weeks is 24.666… h a week: 24.67 in the CSV and on the statement, not 24.66."""
    year, month = past_month(2)
    weeks = month_weeks(year, month)
    placement = PlacementFactory(start_date=weeks[-3], stipend_eligible=True)
    learning, _ = categories(placement.program)
    for monday, week_hours in zip(weeks[-3:], (25, 25, 24), strict=True):
        add_week(placement, monday, (week_hours * H, learning))
    staff = app.test_client()
    sign_in(staff, placement.supervisor)
    [header, row] = csv_rows(staff.get(f"/hours/stipends.csv?month={year:04d}-{month:02d}"))
    assert dict(zip(header, row, strict=True)) == {
        "intern": placement.intern.full_name,
        "email": placement.intern.email,
        "month": f"{year:04d}-{month:02d}",
        "weeks counted": f"3 of {len(weeks)}",
        "average hours": "24.67",
        "tier": "0.00",
        "amount": "0.00",
        "status": "final",
    }
    page = parse(staff.get(statement_url(placement, year, month)).data)
    assert texts(page, ".fig-average") == ["24.67 h"]
    assert "Average: 74 h ÷ 3 weeks = 24.67 h a week" in texts(page, ".stipend-steps li")


@pytest.mark.parametrize("month", ["", "2025-13", "October", "2025-1", "9999-12"])
def test_a_bad_month_gets_a_clear_400(app, client, month):
    sign_in(client, AdminFactory())
    response = client.get(f"/hours/stipends.csv?month={month}")
    assert response.status_code == 400
    assert "YYYY-MM" in response.get_data(as_text=True)


def test_a_past_month_with_a_week_waiting_for_approval_is_so_far_in_the_csv(app):
    year, month = past_month(2)
    weeks = month_weeks(year, month)
    settled = full_month_placement(year, month, hours=(30,) * len(weeks))
    waiting = full_month_placement(year, month, hours=(30,) * (len(weeks) - 1))
    learning, _ = categories(waiting.program)
    add_week(waiting, weeks[-1], (30 * H, learning), status=WeekStatus.SUBMITTED)
    client = app.test_client()
    sign_in(client, AdminFactory())
    rows = csv_rows(client.get(f"/hours/stipends.csv?month={year:04d}-{month:02d}"))
    status = {row[1]: row[-1] for row in rows[1:]}
    assert status == {settled.intern.email: "final", waiting.intern.email: "so far"}


def test_only_staff_get_the_csv(app):
    intern = app.test_client()
    sign_in(intern, InternFactory())
    assert intern.get("/hours/stipends.csv?month=2025-10").status_code == 403
    anonymous = app.test_client().get("/hours/stipends.csv?month=2025-10")
    assert anonymous.status_code == 302 and "/auth/" in anonymous.headers["Location"]


def test_the_csv_reads_only_the_month_and_matches_each_statement(app):
    """The bookkeeper's row for a month is the month's statement, whatever the weeks around it: a short
    week before the month and a week waiting for approval after it change neither."""
    year, month = past_month(2)
    weeks = month_weeks(year, month)
    placement = full_month_placement(year, month, hours=(30, 36, 33, 35, 34), start_date=weeks[0] - timedelta(weeks=2))
    learning, _ = categories(placement.program)
    add_week(placement, weeks[0] - timedelta(weeks=1), (5 * H, learning))
    add_week(placement, weeks[-1] + timedelta(weeks=1), (30 * H, learning), status=WeekStatus.SUBMITTED)
    client = app.test_client()
    sign_in(client, AdminFactory())
    [header, row] = csv_rows(client.get(f"/hours/stipends.csv?month={year:04d}-{month:02d}"))
    figures = dict(zip(header, row, strict=True))
    page = parse(client.get(statement_url(placement, year, month)).data)
    assert figures["status"] == "final" and figures["weeks counted"] == f"{len(weeks)} of {len(weeks)}"
    assert texts(page, ".fig-average") == [f"{figures['average hours']} h"]
    expected = sum((30, 36, 33, 35, 34)[: len(weeks)]) / len(weeks)
    assert figures["average hours"] == f"{expected:.2f}"
