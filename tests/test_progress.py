"""services.progress: one grouped query for the weeks of many placements, figures from portal.rules.

The helpers here (``add_week``, ``known_placement``, ``count_queries``) are shared by the other hours
tests (dashboard, stipends, statement, compliance).
"""

from __future__ import annotations

from contextlib import contextmanager
from datetime import date, timedelta

import pytest
from factories import (
    ActivityCategoryFactory,
    AdminFactory,
    InternFactory,
    PlacementFactory,
    TimesheetEntryFactory,
    TimesheetWeekFactory,
    UserFactory,
)
from sqlalchemy import event

from portal.database import utcnow
from portal.extensions import db
from portal.models import Placement, WeekStatus
from portal.rules.compliance import WeekState
from portal.rules.weeks import CompletionState, week_monday
from portal.services import progress
from portal.services.spreadsheets import neutralise_cell

H = 60


def this_monday() -> date:
    return week_monday(date.today())


def weeks_ago(n: int) -> date:
    return this_monday() - timedelta(weeks=n)


def add_week(placement, monday: date, *entries, status=WeekStatus.APPROVED, submitted_at=None):
    """A timesheet with entries given as (minutes, category), each spread over days of at most 10 h."""
    if submitted_at is None and status in (WeekStatus.SUBMITTED, WeekStatus.APPROVED):
        submitted_at = utcnow() - timedelta(days=1)
    week = TimesheetWeekFactory(placement=placement, week_start=monday, status=status, submitted_at=submitted_at)
    day = 0
    for minutes, category in entries:
        while minutes > 0:
            chunk = min(minutes, 10 * H)
            work_date = monday + timedelta(days=day % 7)
            TimesheetEntryFactory(week=week, work_date=work_date, minutes=chunk, category=category)
            minutes -= chunk
            day += 1
    return week


def categories(program):
    """The program's learning and operational categories (made on first use)."""
    found = {category.name: category for category in program.categories}
    learning = found.get("Training received") or ActivityCategoryFactory(
        program=program, name="Training received", is_learning=True
    )
    operational = found.get("Direct support of a campaign") or ActivityCategoryFactory(
        program=program, name="Direct support of a campaign", is_learning=False
    )
    db.session.refresh(program)
    return learning, operational


def known_placement(**overrides) -> Placement:
    """Started 6 weeks ago. Weeks: 20 h, 14 h (short), 25 h, nothing (missing), returned (missing),
    18 h submitted 4 days ago (waiting, overdue), and 6 h so far this week.

    Expected: 2 of 12 qualifying weeks; learning 31 h of 59 h in the last 4 complete weeks; at risk
    (two missing weeks in a row); 9 h to go this week.
    """
    placement = PlacementFactory(start_date=weeks_ago(6), stipend_eligible=True, **overrides)
    learning, operational = categories(placement.program)
    add_week(placement, weeks_ago(6), (15 * H, learning), (5 * H, operational))
    add_week(placement, weeks_ago(5), (4 * H, learning), (10 * H, operational))
    add_week(placement, weeks_ago(4), (5 * H, learning), (20 * H, operational))
    add_week(placement, weeks_ago(2), (16 * H, learning), status=WeekStatus.RETURNED)
    add_week(
        placement, weeks_ago(1), (10 * H, learning), (8 * H, operational),
        status=WeekStatus.SUBMITTED, submitted_at=utcnow() - timedelta(days=4),
    )
    add_week(placement, this_monday(), (6 * H, learning), status=WeekStatus.DRAFT)
    return placement


def parse(html: str | bytes):
    """The page as a tree to query with CSS selectors (tinyhtml5 and cssselect2 come with WeasyPrint)."""
    import cssselect2
    import tinyhtml5

    if isinstance(html, bytes):
        html = html.decode()
    return cssselect2.ElementWrapper.from_html_root(tinyhtml5.parse(html))


def texts(tree, selector: str) -> list[str]:
    """The text of each element matching ``selector``, whitespace collapsed."""
    return [" ".join("".join(el.etree_element.itertext()).split()) for el in tree.query_all(selector)]


def elements(tree, selector: str) -> list:
    return [el.etree_element for el in tree.query_all(selector)]


@contextmanager
def count_queries():
    """Every SQL statement run on the engine inside the block."""
    statements: list[str] = []

    def listener(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)


def test_week_records_sum_logged_and_learning_minutes_in_one_query(app):
    placement = known_placement()
    other = PlacementFactory()
    learning, _ = categories(other.program)
    add_week(other, week_monday(other.start_date), (3 * H, learning))
    ids = [placement.id, other.id]
    db.session.expire_all()
    with count_queries() as statements:
        records = progress.week_records(ids)
    assert len(statements) == 1
    by_monday = {record.monday: record for record in records[ids[0]]}
    assert (by_monday[weeks_ago(6)].logged_minutes, by_monday[weeks_ago(6)].learning_minutes) == (20 * H, 15 * H)
    assert by_monday[weeks_ago(1)].status == "submitted"
    assert by_monday[weeks_ago(1)].approved_minutes == 0
    assert weeks_ago(3) not in by_monday
    assert [record.logged_minutes for record in records[ids[1]]] == [3 * H]


def test_progress_of_the_known_placement(app):
    placement = known_placement()
    result = progress.placement_progress(placement, today=date.today(), now=utcnow())
    standing = result.standing
    assert standing.qualifying_weeks == 2
    assert [week.monday for week in standing.short_weeks] == [weeks_ago(5)]
    assert [week.monday for week in standing.missing_weeks] == [weeks_ago(3), weeks_ago(2)]
    assert [week.monday for week in standing.overdue_weeks] == [weeks_ago(1)]
    assert standing.this_week.state is WeekState.OPEN and standing.this_week_minutes_left == 9 * H
    assert (standing.learning.learning_minutes, standing.learning.total_minutes) == (31 * H, 59 * H)
    assert standing.risk == (weeks_ago(3), weeks_ago(2))
    assert standing.completion.state is CompletionState.IN_PROGRESS
    assert standing.completion.projected_completion == this_monday() + timedelta(weeks=9, days=6)


def test_stipends_only_for_eligible_placements(app):
    eligible = known_placement()
    not_eligible = PlacementFactory(start_date=weeks_ago(6), stipend_eligible=False)
    today = date.today()
    eligible_progress, other_progress = progress.progress_for([eligible, not_eligible], today=today, now=utcnow())
    months = eligible_progress.stipends()
    assert months and months[0].final is False  # the current month comes first, "so far"
    assert other_progress.stipends() == []
    assert other_progress.stipend(today.year, today.month) is None


def test_an_intern_dashboard_shows_the_ongoing_placement_before_an_ended_one(app):
    intern = InternFactory()
    PlacementFactory(intern=intern, start_date=weeks_ago(30), end_date=weeks_ago(16))
    ongoing = PlacementFactory(intern=intern, start_date=weeks_ago(10))
    assert progress.current_placement(intern, date.today()).id == ongoing.id


def test_an_intern_dashboard_shows_the_running_placement_before_a_future_one(app):
    intern = InternFactory()
    PlacementFactory(intern=intern, start_date=weeks_ago(30), end_date=weeks_ago(16))
    running = PlacementFactory(intern=intern, start_date=weeks_ago(4))
    PlacementFactory(intern=intern, start_date=this_monday() + timedelta(weeks=8))
    assert progress.current_placement(intern, date.today()).id == running.id


def test_an_intern_dashboard_shows_the_soonest_future_placement_then_the_latest_ended(app):
    intern = InternFactory()
    older = PlacementFactory(intern=intern, start_date=weeks_ago(40), end_date=weeks_ago(30))
    latest = PlacementFactory(intern=intern, start_date=weeks_ago(20), end_date=weeks_ago(10))
    assert progress.current_placement(intern, date.today()).id == latest.id != older.id
    PlacementFactory(intern=intern, start_date=this_monday() + timedelta(weeks=8))
    soonest = PlacementFactory(intern=intern, start_date=this_monday() + timedelta(weeks=2))
    assert progress.current_placement(intern, date.today()).id == soonest.id


def test_visible_placements_by_role(app):
    supervisor = UserFactory()
    mine = PlacementFactory(supervisor=supervisor)
    theirs = PlacementFactory()
    ids = lambda user: set(db.session.scalars(progress.visible_placements(user).with_only_columns(Placement.id)))  # noqa: E731
    assert ids(supervisor) == {mine.id}
    assert ids(AdminFactory()) == {mine.id, theirs.id}
    assert ids(mine.intern) == {mine.id}


@pytest.mark.parametrize(
    ("minutes", "text"),
    [(25 * H, "25.00"), (25 * H + 30, "25.50"), (25 * H - 1, "24.98"), (0, "0.00")],
)
def test_decimal_hours_never_round_up_past_a_threshold(minutes, text):
    assert progress.decimal_hours(minutes) == text


@pytest.mark.parametrize(
    ("value", "parsed"),
    [("2025-10", (2025, 10)), ("2025-13", None), ("25-10", None), ("", None), (None, None), ("2025-10-01", None),
     ("9999-12", None), ("3000-01", None), ("2999-12", (2999, 12))],
)
def test_parse_month(value, parsed):
    assert progress.parse_month(value) == parsed


@pytest.mark.parametrize(
    ("value", "cell"),
    [("=HYPERLINK(\"x\")", "'=HYPERLINK(\"x\")"), ("+1 555", "'+1 555"), ("@SUM", "'@SUM"), ("-12.50", "-12.50"),
     ("Ana", "Ana")],
)
def test_neutralise_cell(value, cell):
    assert neutralise_cell(value) == cell
