"""Managing a placement (/hours/placements/<id>/manage): who may, changing its terms, extending and ending it,
the same words about how it ended on every page, and re-inviting its intern."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from factories import InternFactory, PlacementFactory, ProgramFactory, UserFactory
from session_support import sign_in
from sqlalchemy import select
from test_hours_statement import pdf_text
from test_progress import H, add_week, categories, parse, texts, weeks_ago

from portal.extensions import db
from portal.formatting import long_date
from portal.models import (
    AuditEvent,
    HoursStatement,
    OutboxMessage,
    Placement,
    Role,
    TokenPurpose,
    User,
    WeekStatus,
)
from portal.models.placement import PlacementOutcome
from portal.services.accounts import issue_token, usable_token
from portal.services.demo import seed_demo


@pytest.fixture
def new_intern(app) -> User:
    """An intern who has not set a password yet (their invitation is unused)."""
    return InternFactory(full_name="Ana Reyes", email="ana@example.org", password_hash=None)


@pytest.fixture
def placement(program, new_intern, supervisor, this_monday) -> Placement:
    """``new_intern`` in ``program`` from four weeks ago to eight weeks from now, 20 h a week; ``supervisor``
    supervises the placement and the program."""
    program.supervisors.append(supervisor)
    db.session.commit()
    return PlacementFactory(
        program=program,
        application__program=program,
        intern=new_intern,
        supervisor=supervisor,
        start_date=this_monday - timedelta(weeks=4),
        end_date=this_monday + timedelta(weeks=8, days=4),
    )


@pytest.fixture
def program_supervisor(program) -> User:
    """A supervisor of the program who does not supervise this placement."""
    person = UserFactory(full_name="Pat Program", email="pat@example.org")
    program.supervisors.append(person)
    db.session.commit()
    return person


@pytest.fixture
def other_supervisor(app) -> User:
    """A supervisor of another program."""
    person = UserFactory(full_name="Olu Other", email="olu@example.org")
    ProgramFactory(slug="spring", title="Spring", supervisors=[person])
    return person


def manage_url(placement) -> str:
    return f"/hours/placements/{placement.id}/manage"


def change_form(placement, **changes) -> dict[str, str]:
    data = {
        "change-supervisor": str(placement.supervisor_id or ""),
        "change-start_date": placement.start_date.isoformat(),
        "change-end_date": placement.end_date.isoformat() if placement.end_date else "",
        "change-committed_hours": str(placement.committed_minutes_per_week // 60),
    }
    if placement.stipend_eligible:
        data["change-stipend_eligible"] = "y"
    data.update({f"change-{name}": value for name, value in changes.items() if value is not None})
    return {name: value for name, value in data.items() if not (name == "change-stipend_eligible" and not value)}


def end_form(outcome="ended_early", end_date=None, reason="Moved away for a family emergency") -> dict[str, str]:
    return {"end-outcome": outcome, "end-end_date": (end_date or date.today()).isoformat(), "end-reason": reason}


def events(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


def mail_to(address: str) -> list[OutboxMessage]:
    return list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == address)))


def reload(placement) -> Placement:
    db.session.expire_all()
    return db.session.get(Placement, placement.id)


def error_beside(page, form: str, field: str) -> str:
    found = texts(page, f"#{form}-{field}-error")
    return found[0].removeprefix("Error: ") if found else ""


def value_of(page, element_id: str) -> str | None:
    return page.query(f"#{element_id}").etree_element.get("value")


# ---- who may --------------------------------------------------------------------------------------

ROUTES = [
    ("GET", "/hours/placements/{id}/manage", None),
    ("POST", "/hours/placements/{id}/manage", {}),
    ("POST", "/hours/placements/{id}/extend", {}),
    ("POST", "/hours/placements/{id}/end", {}),
    ("POST", "/hours/placements/{id}/invitation", {}),
    ("POST", "/hours/placements/{id}/invitation-link", {}),
]

# Who → the status of every route above: 302 to sign in, 404 for anyone who may not manage the
# placement (never 403, so its existence is not told), 200 or 422 (an empty form) or 302 (done) for staff.
ACCESS = {
    "anonymous": (302, 302, 302, 302, 302, 302),
    "intern": (404, 404, 404, 404, 404, 404),
    "other program's supervisor": (404, 404, 404, 404, 404, 404),
    "the program's supervisor": (200, 422, 422, 422, 302, 200),
    "the placement's supervisor": (200, 422, 422, 422, 302, 200),
    "admin": (200, 422, 422, 422, 302, 200),
}


@pytest.mark.parametrize("who", ACCESS)
def test_only_admins_and_the_programs_supervisors_may_manage_a_placement(
    client, placement, admin, supervisor, program_supervisor, other_supervisor, who
):
    people = {
        "intern": placement.intern,
        "other program's supervisor": other_supervisor,
        "the program's supervisor": program_supervisor,
        "the placement's supervisor": supervisor,
        "admin": admin,
    }
    if who in people:
        sign_in(client, people[who])
    statuses = []
    for method, path, data in ROUTES:
        url = path.format(id=placement.id)
        response = client.get(url) if method == "GET" else client.post(url, data=data)
        statuses.append(response.status_code)
        if who == "anonymous":
            assert "/auth/sign-in" in response.headers["Location"]
    assert tuple(statuses) == ACCESS[who]


def test_an_unknown_placement_is_a_404(client, admin):
    sign_in(client, admin)
    assert client.get("/hours/placements/999999/manage").status_code == 404


def test_an_inactive_supervisor_of_the_program_may_not(client, placement, program_supervisor):
    program_supervisor.active = False
    db.session.commit()
    sign_in(client, program_supervisor)
    assert client.get(manage_url(placement)).status_code in (302, 404)


def test_staff_who_may_manage_find_the_page_from_the_hours_page(client, placement, admin):
    sign_in(client, admin)
    page = parse(client.get(f"/hours/?placement={placement.id}").data)
    assert manage_url(placement) in [el.etree_element.get("href") for el in page.query_all("a")]
    sign_in(client, placement.intern)
    page = parse(client.get("/hours/").data)
    assert manage_url(placement) not in [el.etree_element.get("href") for el in page.query_all("a")]


# ---- change ---------------------------------------------------------------------------------------


def test_the_page_shows_the_placement_and_its_terms_to_change(client, placement, admin):
    sign_in(client, admin)
    response = client.get(manage_url(placement))
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    page = parse(response.data)
    assert value_of(page, "change-start_date") == placement.start_date.isoformat()
    assert value_of(page, "change-committed_hours") == "20"
    names = texts(page, "#change-supervisor option")
    assert "Sam Supervisor (supervisor)" in names and "Alex Admin (admin)" in names
    assert texts(page, ".fact-completion") == [
        "In progress: 0 of the 12 qualifying weeks needed so far (0 of 12 qualifying weeks)"
    ]


def test_changing_the_dates_and_stipend_saves_audits_and_emails_the_intern(client, placement, admin, today):
    sign_in(client, admin)
    old_end = placement.end_date
    new_end = old_end + timedelta(weeks=2)
    response = client.post(
        manage_url(placement),
        data=change_form(placement, supervisor=str(admin.id), end_date=new_end.isoformat(), committed_hours="25.5",
                         stipend_eligible="y"),
    )
    assert response.status_code == 302
    placement = reload(placement)
    assert (placement.supervisor_id, placement.end_date) == (admin.id, new_end)
    assert (placement.committed_minutes_per_week, placement.stipend_eligible) == (25 * H + 30, True)
    [event] = events("placement.changed")
    assert event.actor_id == admin.id and event.target_id == placement.id
    assert event.details["before"]["end_date"] == old_end.isoformat()
    assert event.details["after"]["end_date"] == new_end.isoformat()
    assert event.details["after"]["stipend_eligible"] is True and event.details["before"]["stipend_eligible"] is False
    [mail] = mail_to("ana@example.org")
    assert f"Planned end date: {long_date(old_end)} → {long_date(new_end)}" in mail.text_body
    assert "Stipend: not eligible → eligible" in mail.text_body
    assert "Supervisor: Sam Supervisor → Alex Admin" in mail.text_body
    page = parse(client.get(manage_url(placement)).data)
    assert any("Saved." in text for text in texts(page, ".flash"))


def test_changing_only_the_supervisor_or_hours_is_audited_without_emailing_the_intern(client, placement, admin):
    sign_in(client, admin)
    client.post(manage_url(placement), data=change_form(placement, supervisor=str(admin.id), committed_hours="22"))
    assert reload(placement).committed_minutes_per_week == 22 * H
    assert len(events("placement.changed")) == 1
    assert mail_to("ana@example.org") == []


def test_saving_unchanged_says_so_and_audits_nothing(client, placement, admin):
    sign_in(client, admin)
    response = client.post(manage_url(placement), data=change_form(placement), follow_redirects=True)
    assert "Nothing changed." in texts(parse(response.data), ".flash")
    assert events("placement.changed") == []


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"end_date": "9999-12-31"}, "end_date", "The planned end date cannot be more than 104 weeks after the start"),
        ({"end_date": "2026-02-30"}, "end_date", "Enter the planned end date as a date"),
        ({"end_date": "next friday"}, "end_date", "Enter the planned end date as a date"),
        ({"start_date": ""}, "start_date", "Enter the start date as a date"),
        ({"start_date": "9999-12-31"}, "start_date", "The start date must be within a year from today"),
        ({"committed_hours": "twenty"}, "committed_hours", "Enter hours a week as a whole or half number"),
        ({"committed_hours": "20.25"}, "committed_hours", "Enter hours a week as a whole or half number"),
        ({"committed_hours": "10"}, "committed_hours", "The minimum commitment is 15 h a week"),
        ({"committed_hours": "41"}, "committed_hours", "The most an intern can commit is 40 h a week"),
        ({"committed_hours": "99999999999999999999"}, "committed_hours", "Enter hours a week"),
        ({"stipend_eligible": "y"}, "stipend_eligible", "A stipend needs a commitment of at least 25 h a week"),
        ({"supervisor": "999999"}, "supervisor", "Choose a supervisor from the list"),
        ({"supervisor": "abc"}, "supervisor", "Choose a supervisor from the list"),
        ({"supervisor": ""}, "supervisor", "Choose a supervisor from the list"),
    ],
)
def test_bad_input_is_refused_beside_its_field_and_kept(client, placement, admin, changes, field, message):
    sign_in(client, admin)
    before = reload(placement).__dict__.copy()
    response = client.post(manage_url(placement), data=change_form(placement, **changes))
    assert response.status_code == 422
    page = parse(response.data)
    assert error_beside(page, "change", field).startswith(message)
    assert message[:20] in " ".join(texts(page, ".error-summary li"))
    typed = next(iter(changes.values()))
    if field in ("start_date", "end_date", "committed_hours"):
        assert value_of(page, f"change-{field}") == typed
    after = reload(placement)
    assert (after.start_date, after.end_date, after.committed_minutes_per_week, after.supervisor_id) == (
        before["start_date"], before["end_date"], before["committed_minutes_per_week"], before["supervisor_id"]
    )
    assert events("placement.changed") == [] and mail_to("ana@example.org") == []


def test_a_planned_end_before_the_start_says_the_start_date(client, placement, admin):
    sign_in(client, admin)
    day_before = placement.start_date - timedelta(days=1)
    page = parse(client.post(manage_url(placement), data=change_form(placement, end_date=day_before.isoformat())).data)
    assert error_beside(page, "change", "end_date") == (
        f"The planned end date cannot be before the start date ({long_date(placement.start_date)})"
    )


def test_a_planned_end_in_the_past_points_to_ending_the_placement(client, placement, admin, today):
    sign_in(client, admin)
    yesterday = (today - timedelta(days=1)).isoformat()
    page = parse(client.post(manage_url(placement), data=change_form(placement, end_date=yesterday)).data)
    assert "use “End the placement” below" in error_beside(page, "change", "end_date")


def test_the_start_cannot_move_past_hours_already_logged(client, placement, admin):
    learning, _ = categories(placement.program)
    add_week(placement, weeks_ago(3), (16 * H, learning))
    sign_in(client, admin)
    later = (weeks_ago(2)).isoformat()
    page = parse(client.post(manage_url(placement), data=change_form(placement, start_date=later)).data)
    assert error_beside(page, "change", "start_date") == (
        f"Hours are logged on {long_date(weeks_ago(3))}: the start date cannot be after it"
    )


# ---- extend ---------------------------------------------------------------------------------------


def test_extending_moves_the_planned_end_later_audits_and_emails(client, placement, supervisor):
    sign_in(client, supervisor)
    old_end, new_end = placement.end_date, placement.end_date + timedelta(weeks=4)
    response = client.post(f"/hours/placements/{placement.id}/extend", data={"extend-end_date": new_end.isoformat()})
    assert response.status_code == 302
    assert reload(placement).end_date == new_end
    [event] = events("placement.extended")
    assert (event.from_state, event.to_state) == (old_end.isoformat(), new_end.isoformat())
    assert event.actor_id == supervisor.id
    [mail] = mail_to("ana@example.org")
    assert "extended to" in mail.subject and long_date(new_end) in mail.text_body


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Enter the new planned end date as a date"),
        ("9999-12-31", "The new end date cannot be more than 104 weeks after the start"),
        ("SAME", "The new end date must be after the planned one"),
    ],
)
def test_a_bad_extension_is_refused_beside_the_field(client, placement, admin, typed, message):
    sign_in(client, admin)
    typed = placement.end_date.isoformat() if typed == "SAME" else typed
    response = client.post(f"/hours/placements/{placement.id}/extend", data={"extend-end_date": typed})
    assert response.status_code == 422
    assert error_beside(parse(response.data), "extend", "end_date").startswith(message)
    assert events("placement.extended") == []


def test_a_placement_without_a_planned_end_offers_no_extension(client, placement, admin):
    placement.end_date = None
    db.session.commit()
    sign_in(client, admin)
    page = parse(client.get(manage_url(placement)).data)
    assert page.query("#extend") is None
    response = client.post(f"/hours/placements/{placement.id}/extend", data={"extend-end_date": "2030-01-01"})
    assert response.status_code == 422
    assert "no planned end date to extend" in " ".join(texts(parse(response.data), ".error-summary li"))


# ---- end ------------------------------------------------------------------------------------------


def test_ending_before_the_minimum_records_the_outcome_reason_and_who(client, placement, admin, today):
    sign_in(client, admin)
    planned = placement.end_date
    response = client.post(f"/hours/placements/{placement.id}/end", data=end_form())
    assert response.status_code == 302
    placement = reload(placement)
    assert placement.outcome is PlacementOutcome.ENDED_EARLY and placement.end_date == today
    assert placement.end_reason == "Moved away for a family emergency" and placement.ended_by_id == admin.id
    assert placement.ended_at is not None
    [event] = events("placement.ended")
    assert (event.from_state, event.to_state, event.reason) == ("active", "ended_early", placement.end_reason)
    assert event.details["before"]["end_date"] == planned.isoformat()
    sentence = f"Ended before the 12-week minimum on {long_date(today)}"
    [mail] = mail_to("ana@example.org")
    assert sentence in mail.text_body and "Moved away for a family emergency" in mail.text_body
    assert mail.subject == "Your placement in Fall Organizing has ended"
    page = parse(client.get(manage_url(placement)).data)
    assert texts(page, ".placement-outcome")[0].startswith(f"Ended before the minimum on {long_date(today)}")
    assert page.query("#change") is None and page.query("#end") is None
    dashboard = parse(client.get(f"/hours/?placement={placement.id}").data)
    assert "How this placement ended" in texts(dashboard, "a.button")


def test_the_end_form_suggests_the_outcome_the_hours_give(client, placement, admin):
    sign_in(client, admin)
    page = parse(client.get(manage_url(placement)).data)
    assert page.query("#end-outcome-1").etree_element.get("checked") is not None  # ended early
    assert value_of(page, "end-end_date") == date.today().isoformat()


@pytest.mark.parametrize(
    ("form", "field", "message"),
    [
        ({"end_date": "START-1"}, "end_date", "The end date cannot be before the start date (START)"),
        ({"end_date": "TOMORROW"}, "end_date", "The end date cannot be in the future (today is TODAY)"),
        ({"end_date": "9999-12-31"}, "end_date", "The end date cannot be in the future"),
        ({"end_date": "14/11/2026"}, "end_date", "Enter the day the placement ended"),
        ({"reason": ""}, "reason", "Say why the placement ended before the minimum"),
        ({"reason": "x" * 1001}, "reason", "Keep the reason under 1,000 characters"),
        ({"outcome": ""}, "outcome", "Choose how the placement ended"),
        ({"outcome": "completed"}, "outcome", "Only 0 of the 12 qualifying weeks needed are approved by TODAY"),
    ],
)
def test_a_bad_ending_is_refused_beside_its_field_and_nothing_changes(client, placement, admin, today, form, field,
                                                                      message):
    sign_in(client, admin)
    replace = {"START-1": (placement.start_date - timedelta(days=1)).isoformat(),
               "TOMORROW": (today + timedelta(days=1)).isoformat()}
    data = end_form()
    data.update({f"end-{name}": replace.get(value, value) for name, value in form.items()})
    response = client.post(f"/hours/placements/{placement.id}/end", data=data)
    assert response.status_code == 422
    page = parse(response.data)
    expected = message.replace("START", long_date(placement.start_date)).replace("TODAY", long_date(today))
    assert error_beside(page, "end", field).startswith(expected)
    if field == "reason" and form["reason"]:
        assert texts(page, "#end-reason") == [form["reason"]]  # what was typed is kept
    assert reload(placement).outcome is None and events("placement.ended") == []


def test_a_placement_with_the_minimum_met_ends_completed(client, admin, program, supervisor, today):
    program.supervisors.append(supervisor)
    placement = PlacementFactory(program=program, application__program=program, supervisor=supervisor,
                                 start_date=weeks_ago(13))
    learning, _ = categories(program)
    for n in range(13, 1, -1):
        add_week(placement, weeks_ago(n), (20 * H, learning))
    sign_in(client, admin)
    page = parse(client.get(manage_url(placement)).data)
    assert page.query("#end-outcome-0").etree_element.get("checked") is not None  # completed is suggested
    refused = client.post(f"/hours/placements/{placement.id}/end", data=end_form("ended_early"))
    assert refused.status_code == 422
    assert "the placement is completed" in error_beside(parse(refused.data), "end", "outcome")
    ended = today - timedelta(days=1)
    response = client.post(f"/hours/placements/{placement.id}/end", data=end_form("completed", ended, ""))
    assert response.status_code == 302
    assert reload(placement).outcome is PlacementOutcome.COMPLETED
    sign_in(client, placement.intern)
    text = pdf_text(client.get(f"/hours/placements/{placement.id}/statement.pdf"))
    assert f"Completed the 12-week minimum and ended on {long_date(ended)}" in text


def test_an_ended_placement_can_no_longer_be_changed_or_ended_again(client, placement, admin):
    sign_in(client, admin)
    client.post(f"/hours/placements/{placement.id}/end", data=end_form())
    for path, data in (
        ("manage", change_form(reload(placement), committed_hours="30")),
        ("end", end_form()),
        ("extend", {"extend-end_date": "2099-01-01"}),
    ):
        response = client.post(f"/hours/placements/{placement.id}/{path}", data=data)
        assert response.status_code == 422, path
        summary = " ".join(texts(parse(response.data), ".error-summary li"))
        assert "ended" in summary and "no longer" in summary
    assert reload(placement).committed_minutes_per_week == 20 * H
    assert len(events("placement.ended")) == 1


# ---- the same words everywhere (the acceptance) -------------------------------------------------------


def test_ending_the_demo_interns_placement_early_reads_the_same_on_every_page(client, today):
    seed_demo(today)
    db.session.commit()
    admin = db.session.scalar(select(User).where(User.role == Role.ADMIN))
    intern = db.session.scalar(select(User).where(User.role == Role.INTERN))
    placement = db.session.scalar(select(Placement))
    sign_in(client, admin)
    response = client.post(f"/hours/placements/{placement.id}/end", data=end_form(reason="Took a full-time job"))
    assert response.status_code == 302, response.data
    sentence = f"Ended before the 12-week minimum on {long_date(today)}"

    compliance = parse(client.get("/hours/compliance").data)
    assert texts(compliance, f'tr[data-placement="{placement.id}"] .ended-text') == [sentence]

    sign_in(client, intern)
    dashboard = parse(client.get("/hours/").data)
    assert texts(dashboard, ".completion-text") == [sentence]
    assert sentence.lower() in " ".join(texts(dashboard, ".completion")).lower()

    pdf = pdf_text(client.get(f"/hours/placements/{placement.id}/statement.pdf"))
    assert sentence in " ".join(pdf.split())
    code = db.session.scalar(select(HoursStatement.code).order_by(HoursStatement.id.desc()))
    client.get("/auth/sign-out")
    verify = parse(client.get(f"/hours/verify/{code}").data)
    assert texts(verify, ".statement-completion") == [sentence]


def test_a_placement_past_its_planned_end_reads_ended_with_its_date(client, admin):
    placement = PlacementFactory(start_date=weeks_ago(6), end_date=weeks_ago(1) + timedelta(days=4))
    sign_in(client, admin)
    page = parse(client.get(f"/hours/placements/{placement.id}/statement").data)
    assert texts(page, ".statement-completion") == [
        f"Ended before the 12-week minimum on {long_date(weeks_ago(1) + timedelta(days=4))}"
    ]


# ---- the intern's invitation --------------------------------------------------------------------------


def test_resending_the_invitation_ends_the_old_link_and_emails_a_new_one(client, placement, admin):
    old = issue_token(placement.intern, TokenPurpose.INVITATION, timedelta(days=7))
    db.session.commit()
    sign_in(client, admin)
    response = client.post(f"/hours/placements/{placement.id}/invitation")
    assert response.status_code == 302
    db.session.expire_all()
    assert usable_token(old, TokenPurpose.INVITATION) is None
    [mail] = mail_to("ana@example.org")
    assert "/auth/invitation/" in mail.text_body
    assert [e.actor_id for e in events("placement.invitation_resent")] == [admin.id]


def test_a_copied_link_is_shown_once_and_works(client, placement, supervisor):
    sign_in(client, supervisor)
    response = client.post(f"/hours/placements/{placement.id}/invitation-link")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    page = parse(response.data)
    field = page.query("#invitation-link").etree_element
    assert field.get("readonly") is not None and texts(page, 'label[for="invitation-link"]')
    link = field.get("value")
    assert link.startswith("http://portal.test/auth/invitation/")
    assert usable_token(link.rsplit("/", 1)[1], TokenPurpose.INVITATION) is not None
    assert parse(client.get(manage_url(placement)).data).query("#invitation-link") is None  # only once
    assert len(events("placement.invitation_link_copied")) == 1
    assert mail_to("ana@example.org") == []


def test_once_the_intern_has_a_password_there_is_no_invitation_to_resend(client, placement, admin):
    placement.intern.set_password("a long enough password")
    db.session.commit()
    sign_in(client, admin)
    assert parse(client.get(manage_url(placement)).data).query("#invitation") is None
    response = client.post(f"/hours/placements/{placement.id}/invitation-link")
    assert response.status_code == 422
    assert "has already set a password" in " ".join(texts(parse(response.data), ".error-summary li"))
    assert events("placement.invitation_link_copied") == []


def test_waiting_weeks_do_not_count_toward_completing(client, placement, admin):
    learning, _ = categories(placement.program)
    add_week(placement, weeks_ago(1), (20 * H, learning), status=WeekStatus.SUBMITTED)
    sign_in(client, admin)
    response = client.post(f"/hours/placements/{placement.id}/end", data=end_form("completed"))
    assert "Only 0 of the 12" in error_beside(parse(response.data), "end", "outcome")


def test_a_refused_form_leaves_the_other_forms_showing_the_stored_values(client, placement, admin):
    placement.stipend_eligible, placement.committed_minutes_per_week = True, 30 * H
    db.session.commit()
    sign_in(client, admin)
    response = client.post(f"/hours/placements/{placement.id}/end", data=end_form(reason=""))
    assert response.status_code == 422
    page = parse(response.data)
    assert page.query("#change-stipend_eligible").etree_element.get("checked") is not None
    assert value_of(page, "change-committed_hours") == "30"
    assert value_of(page, "extend-end_date") in ("", None)
