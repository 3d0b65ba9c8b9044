"""Compliance for supervisors and admins: flags per intern, who sees whom, and a bounded query count."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from factories import AdminFactory, InternFactory, PlacementFactory, ProgramFactory, UserFactory
from session_support import sign_in
from sqlalchemy import insert, select
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
from portal.models import ActivityCategory, Placement, Program, Role, TimesheetEntry, TimesheetWeek, User, WeekStatus


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


def _program_with_categories() -> tuple[Program, tuple[int, int]]:
    """A program with a learning and an operational category (their ids), committed."""
    program = ProgramFactory()
    learning = ActivityCategory(program=program, name="Training received", is_learning=True)
    operational = ActivityCategory(program=program, name="Campaign support", is_learning=False)
    db.session.add_all([learning, operational])
    db.session.commit()
    return program, (learning.id, operational.id)


def _bulk_interns(program, supervisor, category_ids, count: int, weeks: int, offset: int) -> None:
    """``count`` placements of ``weeks`` weeks each (approved, one short, the last one waiting), inserted in
    bulk (four statements), as a large organisation's data would stand."""
    learning_id, operational_id = category_ids
    now = utcnow()
    db.session.execute(insert(User), [
        {"email": f"bulk{number}@example.org", "full_name": f"Bulk Intern {number:03d}", "role": Role.INTERN,
         "active": True, "session_token": f"bulk-token-{number}", "created_at": now,
         "can_view_self_identification": False}
        for number in range(offset, offset + count)
    ])
    interns = db.session.scalars(select(User.id).where(User.email.like("bulk%@example.org"))
                                 .order_by(User.id).offset(offset)).all()
    db.session.execute(insert(Placement), [
        {"program_id": program.id, "intern_id": intern_id, "supervisor_id": supervisor.id,
         "start_date": weeks_ago(weeks), "committed_minutes_per_week": 25 * H, "stipend_eligible": n % 2 == 0,
         "created_at": now, "end_reason": ""}
        for n, intern_id in enumerate(interns)
    ])
    placements = db.session.scalars(select(Placement.id).where(Placement.intern_id.in_(interns))).all()
    db.session.execute(insert(TimesheetWeek), [
        {"placement_id": placement_id, "week_start": weeks_ago(n), "version": 1, "return_note": "",
         "status": WeekStatus.SUBMITTED if n == 1 else WeekStatus.APPROVED,
         "submitted_at": datetime.combine(weeks_ago(n) + timedelta(days=6), time(18), tzinfo=UTC)}
        for placement_id in placements for n in range(weeks, 0, -1)
    ])
    stored = db.session.execute(select(TimesheetWeek.id, TimesheetWeek.week_start)
                                .where(TimesheetWeek.placement_id.in_(placements))).all()
    db.session.execute(insert(TimesheetEntry), [
        {"week_id": week_id, "work_date": monday + timedelta(days=day), "category_id": category, "note": "",
         "minutes": minutes, "created_at": now, "updated_at": now}
        for week_id, monday in stored
        for day, category, minutes in ((0, learning_id, 10 * H),
                                       (1, operational_id, (2 if monday == weeks_ago(5) else 8) * H))
    ])
    db.session.commit()


def _page_queries(client, path: str) -> tuple[int, int]:
    with count_queries() as statements:
        response = client.get(path)
    assert response.status_code == 200
    return len(statements), len(elements(parse(response.data), "tr.compliance-row"))


def test_the_compliance_page_runs_the_same_queries_for_20_and_500_interns(app, client):
    """A supervisor of 20 interns and one of 500 (26 weeks each) wait for the same five queries: the
    page reads its 25 rows' weeks, never every intern's."""
    program, category_ids = _program_with_categories()
    supervisor = UserFactory()
    sign_in(client, supervisor)
    _bulk_interns(program, supervisor, category_ids, count=20, weeks=26, offset=0)
    small, small_rows = _page_queries(client, "/hours/compliance")
    _bulk_interns(program, supervisor, category_ids, count=480, weeks=26, offset=20)
    large, large_rows = _page_queries(client, "/hours/compliance")
    later, later_rows = _page_queries(client, "/hours/compliance?page=20")
    last_page = parse(client.get("/hours/compliance?page=20").data)
    print(f"\ncompliance page queries: 20 interns x 26 weeks -> {small}; 500 interns x 26 weeks -> {large}"
          f" (page 20: {later})")
    assert (small_rows, large_rows, later_rows) == (20, 25, 25)
    assert small == large == later
    assert large <= 6
    assert texts(last_page, ".summary-total") == ["500"]
    assert "page 20 of 20" in texts(last_page, "caption")[0]
    assert texts(last_page, "tr.compliance-row th a")[-1] == "Bulk Intern 499"


def test_the_stipend_csv_runs_the_same_queries_for_20_and_500_interns(app, client):
    """One row per eligible intern, and the same few queries however many there are (only the month's
    weeks are read)."""
    program, category_ids = _program_with_categories()
    sign_in(client, AdminFactory())
    month = f"{weeks_ago(8) + timedelta(days=3):%Y-%m}"

    def csv_queries() -> tuple[int, list[str]]:
        with count_queries() as statements:
            response = client.get(f"/hours/stipends.csv?month={month}")
        assert response.status_code == 200
        return len(statements), response.get_data(as_text=True).splitlines()

    _bulk_interns(program, UserFactory(), category_ids, count=20, weeks=26, offset=0)
    small, small_lines = csv_queries()
    _bulk_interns(program, UserFactory(), category_ids, count=480, weeks=26, offset=20)
    large, large_lines = csv_queries()
    assert (len(small_lines), len(large_lines)) == (1 + 10, 1 + 250)
    assert small == large
    assert all(line.endswith(",final") for line in large_lines[1:])
