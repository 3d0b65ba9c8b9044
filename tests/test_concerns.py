"""Concerns (intern rights): an intern raises one, only admins see and answer it, the intern reads the answer."""

from __future__ import annotations

import re
from datetime import timedelta

from factories import AdminFactory, ConcernFactory, InternFactory, PlacementFactory
from session_support import sign_in
from sqlalchemy import event, select

from portal.database import utcnow
from portal.extensions import db
from portal.models import AuditEvent, Concern, ConcernKind, OutboxMessage, TimesheetWeek, WeekStatus


def raise_one(client, kind="staff_job", details="I run the front desk alone every day."):
    return client.post("/hours/concerns", data={"kind": kind, "details": details})


def test_the_form_offers_the_postings_promises(client, intern, placement):
    sign_in(client, intern)
    html = client.get("/hours/concerns").get_data(as_text=True)
    for label in (
        "I am being asked to do a staff member&#39;s job",
        "I am not learning",
        "I was not treated with respect",
        "Something else",
    ):
        assert label in html
    assert "Your supervisor never sees them" in html


def test_an_intern_raises_a_concern_and_sees_it_listed(client, intern, placement):
    sign_in(client, intern)
    response = raise_one(client)
    assert response.status_code == 302
    concern = db.session.scalar(select(Concern))
    assert concern.kind == ConcernKind.STAFF_JOB
    assert (concern.placement_id, concern.raised_by_id) == (placement.id, intern.id)
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "I run the front desk alone every day." in html and "waiting for an answer" in html
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "concern.raised"))
    assert event.actor_id == intern.id and event.details["kind"] == "staff_job"
    assert "front desk" not in str(event.details) + event.reason  # the words stay out of the audit log
    assert db.session.scalar(select(OutboxMessage)) is None  # nobody is emailed, least of all the supervisor


def test_something_else_needs_details_and_what_was_chosen_is_kept(client, intern, placement):
    sign_in(client, intern)
    response = raise_one(client, kind="other", details="")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="details-error"' in html and "Tell us what is wrong, so an admin can answer" in html
    assert re.search(r'<input[^>]*value="other"[^>]*checked|<input[^>]*checked[^>]*value="other"', html)
    assert db.session.scalar(select(Concern)) is None
    assert raise_one(client, kind="", details="x").status_code == 422


def test_an_intern_sees_only_their_own_concerns(client, intern, placement):
    ConcernFactory(placement=placement, details="Mine: the copier again.")
    someone_else = PlacementFactory()
    ConcernFactory(placement=someone_else, details="Someone else's secret.")
    sign_in(client, intern)
    html = client.get("/hours/concerns").get_data(as_text=True)
    assert "Mine: the copier again." in html and "Someone else&#39;s secret." not in html


def test_supervisors_never_see_concerns(client, placement, supervisor, this_monday):
    ConcernFactory(placement=placement, details="My supervisor shouts at me.")
    last_monday = this_monday - timedelta(weeks=1)
    week = TimesheetWeek(
        placement=placement, week_start=last_monday, status=WeekStatus.SUBMITTED, submitted_at=utcnow()
    )
    db.session.add(week)
    db.session.commit()
    concern = db.session.scalar(select(Concern))
    sign_in(client, supervisor)
    assert client.get("/hours/concerns").status_code == 403
    assert client.post("/hours/concerns", data={"kind": "other", "details": "x"}).status_code == 403
    assert client.get("/admin/concerns").status_code == 403
    response = client.post(f"/admin/concerns/{concern.id}/answer", data={f"concern-{concern.id}-answer": "No."})
    assert response.status_code == 403
    for path in (
        "/hours/approvals",
        f"/hours/placements/{placement.id}/weeks/{week.week_start.isoformat()}",
    ):
        page = client.get(path)
        assert page.status_code == 200
        assert "shouts" not in page.get_data(as_text=True) and "concern" not in page.get_data(as_text=True).lower()
    assert db.session.scalar(select(Concern.answer)) == ""


def test_an_admin_answers_and_the_intern_reads_the_answer_and_is_emailed(client, intern, placement, admin):
    sign_in(client, intern)
    raise_one(client, kind="not_learning", details="Only data entry for three weeks.")
    concern = db.session.scalar(select(Concern))

    sign_in(client, admin)
    html = client.get("/admin/concerns").get_data(as_text=True)
    assert "Only data entry for three weeks." in html and "Ana Reyes" in html and "1 waiting for an answer" in html

    field = f"concern-{concern.id}-answer"
    response = client.post(f"/admin/concerns/{concern.id}/answer", data={field: "  "})
    assert response.status_code == 422
    assert "Write an answer for the intern" in response.get_data(as_text=True)

    answer = "We have talked to your supervisor; from Monday you join the event planning team."
    response = client.post(f"/admin/concerns/{concern.id}/answer", data={field: answer})
    assert response.status_code == 302
    assert "0 waiting for an answer" in client.get("/admin/concerns").get_data(as_text=True)

    [mail] = db.session.scalars(select(OutboxMessage)).all()
    assert mail.recipient == "ana@example.org"
    assert "/hours/concerns" in mail.text_body
    assert "event planning team" not in mail.text_body  # the answer stays in the portal

    sign_in(client, intern)
    html = client.get("/hours/concerns").get_data(as_text=True)
    assert answer in html and "Answer from Alex Admin" in html

    actions = list(
        db.session.scalars(
            select(AuditEvent.action).where(AuditEvent.target_type == "concern", AuditEvent.target_id == concern.id)
        )
    )
    assert actions == ["concern.raised", "concern.answered"]
    answered = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "concern.answered"))
    assert answered.actor_id == admin.id and (answered.from_state, answered.to_state) == ("open", "answered")


def test_staff_without_a_placement_and_interns_without_one_get_no_concern_form(client):
    sign_in(client, InternFactory())
    assert client.get("/hours/concerns").status_code == 404
    sign_in(client, AdminFactory())
    assert client.get("/hours/concerns").status_code == 403


def test_answering_a_missing_concern_is_404(client):
    sign_in(client, AdminFactory())
    assert client.post("/admin/concerns/999/answer", data={"concern-999-answer": "Hello"}).status_code == 404


def test_the_admin_page_makes_the_same_number_of_queries_for_2_or_12_concerns(client, placement):
    ConcernFactory(placement=placement)
    ConcernFactory(answer="Answered.", answered_at=utcnow(), answered_by=AdminFactory())
    sign_in(client, AdminFactory())

    def queries() -> int:
        statements = []
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            assert client.get("/admin/concerns").status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        return len(statements)

    few = queries()
    for _ in range(5):
        ConcernFactory()
        ConcernFactory(answer="Answered.", answered_at=utcnow(), answered_by=AdminFactory())
    assert queries() == few
