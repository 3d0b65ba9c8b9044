"""The internships report: its figures on known data (each checked against the page that owns it: the hours
statement's completion, the stipend statement's amount), supervisor scoping, filters, CSV and a fixed number
of queries whatever the number of interns.

The known data are in autumn 2020, long over, so every week is over and every figure is fixed whatever day
the suite runs. In that calendar (weeks by their Thursday) September has the weeks of 31 August to 21
September, October those of 28 September to 26 October.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

import pytest
from factories import (
    ActivityCategoryFactory,
    ConcernFactory,
    PlacementFactory,
    ProgramFactory,
)
from session_support import sign_in
from test_progress import add_week, count_queries, parse, texts

from portal.database import utcnow
from portal.extensions import db
from portal.models import WeekStatus
from portal.rules.placements import Outcome
from portal.rules.report_internships import format_wait, learning_bucket, range_mondays
from portal.rules.weeks import CompletionState
from portal.services import report_internships as service
from portal.services.progress import placement_progress

pytestmark = pytest.mark.program_settings(min_weeks=3)

H = 60
FIRST, LAST = date(2020, 9, 1), date(2020, 10, 31)
RANGE = {"date_from": FIRST.isoformat(), "date_to": LAST.isoformat()}


def monday(month: int, day: int) -> date:
    return date(2020, month, day)


def at(month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(2020, month, day, hour, minute, tzinfo=UTC)


@pytest.fixture
def known(program, supervisor, admin):
    """Three interns of ``program`` (minimum 3 qualifying weeks of 15 h):

    - Ana completed: 30 h learning in each of the weeks of 7, 14 and 21 September; 10 h operational on 28
      September (short); 35 h (20 learning) in each October week. Stipend-eligible.
    - Ben ended before the minimum on 2 October: 20 h, then 10 h (short), all operational.
    - Cleo from 5 October, running: 16 h approved (4 learning), then 8 h submitted (2 learning), exactly 25%
      learning. Stipend-eligible.

    And four concerns in the period: answered after 5 h, 3 days and 40 min, one unanswered; one in November.
    """
    learning, operational = program.categories[0], program.categories[2]
    assert learning.is_learning and not operational.is_learning
    ana = PlacementFactory(
        program=program, application__program=program, supervisor=supervisor, intern__full_name="Ana",
        start_date=monday(9, 7), end_date=date(2020, 11, 27), stipend_eligible=True,
        committed_minutes_per_week=30 * H,
    )
    for start in (monday(9, 7), monday(9, 14), monday(9, 21)):
        add_week(ana, start, (30 * H, learning))
    add_week(ana, monday(9, 28), (10 * H, operational))
    for start in (monday(10, 5), monday(10, 12), monday(10, 19), monday(10, 26)):
        add_week(ana, start, (20 * H, learning), (15 * H, operational))
    ben = PlacementFactory(
        program=program, application__program=program, supervisor=supervisor, intern__full_name="Ben",
        start_date=monday(9, 7), end_date=date(2020, 10, 2), outcome=Outcome.ENDED_EARLY, end_reason="Moved away",
    )
    add_week(ben, monday(9, 7), (20 * H, operational))
    add_week(ben, monday(9, 14), (10 * H, operational))
    cleo = PlacementFactory(
        program=program, application__program=program, supervisor=supervisor, intern__full_name="Cleo",
        start_date=monday(10, 5), stipend_eligible=True, committed_minutes_per_week=25 * H,
    )
    add_week(cleo, monday(10, 5), (4 * H, learning), (12 * H, operational))
    add_week(cleo, monday(10, 12), (2 * H, learning), (6 * H, operational), status=WeekStatus.SUBMITTED)
    for raised, answered in (
        (at(9, 10, 10), at(9, 10, 15)),
        (at(9, 20, 9), at(9, 23, 9)),
        (at(10, 3, 12), at(10, 3, 12, 40)),
        (at(10, 20), None),
        (at(11, 5), at(11, 6)),
    ):
        ConcernFactory(placement=ana, created_at=raised, answered_at=answered, answer="Thank you" if answered else "")
    db.session.commit()
    return {"ana": ana, "ben": ben, "cleo": cleo}


@pytest.fixture
def elsewhere(admin):
    """An intern of another program, which the supervisor neither reviews nor supervises."""
    other = ProgramFactory(title="Spring Organizing", min_weeks=3)
    category = ActivityCategoryFactory(program=other, name="Training", is_learning=True)
    placement = PlacementFactory(program=other, application__program=other, start_date=monday(9, 7))
    add_week(placement, monday(9, 7), (40 * H, category))
    db.session.commit()
    return placement


def report(program_ids, first=FIRST, last=LAST, *, with_concerns=True):
    return service.internship_report(
        program_ids, first, last, today=date.today(), now=utcnow(), with_concerns=with_concerns
    )


# ---- the figures ------------------------------------------------------------------------------------


def test_interns_by_where_they_stand_agree_with_their_hours_statements(app, program, known):
    figures = report([program.id])
    assert (figures.counts.active, figures.counts.completed, figures.counts.ended_early) == (3, 1, 1)
    assert figures.counts.in_progress == 1
    # The same words as each intern's hours statement at the end of the period.
    states = {
        name: placement_progress(placement, today=LAST, now=utcnow()).standing.completion.state
        for name, placement in known.items()
    }
    assert states == {
        "ana": CompletionState.COMPLETE,
        "ben": CompletionState.ENDED_EARLY,
        "cleo": CompletionState.IN_PROGRESS,
    }


def test_a_period_before_the_minimum_was_reached_counts_the_intern_in_progress(app, program, known):
    # By 13 September Ana had one qualifying week of three; Cleo had not started.
    figures = report([program.id], last=date(2020, 9, 13))
    assert (figures.counts.active, figures.counts.completed, figures.counts.ended_early) == (2, 0, 0)


def test_approved_hours_and_qualifying_weeks_per_month(app, program, known):
    september, october = report([program.id]).months
    assert (september.label, october.label) == ("September 2020", "October 2020")
    assert september.approved_minutes == (90 + 30) * H  # Ana 3 × 30 h, Ben 20 h + 10 h
    assert october.approved_minutes == (10 + 4 * 35 + 16) * H  # Cleo's submitted week is not approved
    # September: Ana 3 weeks over, Ben 3 (the week of 21 September missing): 4 qualifying, 1 short.
    assert (september.weeks_over, september.qualifying_weeks, september.short_weeks) == (6, 4, 1)
    assert september.qualifying_percent == 66  # 4 of 6, rounded down
    # October: Ana 5 weeks, Ben 1 (ended 2 October), Cleo 4: Ana's four 35 h weeks and Cleo's 16 h qualify.
    assert (october.weeks_over, october.qualifying_weeks, october.short_weeks, october.other_weeks) == (10, 5, 1, 4)
    assert october.qualifying_percent == 50


def test_stipends_per_month_are_what_the_stipend_statements_say(app, program, known):
    september, october = report([program.id]).months
    statements = {
        (name, month): placement_progress(known[name], today=date.today(), now=utcnow()).stipend(2020, month)
        for name in ("ana", "cleo")
        for month in (9, 10)
    }
    assert statements[("cleo", 9)] is None  # not started
    assert statements[("ana", 9)].stipend.amount_cents == 56_250  # 30 h a week: $750 × 3/4 weeks
    assert statements[("ana", 10)].stipend.amount_cents == 75_000  # 150 h / 5 weeks = 30 h: $750
    assert september.stipend_cents == statements[("ana", 9)].stipend.amount_cents
    assert october.stipend_cents == sum(statements[(name, 10)].stipend.amount_cents for name in ("ana", "cleo"))
    assert (september.stipend_interns, october.stipend_interns) == (1, 2)  # Ben is not stipend-eligible
    # Cleo's week of 12 October still waits for approval: October is "so far", as on her statement.
    assert september.stipend_final and not statements[("cleo", 10)].final and not october.stipend_final


def test_learning_share_distribution(app, program, known):
    # Ana 170 of 240 h (70.8%), Ben 0 of 30 h, Cleo 6 of 24 h: exactly 25% is in "25% to under 50%".
    assert report([program.id]).learning == [
        ("Under 25%", 1),
        ("25% to under 50%", 1),
        ("50% to under 75%", 1),
        ("75% and more", 0),
    ]


def test_concerns_raised_answered_and_time_to_answer(app, program, known):
    concerns = report([program.id]).concerns
    assert (concerns.raised, concerns.answered) == (4, 3)  # the one of 5 November is after the period
    # Sorted: 40 min, 5 h, 72 h: the median is the middle one, the 90th percentile (nearest rank 3 of 3) the last.
    assert concerns.median_seconds == pytest.approx(5 * 3600, abs=1)
    assert concerns.p90_seconds == pytest.approx(72 * 3600, abs=1)
    assert (concerns.median, concerns.p90) == ("5 h", "3 days")


def test_a_period_with_nothing_in_it(app, program, known):
    figures = report([program.id], first=date(2019, 1, 1), last=date(2019, 1, 31))
    assert (figures.counts.active, figures.months, figures.qualifying_percent) == (0, [], None)
    assert (figures.concerns.raised, figures.concerns.median) == (0, "–")
    # A period of one month lists that month only.
    figures = report([program.id], first=date(2020, 9, 1), last=date(2020, 9, 30))
    assert [month.key for month in figures.months] == ["2020-09"]


def test_the_rules_behind_the_report():
    assert learning_bucket(1, 4) == 1 and learning_bucket(99, 400) == 0 and learning_bucket(3, 4) == 3
    assert learning_bucket(0, 0) is None
    assert format_wait(40 * 60) == "40 min" and format_wait(5 * 3600 + 29 * 60) == "5 h"
    assert format_wait(47 * 3600) == "47 h" and format_wait(72 * 3600) == "3 days"
    # Weeks by their Thursday: 1 September 2020 is a Tuesday, so the week of 31 August (Thursday 3rd) is in.
    assert range_mondays(FIRST, LAST)[0] == date(2020, 8, 31)
    assert range_mondays(FIRST, LAST)[-1] == date(2020, 10, 26)
    assert range_mondays(date(2020, 9, 4), date(2020, 9, 9)) == []  # neither Thursday 3rd nor 10th


# ---- the page ---------------------------------------------------------------------------------------


def page(client, **args):
    return client.get("/reports/internships", query_string=args)


def cells(tree, table: str) -> dict[str, list[str]]:
    """Each row of a report table by its first cell."""
    rows = {}
    for row in tree.query_all(f"#{table}-table tbody tr"):
        values = [" ".join("".join(cell.etree_element.itertext()).split()) for cell in row.query_all("th, td")]
        rows[values[0]] = values[1:]
    return rows


def test_the_admin_page_shows_each_chart_with_its_table(app, client, admin, program, known, elsewhere):
    sign_in(client, admin)
    response = page(client, program=program.id, **RANGE)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    tree = parse(response.data)
    for key in ("interns", "hours", "qualifying", "stipends", "learning", "concerns"):
        svg = tree.query(f"svg#{key}-chart")
        assert svg is not None and svg.etree_element.get("role") == "img", key
        assert texts(tree, f"svg#{key}-chart title"), key
    assert cells(tree, "interns")["Completed the minimum"] == ["1"]
    assert cells(tree, "hours")["September 2020"] == ["120 h"]
    assert cells(tree, "qualifying")["October 2020"] == ["10", "5", "1", "4", "50%"]
    assert cells(tree, "stipends")["September 2020"] == ["1", "$562.50", "final"]
    assert "1 September 2020 to 31 October 2020" in texts(tree, ".lead")[0]
    assert cells(tree, "stipends")["October 2020"] == ["2", "$750.00", "so far"]
    assert cells(tree, "concerns")["Median time to answer"] == ["5 h"]
    # All programs: the other program's intern counts too.
    tree = parse(page(client, **RANGE).data)
    assert cells(tree, "interns")["Active in the period"] == ["4"]


def test_a_supervisor_sees_their_programs_only_and_no_concerns(app, client, supervisor, program, known, elsewhere):
    sign_in(client, supervisor)
    tree = parse(page(client, **RANGE).data)
    assert cells(tree, "interns")["Active in the period"] == ["3"]
    assert cells(tree, "hours")["September 2020"] == ["120 h"]  # not the other program's 40 h
    assert tree.query("#concerns-table") is None and tree.query("svg#concerns-chart") is None
    exported = client.get("/reports/internships.csv", query_string=RANGE).get_data(as_text=True)
    assert "Active in the period,3" in exported and "Concerns" not in exported
    assert page(client, program=elsewhere.program_id, **RANGE).status_code == 404
    assert client.get("/reports/internships.csv", query_string={"program": elsewhere.program_id}).status_code == 404
    assert page(client, program="999999", **RANGE).status_code == 404


def test_bad_dates_are_shown_beside_their_field_never_a_500(app, client, admin, program, known):
    sign_in(client, admin)
    response = page(client, date_from="2020-13-45", date_to="2020-10-31")
    assert response.status_code == 422
    tree = parse(response.data)
    assert texts(tree, "#date_from-error") == ["Error: Enter a date, like 2026-08-01"]
    assert cells(tree, "interns")["Active in the period"] == ["3"]  # the bad date is left out, the rest applies
    response = page(client, date_from="2020-10-31", date_to="2020-09-01")
    assert response.status_code == 422
    assert texts(parse(response.data), "#date_to-error") == ["Error: Enter an end date on or after the start date"]
    for value in ("²", "9" * 30, "2020-02-30", "\x00"):
        assert page(client, date_from=value, program=value).status_code < 500
    # The first and last days there are: the whole history, counted up to today.
    tree = parse(page(client, date_from="0001-01-01", date_to="9999-12-31").data)
    assert cells(tree, "concerns")["Raised"] == ["5"]


def test_csv_holds_the_same_figures_formula_safe(app, client, admin, program, known):
    program.title = "=HYPERLINK(\"http://evil.example\")"
    db.session.commit()
    sign_in(client, admin)
    response = client.get("/reports/internships.csv", query_string={"program": program.id, **RANGE})
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == 'attachment; filename="internships-2020-09-01-2020-10-31.csv"'
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert ["Programs", "'=HYPERLINK(\"http://evil.example\")"] in rows
    header = rows.index(next(row for row in rows if row and row[0] == "month"))
    months = {row[0]: dict(zip(rows[header], row, strict=True)) for row in rows[header + 1 : header + 3]}
    assert months["2020-09"]["approved hours"] == "120.00"
    assert months["2020-09"]["stipends"] == "562.50"
    assert months["2020-10"]["qualifying share %"] == "50"
    assert ["Median time to answer", "5 h"] in rows


# ---- queries ----------------------------------------------------------------------------------------


def many_interns(program, count: int):
    learning = program.categories[0]
    for index in range(count):
        placement = PlacementFactory(
            program=program, application__program=program, start_date=monday(9, 7), stipend_eligible=index % 2 == 0
        )
        add_week(placement, monday(9, 7), (20 * H, learning))
        ConcernFactory(placement=placement, created_at=at(9, 9), answered_at=at(9, 10) if index % 2 else None)
    db.session.commit()


def queries_for(app, admin, path: str) -> int:
    client = app.test_client()
    sign_in(client, admin)
    db.session.expire_all()
    with count_queries() as statements:
        assert client.get(path, query_string=RANGE).status_code == 200
    return len(statements)


def test_the_page_runs_the_same_number_of_queries_for_5_and_50_interns(app, admin, program):
    many_interns(program, 5)
    with_5 = [queries_for(app, admin, path) for path in ("/reports/internships", "/reports/internships.csv")]
    many_interns(program, 45)
    with_50 = [queries_for(app, admin, path) for path in ("/reports/internships", "/reports/internships.csv")]
    assert with_5 == with_50
    # The signed-in person, the programs for the filter, the first start, then one query per figure
    # (standing, hours, weeks over, learning, two for concerns) and three for stipends (placements, tiers, weeks).
    assert with_50[0] <= 12
    # And the figures did see all 50.
    assert report([program.id]).counts.active == 50
