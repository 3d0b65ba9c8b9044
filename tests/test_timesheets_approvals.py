"""Supervisor approvals: the list of submitted weeks, oldest first; approve or return, one by one or together."""

from __future__ import annotations

from datetime import timedelta

import pytest
from factories import (
    ActivityCategoryFactory,
    AdminFactory,
    InternFactory,
    PlacementFactory,
    ProgramFactory,
    TimesheetEntryFactory,
    TimesheetWeekFactory,
    UserFactory,
)
from session_support import sign_in
from sqlalchemy import event, func, select

from portal.database import utcnow
from portal.extensions import db
from portal.models import AuditEvent, OutboxMessage, TimesheetWeek, WeekStatus


@pytest.fixture
def placement_for(this_monday):
    """``placement_for(program, supervisor, name)``: a new intern called ``name``, placed six weeks ago."""

    def make(program, supervisor, name: str):
        return PlacementFactory(
            program=program,
            application__program=program,
            supervisor=supervisor,
            intern=InternFactory(full_name=name, email=f"{name.split()[0].lower()}@example.org"),
            start_date=this_monday - timedelta(weeks=6),
        )

    return make


@pytest.fixture
def submitted_week(this_monday):
    """``submitted_week(placement, weeks_ago, days_ago=..., minutes=...)``: a week waiting for approval."""

    def make(placement, weeks_ago: int, *, days_ago: float, minutes: int = 16 * 60) -> TimesheetWeek:
        monday = this_monday - timedelta(weeks=weeks_ago)
        week = TimesheetWeekFactory(
            placement=placement,
            week_start=monday,
            status=WeekStatus.SUBMITTED,
            submitted_at=utcnow() - timedelta(days=days_ago),
        )
        activity = placement.program.categories[0]
        TimesheetEntryFactory(week=week, work_date=monday, minutes=min(minutes, 12 * 60), category=activity)
        if minutes > 12 * 60:
            TimesheetEntryFactory(
                week=week, work_date=monday + timedelta(days=1), minutes=minutes - 12 * 60, category=activity
            )
        return week

    return make


def status_of(week) -> WeekStatus:
    db.session.expire_all()
    return db.session.get(TimesheetWeek, week.id).status


@pytest.fixture
def weeks(program, supervisor, placement_for, submitted_week):
    ana = placement_for(program, supervisor, "Ana Reyes")
    ben = placement_for(program, supervisor, "Ben Ortiz")
    return {
        "ana_new": submitted_week(ana, 1, days_ago=1),
        "ben_old": submitted_week(ben, 2, days_ago=9, minutes=10 * 60),
        "ana_old": submitted_week(ana, 2, days_ago=5),
    }


def test_the_list_shows_the_supervisors_submitted_weeks_oldest_first(
    client, supervisor, weeks, program, placement_for, submitted_week, this_monday
):
    # Neither another supervisor's interns nor drafts or approved weeks are listed.
    other = placement_for(program, UserFactory(), "Cleo Outsider")
    submitted_week(other, 1, days_ago=20)
    TimesheetWeekFactory(placement=weeks["ana_new"].placement, week_start=this_monday - timedelta(weeks=3))
    sign_in(client, supervisor)
    response = client.get("/hours/approvals")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Cleo Outsider" not in html
    order = [html.index(f'name="version-{weeks[key].id}"') for key in ("ben_old", "ana_old", "ana_new")]
    assert order == sorted(order)
    assert "3 weeks waiting for approval, oldest first" in html
    assert "16 h" in html and "10 h" in html and "below the weekly minimum" in html  # Ben's 10 h week


def test_an_admin_sees_every_submitted_week(client, weeks, program, placement_for, submitted_week):
    other = placement_for(program, UserFactory(), "Cleo Outsider")
    submitted_week(other, 1, days_ago=20)
    sign_in(client, AdminFactory())
    html = client.get("/hours/approvals").get_data(as_text=True)
    assert "Cleo Outsider" in html and "Ana Reyes" in html and "4 weeks waiting" in html


def test_interns_cannot_open_or_use_the_approvals_page(client, weeks):
    intern = weeks["ana_new"].placement.intern
    sign_in(client, intern)
    assert client.get("/hours/approvals").status_code == 403
    response = client.post(
        "/hours/approvals",
        data={"approve_one": weeks["ana_new"].id, f"version-{weeks['ana_new'].id}": weeks["ana_new"].version},
    )
    assert response.status_code == 403
    assert status_of(weeks["ana_new"]) == WeekStatus.SUBMITTED


def test_approving_one_week_with_its_button(client, supervisor, weeks):
    week = weeks["ana_old"]
    sign_in(client, supervisor)
    response = client.post(
        "/hours/approvals",
        data={"approve_one": week.id, f"version-{week.id}": week.version, "week": [weeks["ana_new"].id]},
    )
    assert response.status_code == 302
    assert status_of(week) == WeekStatus.APPROVED
    assert status_of(weeks["ana_new"]) == WeekStatus.SUBMITTED  # a ticked box does not ride along
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Approved 1 week." in page
    assert f'name="version-{week.id}"' not in page


def test_bulk_approve_of_several_weeks(client, supervisor, weeks):
    sign_in(client, supervisor)
    chosen = [weeks["ana_old"], weeks["ben_old"], weeks["ana_new"]]
    data = {"action": "approve", "week": [w.id for w in chosen]}
    data.update({f"version-{w.id}": w.version for w in chosen})
    response = client.post("/hours/approvals", data=data)
    assert response.status_code == 302
    assert [status_of(w) for w in chosen] == [WeekStatus.APPROVED] * 3
    assert "Approved 3 weeks." in client.get("/hours/approvals").get_data(as_text=True)
    events = db.session.scalar(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "timesheet.approved")
    )
    assert events == 3


def test_bulk_return_needs_a_note_then_emails_each_intern(client, supervisor, weeks):
    sign_in(client, supervisor)
    chosen = [weeks["ana_new"], weeks["ben_old"]]
    data = {"action": "return", "week": [w.id for w in chosen]}
    data.update({f"version-{w.id}": w.version for w in chosen})
    response = client.post("/hours/approvals", data=data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Write a note telling the intern what to change." in html and 'id="note-error"' in html
    assert html.count(" checked>") == 2  # the ticks are kept
    assert [status_of(w) for w in chosen] == [WeekStatus.SUBMITTED] * 2

    data["note"] = "Please add a note to each entry."
    response = client.post("/hours/approvals", data=data)
    assert response.status_code == 302
    assert [status_of(w) for w in chosen] == [WeekStatus.RETURNED] * 2
    recipients = sorted(db.session.scalars(select(OutboxMessage.recipient)))
    assert recipients == ["ana@example.org", "ben@example.org"]
    assert all("Please add a note to each entry." in m.text_body for m in db.session.scalars(select(OutboxMessage)))


def test_nothing_ticked_is_explained(client, supervisor, weeks):
    sign_in(client, supervisor)
    response = client.post("/hours/approvals", data={"action": "approve"})
    assert response.status_code == 422
    assert "Tick at least one week first." in response.get_data(as_text=True)


def test_a_supervisor_of_another_intern_cannot_approve(client, weeks):
    outsider = UserFactory()
    week = weeks["ana_old"]
    sign_in(client, outsider)
    response = client.post("/hours/approvals", data={"approve_one": week.id, f"version-{week.id}": week.version})
    assert response.status_code == 404
    response = client.post(
        f"/hours/placements/{week.placement_id}/weeks/{week.week_start.isoformat()}/decision",
        data={"action": "approve", "version": week.version},
    )
    assert response.status_code == 404
    assert status_of(week) == WeekStatus.SUBMITTED
    assert f'name="version-{week.id}"' not in client.get("/hours/approvals").get_data(as_text=True)


def test_one_foreign_week_in_a_batch_stops_the_whole_batch(
    client, supervisor, weeks, program, placement_for, submitted_week
):
    foreign = submitted_week(placement_for(program, UserFactory(), "Cleo Outsider"), 1, days_ago=3)
    sign_in(client, supervisor)
    chosen = [weeks["ana_old"], foreign]
    data = {"action": "approve", "week": [w.id for w in chosen]}
    data.update({f"version-{w.id}": w.version for w in chosen})
    assert client.post("/hours/approvals", data=data).status_code == 404
    assert [status_of(w) for w in chosen] == [WeekStatus.SUBMITTED] * 2


def test_approving_a_week_the_intern_just_changed_is_a_409_and_changes_nothing(client, supervisor, weeks):
    sign_in(client, supervisor)
    page = client.get("/hours/approvals").get_data(as_text=True)
    changed, untouched = weeks["ana_old"], weeks["ben_old"]
    assert f'name="version-{changed.id}" value="{changed.version}"' in page
    seen = {w.id: w.version for w in (changed, untouched)}

    # The intern adds an hour after the supervisor loaded the page.
    intern = changed.placement.intern
    sign_in(client, intern)
    response = client.post(
        f"/hours/placements/{changed.placement_id}/weeks/{changed.week_start.isoformat()}/entries",
        data={
            "work_date": (changed.week_start + timedelta(days=2)).isoformat(),
            "hours": "1",
            "category": str(changed.placement.program.categories[0].id),
        },
    )
    assert response.status_code == 302

    sign_in(client, supervisor)
    data = {"action": "approve", "week": list(seen)}
    data.update({f"version-{week_id}": version for week_id, version in seen.items()})
    response = client.post("/hours/approvals", data=data)
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "The intern changed a week while you were looking at it" in html and "Ana Reyes" in html
    assert "Nothing was approved or returned" in html
    assert status_of(changed) == WeekStatus.SUBMITTED and status_of(untouched) == WeekStatus.SUBMITTED


def test_the_week_page_offers_the_supervisor_approve_and_return(client, supervisor, weeks):
    week = weeks["ana_old"]
    sign_in(client, supervisor)
    html = client.get(f"/hours/placements/{week.placement_id}/weeks/{week.week_start.isoformat()}").get_data(
        as_text=True
    )
    assert "Approve or return" in html and "Approve 16 h" in html
    response = client.post(
        f"/hours/placements/{week.placement_id}/weeks/{week.week_start.isoformat()}/decision",
        data={"action": "approve", "version": week.version},
    )
    assert response.status_code == 302 and response.headers["Location"].endswith("/hours/approvals")
    assert status_of(week) == WeekStatus.APPROVED


def queries_for(client, path: str) -> int:
    statements = []

    def count(*args) -> None:
        statements.append(args[2])

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        assert client.get(path).status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return len(statements)


def test_the_list_makes_the_same_number_of_queries_for_3_or_9_weeks(
    client, weeks, program, placement_for, submitted_week
):
    admin = AdminFactory()
    sign_in(client, admin)
    few = queries_for(client, "/hours/approvals")
    for n in range(6):  # more interns, programs and supervisors
        other_program = ProgramFactory()
        ActivityCategoryFactory(program=other_program)
        submitted_week(placement_for(other_program, UserFactory(), f"Intern{n} Extra"), 1, days_ago=2)
    html = client.get("/hours/approvals").get_data(as_text=True)
    assert "9 weeks waiting" in html
    assert queries_for(client, "/hours/approvals") == few


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_a_forged_approval_without_the_form_token_changes_nothing(client, supervisor, weeks):
    week = weeks["ana_old"]
    sign_in(client, supervisor)
    response = client.post("/hours/approvals", data={"approve_one": week.id, f"version-{week.id}": week.version})
    assert response.status_code == 400
    assert status_of(week) == WeekStatus.SUBMITTED


def test_a_staff_account_that_is_also_the_intern_cannot_approve_its_own_week(
    client, program, submitted_week, this_monday
):
    both = UserFactory(full_name="Dana Both")
    own = PlacementFactory(
        program=program, application__program=program, intern=both, supervisor=both,
        start_date=this_monday - timedelta(weeks=6),
    )
    week = submitted_week(own, 1, days_ago=2)
    sign_in(client, both)
    assert f'name="version-{week.id}"' not in client.get("/hours/approvals").get_data(as_text=True)
    response = client.post("/hours/approvals", data={"approve_one": week.id, f"version-{week.id}": week.version})
    assert response.status_code == 403
    response = client.post(
        f"/hours/placements/{own.id}/weeks/{week.week_start.isoformat()}/decision",
        data={"action": "approve", "version": week.version},
    )
    assert response.status_code == 403
    assert status_of(week) == WeekStatus.SUBMITTED


def test_an_admin_who_is_also_the_intern_neither_sees_nor_reopens_their_own_week(
    client, program, submitted_week, this_monday
):
    admin_intern = AdminFactory(full_name="Ada Both")
    own = PlacementFactory(
        program=program, application__program=program, intern=admin_intern,
        start_date=this_monday - timedelta(weeks=6),
    )
    week = submitted_week(own, 1, days_ago=2)
    sign_in(client, admin_intern)
    assert f'name="version-{week.id}"' not in client.get("/hours/approvals").get_data(as_text=True)

    week.status = WeekStatus.APPROVED
    db.session.commit()
    path = f"/hours/placements/{own.id}/weeks/{week.week_start.isoformat()}"
    assert "/reopen" not in client.get(path).get_data(as_text=True)
    client.post(path + "/reopen", data={"reason": "my own mistake", "version": week.version})
    assert status_of(week) == WeekStatus.APPROVED


@pytest.mark.parametrize("field", ["approve_one", "week"])
def test_an_id_too_large_for_the_database_is_not_found(client, supervisor, weeks, field):
    sign_in(client, supervisor)
    response = client.post("/hours/approvals", data={field: "99999999999999999999", "action": "approve"})
    assert response.status_code == 404
