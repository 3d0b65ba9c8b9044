"""The People pages: who may use them, the list, inviting staff (the email, its single-use expiring link),
resending and copying the link, roles and program assignments, the last active admin, and deactivation
(sessions end at once, links die, no reminders, no sign-in; past work stays theirs) and reactivation."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from factories import (
    TEST_PASSWORD,
    AdminFactory,
    InternFactory,
    PlacementFactory,
    ProgramFactory,
    ReviewFactory,
    TimesheetWeekFactory,
    UserFactory,
    UserTokenFactory,
)
from session_support import sign_in
from sqlalchemy import func, select
from test_progress import count_queries, parse, texts

from portal.database import utcnow
from portal.extensions import db
from portal.models import (
    AuditEvent,
    OutboxMessage,
    ProgramState,
    Role,
    TokenPurpose,
    User,
    UserToken,
    WeekStatus,
)
from portal.services.accounts import issue_token
from portal.services.outbox import send_pending
from portal.services.reminders import send_reminders

NEW_PASSWORD = "tenants union summer 2026"
SIGN_IN_FAILED = "That email and password do not match an account."

VISITORS = ("anonymous", "intern", "supervisor", "admin")

# (method, path template, expected status for each visitor in VISITORS order). {id}: an invited supervisor.
ROUTES = [
    ("GET", "/admin/people", (302, 403, 403, 200)),
    ("GET", "/admin/people?show=interns", (302, 403, 403, 200)),
    ("GET", "/admin/people/invite", (302, 403, 403, 200)),
    ("POST", "/admin/people/invite", (302, 403, 403, 302)),
    ("GET", "/admin/people/{id}", (302, 403, 403, 200)),
    ("POST", "/admin/people/{id}/role", (302, 403, 403, 302)),
    ("POST", "/admin/people/{id}/programs", (302, 403, 403, 302)),
    ("POST", "/admin/people/{id}/invitation", (302, 403, 403, 302)),
    ("POST", "/admin/people/{id}/invitation-link", (302, 403, 403, 200)),
    ("POST", "/admin/people/{id}/deactivate", (302, 403, 403, 302)),
    ("POST", "/admin/people/{id}/reactivate", (302, 403, 403, 302)),
]


# --- helpers -----------------------------------------------------------------------------------------


def field_error(html: str, field_id: str) -> str:
    match = re.search(rf'<p class="field-error" id="{field_id}-error">(.*?)</p>', html, re.S)
    return re.sub(r"<[^>]+>", "", match.group(1)).replace("Error: ", "").strip() if match else ""


def invite(client, **fields):
    data = {"email": "rosa@example.org", "full_name": "Rosa Parks", "role": "supervisor", **fields}
    return client.post("/admin/people/invite", data=data)


def events(action: str) -> list[AuditEvent]:
    db.session.expire_all()
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


def user(email: str) -> User | None:
    db.session.expire_all()
    return db.session.scalar(select(User).where(User.email == email))


def mails_to(address: str) -> list[OutboxMessage]:
    db.session.expire_all()
    statement = select(OutboxMessage).where(OutboxMessage.recipient == address).order_by(OutboxMessage.id)
    return list(db.session.scalars(statement))


def link_in(text: str) -> str:
    """The path of the invitation link in a mail's text."""
    return re.search(r"http://portal\.test(/auth/invitation/\S+)", text).group(1)


def set_password(client, path: str):
    return client.post(path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})


def is_signed_in(client) -> bool:
    response = client.get("/auth/account")
    return response.status_code == 200


def copied_link(html: str) -> str:
    value = parse(html).query('input#invitation-link').etree_element.get("value")
    return re.search(r"http://portal\.test(/auth/invitation/\S+)", value).group(1)


def assignments(person: User) -> tuple[list[str], list[str]]:
    """The titles of the programs ``person`` reviews and supervises, as the database has them."""
    from portal.models import Program, program_reviewers, program_supervisors

    def titles(table):
        statement = (
            select(Program.title)
            .join(table, table.c.program_id == Program.id)
            .where(table.c.user_id == person.id)
            .order_by(Program.title)
        )
        return list(db.session.scalars(statement))

    db.session.expire_all()
    return titles(program_reviewers), titles(program_supervisors)


@pytest.fixture
def signed_in(client, admin):
    sign_in(client, admin)
    return client


@pytest.fixture
def invited(app, program):
    """A supervisor invited to review ``program``: no password yet, an unused invitation link."""
    person = UserFactory(email="rosa@example.org", full_name="Rosa Parks", password_hash=None)
    program.reviewers.append(person)
    issue_token(person, TokenPurpose.INVITATION, timedelta(days=7))
    db.session.commit()
    return person


# --- who may use the pages ---------------------------------------------------------------------------


@pytest.mark.parametrize("method, template, expected", ROUTES, ids=[f"{m} {t}" for m, t, _ in ROUTES])
def test_access_table(app, admin, supervisor, intern, program, method, template, expected):
    users = {"anonymous": None, "intern": intern, "supervisor": supervisor, "admin": admin}
    observed = []
    for visitor in VISITORS:
        person = UserFactory(password_hash=None)  # a fresh target each time: deactivating one changes it
        if template.endswith("/reactivate"):
            person.active = False
        issue_token(person, TokenPurpose.INVITATION, timedelta(days=7))
        db.session.commit()
        path = template.format(id=person.id)
        data = {
            "/invite": {"email": f"new-{visitor}@example.org", "full_name": "New Person", "role": "supervisor"},
            "/role": {"role": "admin"},
            "/programs": {"review_programs": str(program.id)},
        }
        body = next((value for suffix, value in data.items() if path.endswith(suffix)), None)
        client = app.test_client()
        if users[visitor] is not None:
            sign_in(client, users[visitor])
        response = client.open(path, method=method, data=body)
        if visitor == "anonymous":
            assert "/auth/sign-in" in response.headers["Location"]
        observed.append(response.status_code)
    assert tuple(observed) == expected


def test_supervisors_change_nothing_through_the_people_routes(app, client, supervisor, invited, program):
    sign_in(client, supervisor)
    assert invite(client, email="boss@example.org", role="admin").status_code == 403
    assert client.post(f"/admin/people/{invited.id}/role", data={"role": "admin"}).status_code == 403
    assert client.post(f"/admin/people/{invited.id}/deactivate").status_code == 403
    assert user("boss@example.org") is None
    assert user(invited.email).role == Role.SUPERVISOR and user(invited.email).active
    assert client.get(f"/admin/people/{invited.id}").status_code == 403


def test_an_unknown_person_is_not_found(signed_in):
    assert signed_in.get("/admin/people/999999").status_code == 404
    assert signed_in.post("/admin/people/999999/deactivate").status_code == 404


# --- the list ------------------------------------------------------------------------------------------


def test_the_list_shows_staff_with_their_programs_and_status(signed_in, admin, supervisor, invited, intern, program):
    other = ProgramFactory(title="Spring Canvass")
    program.supervisors.append(supervisor)
    other.reviewers.append(supervisor)
    UserFactory(email="gone@example.org", full_name="Gone Person", active=False)
    db.session.commit()
    tree = parse(signed_in.get("/admin/people").get_data(as_text=True))
    rows = {row.split(" ")[0]: row for row in texts(tree, ".people-table tbody tr")}
    assert set(rows) == {"Alex", "Sam", "Rosa", "Gone"}  # no interns by default
    assert texts(tree, '[data-person="sam@example.org"] td') == [
        "sam@example.org", "Supervisor", "Fall Organizing, Spring Canvass", "Fall Organizing", "Active",
    ]
    expiry = (utcnow() + timedelta(days=7)).date()
    rosa = texts(tree, '[data-person="rosa@example.org"] td')
    assert rosa[-1] == f"Invited — invitation pending, the link works until {expiry.day} {expiry:%B} {expiry.year}"
    assert texts(tree, '[data-person="gone@example.org"] td')[-1] == "Deactivated"
    assert texts(tree, '[data-person="alex@example.org"] td')[1] == "Admin"

    tree = parse(signed_in.get("/admin/people?show=interns").get_data(as_text=True))
    assert [row.split(" ")[0] for row in texts(tree, ".people-table tbody tr")] == ["Ana"]
    assert texts(tree, '[data-person="ana@example.org"] td') == ["ana@example.org", "Intern", "Active"]


def test_an_expired_invitation_says_so(signed_in, invited):
    db.session.execute(db.update(UserToken).values(expires_at=utcnow() - timedelta(days=1)))
    db.session.commit()
    tree = parse(signed_in.get("/admin/people").get_data(as_text=True))
    assert texts(tree, '[data-person="rosa@example.org"] td')[-1].startswith("Invited — the invitation expired on")


def test_the_list_runs_the_same_queries_for_two_people_or_twenty(signed_in, admin, program):
    def queries() -> int:
        db.session.expire_all()
        with count_queries() as statements:
            assert signed_in.get("/admin/people").status_code == 200
        return len(statements)

    few = queries()
    for n in range(20):
        person = UserFactory(password_hash=None if n % 2 else "x")
        ProgramFactory(reviewers=[person], supervisors=[person])
        issue_token(person, TokenPurpose.INVITATION, timedelta(days=7))
    db.session.commit()
    assert queries() == few


# --- inviting ------------------------------------------------------------------------------------------


def test_an_invitation_arrives_and_its_link_sets_a_password_once(app, signed_in, admin, program, smtp_server):
    spring = ProgramFactory(title="Spring Canvass")
    response = invite(
        signed_in, email="  Rosa@Example.ORG ", review_programs=[str(program.id)], supervise_programs=[str(spring.id)]
    )
    rosa = user("rosa@example.org")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/admin/people/{rosa.id}")
    assert (rosa.role, rosa.password_hash, rosa.full_name) == (Role.SUPERVISOR, None, "Rosa Parks")
    assert assignments(rosa) == (["Fall Organizing"], ["Spring Canvass"])
    [event] = events("staff.invited")
    assert (event.actor_id, event.target_id, event.to_state) == (admin.id, rosa.id, "supervisor")
    assert event.details == {"role": "supervisor", "review": ["Fall Organizing"], "supervise": ["Spring Canvass"]}
    flashed = signed_in.get(response.headers["Location"]).get_data(as_text=True)
    assert "Rosa Parks is invited: the invitation is on its way to rosa@example.org" in flashed

    assert send_pending(sender_id="test").sent == 1
    [message] = smtp_server.inbox.messages
    assert message["To"] == "rosa@example.org"
    assert message["Subject"] == "You are invited to the Organizing 2.0 internship portal"
    text = next(p for p in message.walk() if p.get_content_type() == "text/plain").get_payload(decode=True).decode()
    assert "Alex Admin has invited you" in text and "as a supervisor" in text
    assert "You review applications for: Fall Organizing." in text
    assert "You supervise the interns of: Spring Canvass." in text
    assert "expires in 7 days" in text
    path = link_in(text)

    browser = app.test_client()
    assert browser.get(path).status_code == 200
    done = set_password(browser, path)
    assert done.status_code == 302 and done.headers["Location"] == "/review/"  # a supervisor's queue
    assert program.title in browser.get("/review/").get_data(as_text=True)
    assert browser.get(path).status_code == 404  # single use
    assert app.test_client().post("/auth/sign-in", data={"email": "rosa@example.org", "password": NEW_PASSWORD}
                                  ).status_code == 302


@pytest.mark.app_config(STAFF_INVITATION_DAYS=3)
def test_the_link_expires_after_the_configured_days(app, signed_in):
    invite(signed_in)
    [mail] = mails_to("rosa@example.org")
    assert "expires in 3 days" in mail.text_body
    token = db.session.scalar(select(UserToken))
    assert timedelta(days=3) - timedelta(minutes=1) < token.expires_at - utcnow() <= timedelta(days=3)
    path = link_in(mail.text_body)
    token.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    response = app.test_client().get(path)
    assert response.status_code == 404
    assert user("rosa@example.org").password_hash is None


def test_an_admin_can_be_invited_and_lands_on_the_queue(app, signed_in):
    invite(signed_in, email="ada@example.org", full_name="Ada Admin", role="admin")
    assert user("ada@example.org").role == Role.ADMIN
    [mail] = mails_to("ada@example.org")
    assert "as an admin" in mail.text_body
    browser = app.test_client()
    assert set_password(browser, link_in(mail.text_body)).headers["Location"] == "/review/"
    assert browser.get("/admin/people").status_code == 200


def test_an_email_that_has_an_account_is_refused_beside_the_field_with_a_link(signed_in, supervisor, program):
    before = db.session.scalar(select(func.count(User.id)))
    response = invite(signed_in, email="SAM@example.org", full_name="Sam Again", review_programs=[str(program.id)])
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert field_error(html, "email") == "There is already an account for this email."
    assert f'href="/admin/people/{supervisor.id}"' in html  # a link to that person
    tree = parse(html)
    assert tree.query("#email").etree_element.get("value") == "SAM@example.org"  # what was typed is kept
    assert tree.query("#full_name").etree_element.get("value") == "Sam Again"
    assert tree.query(f'input[name="review_programs"][value="{program.id}"]').etree_element.get("checked") is not None
    assert db.session.scalar(select(func.count(User.id))) == before
    assert events("staff.invited") == [] and mails_to("sam@example.org") == []


@pytest.mark.parametrize(
    "fields, field_id, message",
    [
        ({"email": "rosa@"}, "email", "Enter an email address like name@example.org"),
        ({"email": ""}, "email", "Enter their email address"),
        ({"full_name": "  "}, "full_name", "Enter their full name"),
        ({"role": "intern"}, "role", "Choose Admin or Supervisor"),
        ({"role": "owner"}, "role", "Choose Admin or Supervisor"),
        ({"review_programs": ["abc"]}, "review_programs", "Choose programs from the list"),
        ({"supervise_programs": ["999999"]}, "supervise_programs",
         "A chosen program is archived or no longer exists. Choose from the programs listed."),
    ],
    ids=["invalid email", "no email", "no name", "intern role", "unknown role", "not a number", "unknown program"],
)
def test_bad_invitations_are_refused_beside_their_field(signed_in, program, fields, field_id, message):
    response = invite(signed_in, **fields)
    assert response.status_code == 422
    assert field_error(response.get_data(as_text=True), field_id) == message
    assert user("rosa@example.org") is None
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 0


def test_an_archived_program_cannot_be_assigned(signed_in, program):
    old = ProgramFactory(title="Old Program", state=ProgramState.ARCHIVED)
    page = signed_in.get("/admin/people/invite").get_data(as_text=True)
    assert "Fall Organizing" in page and "Old Program" not in page
    response = invite(signed_in, review_programs=[str(old.id)])
    assert response.status_code == 422
    assert "archived or no longer exists" in field_error(response.get_data(as_text=True), "review_programs")
    assert user("rosa@example.org") is None


# --- resending and copying the link ------------------------------------------------------------------


def test_resending_emails_a_new_link_and_the_old_one_stops_working(app, signed_in, admin, program):
    invite(signed_in)
    rosa = user("rosa@example.org")
    [first] = mails_to(rosa.email)
    old_path = link_in(first.text_body)
    response = signed_in.post(f"/admin/people/{rosa.id}/invitation")
    assert response.status_code == 302
    assert "The link sent earlier no longer works" in signed_in.get(response.headers["Location"]).get_data(as_text=True)
    _, second = mails_to(rosa.email)
    new_path = link_in(second.text_body)
    browser = app.test_client()
    assert browser.get(old_path).status_code == 404
    assert browser.get(new_path).status_code == 200
    [event] = events("staff.invitation_resent")
    assert (event.actor_id, event.target_id) == (admin.id, rosa.id)


def test_copying_shows_a_new_link_once_that_replaces_the_emailed_one(app, signed_in, admin):
    invite(signed_in)
    rosa = user("rosa@example.org")
    old_path = link_in(mails_to(rosa.email)[0].text_body)
    response = signed_in.post(f"/admin/people/{rosa.id}/invitation-link")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    tree = parse(html)
    assert texts(tree, 'label[for="invitation-link"]') == ["Invitation link for Rosa Parks"]
    assert tree.query("#invitation-link").etree_element.get("readonly") is not None
    assert "It replaces the earlier link, which no longer works" in " ".join(texts(tree, "#invitation-link-hint"))
    path = copied_link(html)
    assert len(mails_to(rosa.email)) == 1  # nothing emailed
    browser = app.test_client()
    assert browser.get(old_path).status_code == 404
    assert set_password(browser, path).status_code == 302
    [event] = events("staff.invitation_link_copied")
    assert (event.actor_id, event.target_id) == (admin.id, rosa.id)
    assert "invitation-link" not in signed_in.get(f"/admin/people/{rosa.id}").get_data(as_text=True)  # shown once


def test_no_invitation_for_someone_who_has_a_password(signed_in, supervisor):
    page = signed_in.get(f"/admin/people/{supervisor.id}").get_data(as_text=True)
    assert "Email a new invitation" not in page
    response = signed_in.post(f"/admin/people/{supervisor.id}/invitation-link")
    assert response.status_code == 422
    assert "They have set a password already" in response.get_data(as_text=True)
    assert "invitation-link" not in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(UserToken.id))) == 0
    assert signed_in.post(f"/admin/people/{supervisor.id}/invitation").status_code == 422
    assert mails_to(supervisor.email) == []


# --- roles ---------------------------------------------------------------------------------------------


def test_changing_a_role_is_audited_from_and_to(signed_in, admin, supervisor):
    response = signed_in.post(f"/admin/people/{supervisor.id}/role", data={"role": "admin"})
    assert response.status_code == 302
    assert "Sam Supervisor is now an Admin." in signed_in.get(response.headers["Location"]).get_data(as_text=True)
    assert user(supervisor.email).role == Role.ADMIN
    [event] = events("staff.role_changed")
    assert (event.from_state, event.to_state, event.actor_id) == ("supervisor", "admin", admin.id)
    signed_in.post(f"/admin/people/{supervisor.id}/role", data={"role": "admin"})
    assert len(events("staff.role_changed")) == 1  # unchanged: nothing audited


def test_the_last_active_admin_cannot_demote_themselves(signed_in, admin):
    UserFactory(email="old-admin@example.org", role=Role.ADMIN, active=False)  # deactivated admins do not count
    response = signed_in.post(f"/admin/people/{admin.id}/role", data={"role": "supervisor"})
    assert response.status_code == 422
    assert field_error(response.get_data(as_text=True), "role").startswith(
        "There must be at least one active admin, and you are the last one."
    )
    assert user(admin.email).role == Role.ADMIN and events("staff.role_changed") == []


def test_with_another_active_admin_an_admin_can_step_down(app, signed_in, admin):
    AdminFactory(email="bea@example.org")
    assert signed_in.post(f"/admin/people/{admin.id}/role", data={"role": "supervisor"}).status_code == 302
    assert user(admin.email).role == Role.SUPERVISOR
    # A role change ends the person's sessions, their own included: they sign in again as a supervisor.
    assert signed_in.get("/admin/people").headers["Location"].startswith("/auth/sign-in")


def test_an_intern_has_no_staff_role_to_change(signed_in, intern):
    page = signed_in.get(f"/admin/people/{intern.id}").get_data(as_text=True)
    assert "Save the role" not in page and "Save the programs" not in page
    response = signed_in.post(f"/admin/people/{intern.id}/role", data={"role": "admin"})
    assert response.status_code == 422
    assert user(intern.email).role == Role.INTERN


# --- program assignments -----------------------------------------------------------------------------


def test_program_assignments_are_saved_and_audited_before_and_after(signed_in, admin, supervisor, program):
    spring = ProgramFactory(title="Spring Canvass")
    old = ProgramFactory(title="Old Program", state=ProgramState.ARCHIVED, reviewers=[supervisor])
    response = signed_in.post(
        f"/admin/people/{supervisor.id}/programs",
        data={"review_programs": [str(spring.id)], "supervise_programs": [str(program.id), str(spring.id)]},
    )
    assert response.status_code == 302
    # Fall Organizing unticked; the archived program (not listed) is kept.
    assert assignments(supervisor) == (["Old Program", "Spring Canvass"], ["Fall Organizing", "Spring Canvass"])
    [event] = events("staff.programs_changed")
    assert event.details == {
        "before": {"review": ["Fall Organizing", "Old Program"], "supervise": []},
        "after": {"review": ["Old Program", "Spring Canvass"], "supervise": ["Fall Organizing", "Spring Canvass"]},
    }
    assert old.title in signed_in.get(f"/admin/people/{supervisor.id}").get_data(as_text=True)

    again = signed_in.post(
        f"/admin/people/{supervisor.id}/programs",
        data={"review_programs": [str(spring.id)], "supervise_programs": [str(program.id), str(spring.id)]},
    )
    assert "Nothing changed." in signed_in.get(again.headers["Location"]).get_data(as_text=True)
    assert len(events("staff.programs_changed")) == 1


def test_an_unknown_program_changes_nothing(signed_in, supervisor, program):
    response = signed_in.post(
        f"/admin/people/{supervisor.id}/programs", data={"review_programs": [str(program.id), "999999"]}
    )
    assert response.status_code == 422
    assert "archived or no longer exists" in field_error(response.get_data(as_text=True), "review_programs")
    assert assignments(supervisor) == (["Fall Organizing"], [])
    assert events("staff.programs_changed") == []


def test_a_new_reviewer_sees_the_program_in_their_queue(app, signed_in, program):
    from factories import ApplicationFactory

    ApplicationFactory(program=program, full_name="Applicant Ana")
    newcomer = UserFactory(email="new@example.org")
    browser = app.test_client()
    sign_in(browser, newcomer)
    assert "Applicant Ana" not in browser.get("/review/").get_data(as_text=True)
    signed_in.post(f"/admin/people/{newcomer.id}/programs", data={"review_programs": [str(program.id)]})
    assert "Applicant Ana" in browser.get("/review/").get_data(as_text=True)


# --- deactivating and reactivating -------------------------------------------------------------------


def test_deactivation_ends_every_session_at_once(app, signed_in, admin, supervisor):
    old_cookie = supervisor.session_token
    theirs = app.test_client()
    sign_in(theirs, supervisor)
    assert theirs.get("/review/").status_code == 200
    response = signed_in.post(f"/admin/people/{supervisor.id}/deactivate")
    assert response.status_code == 302
    assert "Sam Supervisor is deactivated" in signed_in.get(response.headers["Location"]).get_data(as_text=True)
    next_request = theirs.get("/review/")
    assert next_request.status_code == 302 and "/auth/sign-in" in next_request.headers["Location"]
    person = user(supervisor.email)
    assert person.active is False and person.session_token != old_cookie
    [event] = events("staff.deactivated")
    assert (event.actor_id, event.target_id, event.from_state, event.to_state) == (
        admin.id, supervisor.id, "active", "deactivated",
    )


def test_a_deactivated_person_cannot_sign_in_and_hears_nothing_more(app, signed_in, supervisor):
    signed_in.post(f"/admin/people/{supervisor.id}/deactivate")
    response = app.test_client().post("/auth/sign-in", data={"email": supervisor.email, "password": TEST_PASSWORD})
    assert response.status_code == 422
    assert SIGN_IN_FAILED in response.get_data(as_text=True)  # the same answer as a wrong password
    assert "deactivated" not in response.get_data(as_text=True).lower()


def test_deactivation_kills_unused_invitation_and_reset_links(app, signed_in, invited):
    reset = issue_token(invited, TokenPurpose.PASSWORD_RESET, timedelta(hours=1))
    invitation = issue_token(invited, TokenPurpose.INVITATION, timedelta(days=7))
    db.session.commit()
    signed_in.post(f"/admin/people/{invited.id}/deactivate")
    browser = app.test_client()
    assert browser.get(f"/auth/invitation/{invitation}").status_code == 404
    assert browser.get(f"/auth/reset/{reset}").status_code == 404
    db.session.expire_all()
    assert db.session.scalar(select(func.count(UserToken.id)).where(UserToken.used_at.is_(None))) == 0
    # Reactivating does not bring them back: a new invitation is needed.
    signed_in.post(f"/admin/people/{invited.id}/reactivate")
    assert browser.get(f"/auth/invitation/{invitation}").status_code == 404
    page = signed_in.get(f"/admin/people/{invited.id}").get_data(as_text=True)
    assert "no invitation link is valid" in page and "Email a new invitation" in page


def test_deactivated_people_get_no_reminders_and_keep_their_past_work(app, signed_in, program, supervisor, intern):
    today = date(2026, 10, 14)
    placement = PlacementFactory(
        program=program, application__program=program, intern=intern, supervisor=supervisor,
        start_date=date(2026, 9, 7),
    )
    TimesheetWeekFactory(
        placement=placement, week_start=date(2026, 9, 28), status=WeekStatus.SUBMITTED,
        submitted_at=utcnow().replace(year=2026, month=10, day=1),
    )
    review = ReviewFactory(application=placement.application, reviewer=supervisor, submitted_at=utcnow())
    db.session.commit()
    signed_in.post(f"/admin/people/{supervisor.id}/deactivate")
    signed_in.post(f"/admin/people/{intern.id}/deactivate")
    report = send_reminders(today)
    db.session.commit()
    assert report.interns == [] and report.supervisors == []
    assert mails_to(supervisor.email) == [] and mails_to(intern.email) == []
    db.session.expire_all()
    assert db.session.get(type(review), review.id).reviewer_id == supervisor.id  # still theirs
    assert events("intern.deactivated")[0].target_id == intern.id

    signed_in.post(f"/admin/people/{supervisor.id}/reactivate")
    assert send_reminders(today).supervisors == [supervisor.email]  # and back again once active


def test_reactivation_needs_a_fresh_sign_in_and_old_cookies_stay_dead(app, signed_in, admin, supervisor):
    old_cookie = supervisor.session_token
    signed_in.post(f"/admin/people/{supervisor.id}/deactivate")
    response = signed_in.post(f"/admin/people/{supervisor.id}/reactivate")
    assert response.status_code == 302
    person = user(supervisor.email)
    assert person.active is True and person.session_token != old_cookie
    stale = app.test_client()
    with stale.session_transaction() as session:
        session["_user_id"] = old_cookie
    assert not is_signed_in(stale)
    fresh = app.test_client()
    assert fresh.post("/auth/sign-in", data={"email": supervisor.email, "password": TEST_PASSWORD}).status_code == 302
    assert fresh.get("/review/").status_code == 200
    [event] = events("staff.reactivated")
    assert (event.from_state, event.to_state, event.actor_id) == ("deactivated", "active", admin.id)


def test_the_last_active_admin_cannot_deactivate_themselves(signed_in, admin):
    response = signed_in.post(f"/admin/people/{admin.id}/deactivate")
    assert response.status_code == 422
    assert "There must be at least one active admin, and you are the last one." in response.get_data(as_text=True)
    assert user(admin.email).active is True and is_signed_in(signed_in)
    assert events("staff.deactivated") == []


def test_an_admin_can_deactivate_another_admin_but_not_the_last_one(app, client, admin):
    other = AdminFactory(email="bea@example.org", full_name="Bea Admin")
    sign_in(client, other)
    assert client.post(f"/admin/people/{admin.id}/deactivate").status_code == 302
    assert user(admin.email).active is False
    response = client.post(f"/admin/people/{other.id}/deactivate")  # now the last one
    assert response.status_code == 422
    assert user(other.email).active is True


def test_deactivating_oneself_signs_one_out(app, client, admin):
    AdminFactory(email="bea@example.org")
    sign_in(client, admin)
    assert client.post(f"/admin/people/{admin.id}/deactivate").status_code == 302
    assert not is_signed_in(client)


def test_deactivating_twice_says_so(signed_in, supervisor):
    signed_in.post(f"/admin/people/{supervisor.id}/deactivate")
    response = signed_in.post(f"/admin/people/{supervisor.id}/deactivate")
    assert response.status_code == 409
    assert "deactivated already" in response.get_data(as_text=True)
    assert len(events("staff.deactivated")) == 1


def test_the_person_page_shows_who_they_are(signed_in, invited, program):
    tree = parse(signed_in.get(f"/admin/people/{invited.id}").get_data(as_text=True))
    facts = dict(zip(texts(tree, ".person-facts dt"), texts(tree, ".person-facts dd"), strict=True))
    assert facts["Email"] == "rosa@example.org" and facts["Role"] == "Supervisor"
    assert facts["Status"].startswith("Invited — invitation pending") and facts["Last signed in"] == "never"
    assert facts["Reviews"] == "Fall Organizing" and facts["Supervises"] == "none"
    assert tree.query(f'input[name="review_programs"][value="{program.id}"]').etree_element.get("checked") is not None


def test_invitation_tokens_for_interns_are_left_to_their_placement(signed_in, intern):
    UserTokenFactory(user=intern, purpose=TokenPurpose.INVITATION)
    intern.password_hash = None
    db.session.commit()
    page = signed_in.get(f"/admin/people/{intern.id}").get_data(as_text=True)
    assert "Email a new invitation" not in page and "Deactivate Ana Reyes" in page
    assert signed_in.post(f"/admin/people/{intern.id}/invitation").status_code == 422
    assert mails_to(intern.email) == []


def test_interns_on_the_filter_are_not_staff(signed_in, intern):
    assert InternFactory(email="bo@example.org")
    html = signed_in.get("/admin/people?show=interns").get_data(as_text=True)
    assert "bo@example.org" in html and "alex@example.org" not in html


def test_the_person_page_warns_about_the_interns_they_supervise(signed_in, supervisor, placement):
    page = signed_in.get(f"/admin/people/{supervisor.id}").get_data(as_text=True)
    assert "Sam Supervisor supervises 1 current intern." in " ".join(page.split())


def test_an_assignment_saved_at_the_same_moment_is_a_conflict_not_a_500(signed_in, supervisor, program, monkeypatch):
    from portal.services import staff

    monkeypatch.setattr(staff, "_assigned_ids", lambda kind, user_id: set())  # as read before the other save
    response = signed_in.post(f"/admin/people/{supervisor.id}/programs", data={"review_programs": [str(program.id)]})
    assert response.status_code == 409
    assert "Someone else changed this at the same moment" in response.get_data(as_text=True)
    assert events("staff.programs_changed") == []
