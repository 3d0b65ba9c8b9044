"""The hours dashboard: where an intern stands, the weekly chart and its table, and who may see it."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from factories import AdminFactory, InternFactory, PlacementFactory, UserFactory
from session_support import sign_in
from test_progress import (
    H,
    add_week,
    categories,
    elements,
    known_placement,
    parse,
    texts,
    this_monday,
    weeks_ago,
)

from portal.extensions import db
from portal.models import Placement, Role, User
from portal.services.demo import DEMO_WEEK_HOURS, seed_demo

_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")


def long_date(d: date) -> str:
    return f"{d.day} {_MONTHS[d.month - 1]} {d.year}"


def test_the_dashboard_shows_where_the_intern_stands(app, client):
    placement = known_placement()
    sign_in(client, placement.intern)
    response = client.get("/hours/")
    assert response.status_code == 200
    page = parse(response.data)
    assert texts(page, "h1") == ["Your hours"]
    # This week: 6 h logged against the 15 h minimum.
    [this_week] = texts(page, "section[aria-labelledby=this-week-heading]")
    assert texts(page, ".this-week-hours") == ["6 h"]
    assert "of the 15 h minimum" in this_week and "9 h to go this week" in this_week
    # 2 of 12 qualifying weeks; at the earliest 10 more weeks from this one.
    assert texts(page, ".qualifying-weeks") == ["2"]
    assert "of 12 qualifying weeks" in texts(page, "section[aria-labelledby=minimum-heading]")[0]
    assert texts(page, ".projected-completion") == [long_date(this_monday() + timedelta(weeks=9, days=6))]
    # Short and missing weeks, listed by date.
    assert texts(page, ".short-count") == ["1"] and texts(page, ".missing-count") == ["2"]
    assert texts(page, ".short-weeks li") == [f"Week of {long_date(weeks_ago(5))}: 14 h"]
    assert texts(page, ".missing-weeks li") == [
        f"Week of {long_date(weeks_ago(3))}",
        f"Week of {long_date(weeks_ago(2))}: 16 h logged, not submitted",
    ]
    assert "approval overdue" in texts(page, ".waiting-weeks li")[0]
    assert texts(page, ".at-risk") and long_date(weeks_ago(3)) in texts(page, ".at-risk")[0]
    # Learning: 31 h of 59 h in the last 4 complete weeks = 52 %.
    assert texts(page, ".learning-share") == ["52%"]
    assert not texts(page, ".learning-under-half")


def test_the_chart_has_a_bar_per_week_both_lines_and_the_table_has_the_same_numbers(app, client):
    placement = known_placement()
    sign_in(client, placement.intern)
    page = parse(client.get("/hours/").data)
    [svg] = elements(page, "svg.hours-chart")
    assert svg.get("role") == "img"
    assert texts(page, "svg.hours-chart title") == ["Approved hours per week"]
    assert texts(page, "svg.hours-chart desc")
    bars = elements(page, "rect.hours-chart__bar")
    assert len(bars) == 7  # six weeks ago up to this week
    [minimum] = elements(page, "line.hours-chart__line--minimum")
    [stipend] = elements(page, "line.hours-chart__line--stipend")
    assert texts(page, ".hours-chart__line-label") == ["25 h stipend", "15 h minimum"]
    assert float(stipend.get("y1")) < float(minimum.get("y1"))  # 25 h is drawn above 15 h
    # The 25 h week's bar reaches exactly the stipend line; the 14 h week's stays under the minimum.
    by_value = {bar.get("data-value"): bar for bar in bars}
    assert float(by_value["25 h"].get("y")) == float(stipend.get("y1"))
    assert float(by_value["14 h"].get("y")) > float(minimum.get("y1"))
    # The table carries the same figures (newest first) with row headers.
    assert texts(page, ".weeks-table caption")
    assert len(elements(page, ".weeks-table tbody th[scope=row]")) == 7
    table_values = texts(page, ".weeks-table tbody td:nth-child(2)")
    assert table_values == [bar.get("data-value") for bar in reversed(bars)]
    assert table_values == ["0 h", "0 h", "0 h", "0 h", "25 h", "14 h", "20 h"]


def test_without_a_stipend_the_chart_has_only_the_minimum_line(app, client):
    placement = PlacementFactory(start_date=weeks_ago(2), stipend_eligible=False)
    learning, _ = categories(placement.program)
    add_week(placement, weeks_ago(1), (16 * H, learning))
    sign_in(client, placement.intern)
    page = parse(client.get("/hours/").data)
    assert texts(page, ".hours-chart__line-label") == ["15 h minimum"]
    assert not texts(page, "#stipend-heading")


def test_learning_under_half_is_flagged_to_the_intern(app, client):
    placement = PlacementFactory(start_date=weeks_ago(2))
    learning, operational = categories(placement.program)
    add_week(placement, weeks_ago(2), (4 * H, learning), (16 * H, operational))
    add_week(placement, weeks_ago(1), (5 * H, learning), (15 * H, operational))
    sign_in(client, placement.intern)
    page = parse(client.get("/hours/").data)
    assert texts(page, ".learning-share") == ["22%"]
    assert "Under half of the hours were learning" in texts(page, ".learning-under-half")[0]


def test_an_intern_without_a_placement_sees_a_friendly_page(app, client):
    sign_in(client, InternFactory())
    response = client.get("/hours/")
    assert response.status_code == 200
    assert "You do not have an internship placement yet" in response.get_data(as_text=True)


def test_a_placement_that_has_not_started_says_when_it_starts(app, client):
    placement = PlacementFactory(start_date=date.today() + timedelta(days=20))
    sign_in(client, placement.intern)
    body = client.get("/hours/").get_data(as_text=True)
    assert f"The internship starts on {long_date(placement.start_date)}" in body


def test_staff_see_a_placement_they_may_view(app, client):
    placement = known_placement()
    sign_in(client, placement.supervisor)
    response = client.get(f"/hours/?placement={placement.id}")
    assert response.status_code == 200
    assert texts(parse(response.data), "h1") == [f"Hours: {placement.intern.full_name}"]
    assert client.get("/hours/").headers["Location"].endswith("/hours/compliance")


def test_another_supervisor_or_intern_gets_404_and_admins_see_everything(app):
    placement = known_placement()
    for user, status in ((UserFactory(), 404), (InternFactory(), 404), (AdminFactory(), 200)):
        client = app.test_client()
        sign_in(client, user)
        assert client.get(f"/hours/?placement={placement.id}").status_code == status, user.role
    client = app.test_client()
    sign_in(client, placement.intern)
    assert client.get("/hours/?placement=abc").status_code == 404
    assert client.get("/hours/?placement=999999").status_code == 404


@pytest.mark.parametrize("value", ["²", "٣", "99999999999"])  # a superscript, an Arabic-Indic digit, over 32 bits
def test_a_placement_argument_that_is_no_id_is_not_found_not_a_500(app, value):
    placement = known_placement()
    client = app.test_client()
    sign_in(client, placement.supervisor)
    assert client.get(f"/hours/?placement={value}").status_code == 404  # as for ?placement=abc


def test_anonymous_visitors_are_sent_to_sign_in(app, client):
    response = client.get("/hours/")
    assert response.status_code == 302
    assert "/auth/" in response.headers["Location"]


def test_the_seeded_demo_placement_looks_right(app, client):
    seed_demo(date.today())
    db.session.commit()
    intern = db.session.scalar(db.select(User).where(User.role == Role.INTERN))
    placement = db.session.scalar(db.select(Placement))
    sign_in(client, intern)
    page = parse(client.get("/hours/").data)
    weeks = len(DEMO_WEEK_HOURS)
    assert len(elements(page, "rect.hours-chart__bar")) == weeks + 1  # and this week
    assert len(elements(page, "rect.hours-chart__pending")) == 1  # the last week waits for approval
    assert texts(page, ".short-weeks li") == [
        f"Week of {long_date(placement.start_date + timedelta(weeks=2))}: 12 h",
        f"Week of {long_date(placement.start_date + timedelta(weeks=5))}: 14 h",
    ]
    qualifying = sum(1 for hours in DEMO_WEEK_HOURS[:-1] if hours >= 15)
    assert texts(page, ".qualifying-weeks") == [str(qualifying)]
    assert texts(page, ".stipend-table tbody th")  # stipend months listed with links
