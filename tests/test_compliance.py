"""Compliance for supervisors and admins: flags per intern, who sees whom, and a bounded query count."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from factories import AdminFactory, InternFactory, PlacementFactory, ProgramFactory, UserFactory
from session_support import sign_in
from test_progress import (
    H,
    add_week,
    categories,
    count_queries,
    elements,
    known_placement,
    parse,
    texts,
    weeks_ago,
)

from portal.database import utcnow
from portal.extensions import db
from portal.models import ActivityCategory, Placement, Role, TimesheetEntry, TimesheetWeek, User, WeekStatus


def row(page, placement) -> dict[str, str]:
    rows = page.query_all("tr.compliance-row")
    [tr] = [el for el in rows if el.etree_element.get("data-placement") == str(placement.id)]
    cells = {}
    for name in ("qualifying", "short", "missing", "risk", "learning", "overdue"):
        [cell] = [" ".join("".join(td.etree_element.itertext()).split()) for td in tr.query_all(f"td.cell-{name}")]
        cells[name] = cell
    return cells


def test_compliance_flags_risk_learning_and_waiting_approvals(app, client):
    supervisor = UserFactory(full_name="Sam Supervisor")
    at_risk = known_placement(supervisor=supervisor, intern=InternFactory(full_name="Ana At-Risk"))

    low_learning = PlacementFactory(start_date=weeks_ago(2), supervisor=supervisor)
    learning, operational = categories(low_learning.program)
    add_week(low_learning, weeks_ago(2), (4 * H, learning), (16 * H, operational))
    add_week(low_learning, weeks_ago(1), (5 * H, learning), (15 * H, operational))

    recent_wait = PlacementFactory(start_date=weeks_ago(2), supervisor=supervisor)
    learning, _ = categories(recent_wait.program)
    add_week(recent_wait, weeks_ago(2), (20 * H, learning))
    add_week(recent_wait, weeks_ago(1), (20 * H, learning), status=WeekStatus.SUBMITTED,
             submitted_at=utcnow() - timedelta(days=2))

    sign_in(client, supervisor)
    response = client.get("/hours/compliance")
    assert response.status_code == 200
    page = parse(response.data)
    risky = row(page, at_risk)
    assert risky["qualifying"] == "2 of 12" and risky["short"] == "1" and risky["missing"] == "2"
    assert risky["risk"].startswith("At risk")
    assert risky["learning"] == "52%"
    assert risky["overdue"] == "1"  # submitted 4 days ago
    low = row(page, low_learning)
    assert low["learning"] == "22% under half" and low["risk"] == "No"
    waiting = row(page, recent_wait)
    assert waiting["overdue"] == "0" and waiting["risk"] == "No" and waiting["learning"] == "100%"
    assert texts(page, ".summary-at-risk") == ["1"]
    assert texts(page, ".summary-learning") == ["1"]
    assert texts(page, ".summary-overdue") == ["1"]


def test_supervisors_see_their_interns_and_admins_everyone(app):
    supervisor = UserFactory()
    mine = PlacementFactory(supervisor=supervisor)
    theirs = PlacementFactory()
    client = app.test_client()
    sign_in(client, supervisor)
    page = parse(client.get("/hours/compliance").data)
    assert [el.get("data-placement") for el in elements(page, "tr.compliance-row")] == [str(mine.id)]
    assert "Supervisor" not in texts(page, "thead th")
    admin = app.test_client()
    sign_in(admin, AdminFactory())
    page = parse(admin.get("/hours/compliance").data)
    assert {el.get("data-placement") for el in elements(page, "tr.compliance-row")} == {str(mine.id), str(theirs.id)}
    assert "Supervisor" in texts(page, "thead th")


def test_interns_get_403_and_anonymous_visitors_sign_in(app):
    intern = app.test_client()
    sign_in(intern, InternFactory())
    assert intern.get("/hours/compliance").status_code == 403
    anonymous = app.test_client().get("/hours/compliance")
    assert anonymous.status_code == 302 and "/auth/" in anonymous.headers["Location"]


def _bulk_interns(program, supervisor, category_ids, count: int, weeks: int, offset: int) -> None:
    """``count`` placements of ``weeks`` weeks each (approved, one short), added in one commit."""
    learning_id, operational_id = category_ids
    for number in range(offset, offset + count):
        intern = User(email=f"bulk{number}@example.org", full_name=f"Bulk Intern {number:03d}", role=Role.INTERN)
        placement = Placement(program=program, intern=intern, supervisor=supervisor, start_date=weeks_ago(weeks),
                              committed_minutes_per_week=25 * H, stipend_eligible=number % 2 == 0)
        for n in range(weeks, 0, -1):
            monday = weeks_ago(n)
            status = WeekStatus.SUBMITTED if n == 1 else WeekStatus.APPROVED
            week = TimesheetWeek(placement=placement, week_start=monday, status=status,
                                 submitted_at=datetime.combine(monday + timedelta(days=6), time(18), tzinfo=UTC))
            week.entries = [
                TimesheetEntry(work_date=monday, minutes=10 * H, category_id=learning_id),
                TimesheetEntry(work_date=monday + timedelta(days=1), minutes=(2 if n == 5 else 8) * H,
                               category_id=operational_id),
            ]
            db.session.add(week)
        db.session.add(placement)
    db.session.commit()


def _compliance_queries(client) -> tuple[int, int]:
    with count_queries() as statements:
        response = client.get("/hours/compliance")
    assert response.status_code == 200
    return len(statements), len(elements(parse(response.data), "tr.compliance-row"))


def test_the_compliance_page_runs_the_same_queries_for_2_and_50_interns(app, client):
    program = ProgramFactory()
    learning = ActivityCategory(program=program, name="Training received", is_learning=True)
    operational = ActivityCategory(program=program, name="Campaign support", is_learning=False)
    db.session.add_all([learning, operational])
    db.session.commit()
    supervisor = UserFactory()
    sign_in(client, supervisor)
    _bulk_interns(program, supervisor, (learning.id, operational.id), count=2, weeks=20, offset=0)
    small, small_rows = _compliance_queries(client)
    _bulk_interns(program, supervisor, (learning.id, operational.id), count=48, weeks=20, offset=2)
    large, large_rows = _compliance_queries(client)
    print(f"\ncompliance page queries: 2 interns x 20 weeks -> {small}; 50 interns x 20 weeks -> {large}")
    assert (small_rows, large_rows) == (2, 50)
    assert small == large
    assert large <= 6
