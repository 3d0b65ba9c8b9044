"""The program editor's People tab: the program's reviewers and supervisors, added from active staff and
removed, audited before → after; the same assignments the person page shows and edits."""

from __future__ import annotations

import pytest
from factories import AdminFactory, UserFactory
from session_support import sign_in
from sqlalchemy import select
from test_admin_people import assignments, field_error
from test_progress import parse, texts

from portal.extensions import db
from portal.models import AuditEvent

VISITORS = ("anonymous", "intern", "supervisor", "admin")

ROUTES = [
    ("GET", "/admin/programs/{id}/people", (302, 403, 403, 200)),
    ("POST", "/admin/programs/{id}/people/reviewers/add", (302, 403, 403, 302)),
    ("POST", "/admin/programs/{id}/people/supervisors/add", (302, 403, 403, 302)),
    ("POST", "/admin/programs/{id}/people/reviewers/remove", (302, 403, 403, 302)),
    ("POST", "/admin/programs/{id}/people/supervisors/remove", (302, 403, 403, 302)),
]


def tab(program) -> str:
    return f"/admin/programs/{program.id}/people"


def add(client, program, kind, person):
    return client.post(f"{tab(program)}/{kind}/add", data={f"{kind}-person": str(getattr(person, "id", person))})


def remove(client, program, kind, person):
    return client.post(f"{tab(program)}/{kind}/remove", data={"remove": str(getattr(person, "id", person))})


def events(action: str) -> list[AuditEvent]:
    db.session.expire_all()
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


def listed(client, program, kind) -> list[str]:
    tree = parse(client.get(tab(program)).get_data(as_text=True))
    return [item.split(" (")[0] for item in texts(tree, f"#{kind} .staff-list li")]


def offered(client, program, kind) -> list[str]:
    tree = parse(client.get(tab(program)).get_data(as_text=True))
    return texts(tree, f"#{kind}-person option")[1:]


@pytest.fixture
def signed_in(client, admin):
    sign_in(client, admin)
    return client


@pytest.mark.parametrize("method, template, expected", ROUTES, ids=[f"{m} {t}" for m, t, _ in ROUTES])
def test_access_table(app, admin, supervisor, intern, program, method, template, expected):
    users = {"anonymous": None, "intern": intern, "supervisor": supervisor, "admin": admin}
    observed = []
    for visitor in VISITORS:
        person = UserFactory()
        program.reviewers.append(person)
        program.supervisors.append(person)
        db.session.commit()
        kind = "reviewers" if "/reviewers/" in template else "supervisors"
        body = {"remove": str(person.id)} if template.endswith("/remove") else {f"{kind}-person": str(person.id)}
        if template.endswith("/add"):
            getattr(program, kind).remove(person)
            db.session.commit()
        client = app.test_client()
        if users[visitor] is not None:
            sign_in(client, users[visitor])
        response = client.open(template.format(id=program.id), method=method, data=body)
        if visitor == "anonymous":
            assert "/auth/sign-in" in response.headers["Location"]
        observed.append(response.status_code)
    assert tuple(observed) == expected


def test_the_tab_is_in_the_program_editor_and_lists_both_groups(signed_in, program, supervisor):
    lead = UserFactory(email="lee@example.org", full_name="Lee Lead")
    program.supervisors.append(lead)
    db.session.commit()
    tree = parse(signed_in.get(tab(program)).get_data(as_text=True))
    assert texts(tree, '.tabs a[aria-current="page"]') == ["People"]
    assert listed(signed_in, program, "reviewers") == ["Sam Supervisor"]
    assert listed(signed_in, program, "supervisors") == ["Lee Lead"]


def test_only_active_staff_not_already_there_are_offered(signed_in, program, supervisor, intern, admin):
    UserFactory(email="gone@example.org", full_name="Gone Person", active=False)
    UserFactory(email="new@example.org", full_name="New Person")
    assert offered(signed_in, program, "reviewers") == [
        "Alex Admin (alex@example.org)", "New Person (new@example.org)",
    ]
    assert "Ana Reyes (ana@example.org)" not in offered(signed_in, program, "supervisors")
    assert "Sam Supervisor (sam@example.org)" in offered(signed_in, program, "supervisors")


def test_adding_and_removing_is_audited_and_the_person_page_agrees(signed_in, admin, program, supervisor):
    newcomer = UserFactory(email="new@example.org", full_name="New Person")
    response = add(signed_in, program, "reviewers", newcomer)
    assert response.status_code == 302 and response.headers["Location"].endswith("/people#reviewers")
    assert "New Person is now a reviewer of Fall Organizing." in signed_in.get(tab(program)).get_data(as_text=True)
    assert listed(signed_in, program, "reviewers") == ["New Person", "Sam Supervisor"]
    [event] = events("program.reviewers_changed")
    assert (event.target_type, event.target_id, event.actor_id) == ("program", program.id, admin.id)
    assert event.details == {"before": ["sam@example.org"], "after": ["new@example.org", "sam@example.org"]}

    add(signed_in, program, "supervisors", newcomer)
    assert assignments(newcomer) == (["Fall Organizing"], ["Fall Organizing"])
    person_page = parse(signed_in.get(f"/admin/people/{newcomer.id}").get_data(as_text=True))
    facts = dict(zip(texts(person_page, ".person-facts dt"), texts(person_page, ".person-facts dd"), strict=True))
    assert facts["Reviews"] == "Fall Organizing" and facts["Supervises"] == "Fall Organizing"

    response = remove(signed_in, program, "reviewers", supervisor)
    assert response.status_code == 302
    assert "Sam Supervisor is no longer a reviewer of Fall Organizing." in signed_in.get(tab(program)).get_data(
        as_text=True
    )
    assert assignments(supervisor) == ([], [])
    assert events("program.reviewers_changed")[-1].details == {
        "before": ["new@example.org", "sam@example.org"], "after": ["new@example.org"],
    }
    assert len(events("program.supervisors_changed")) == 1


def test_the_person_page_changes_show_on_the_tab(signed_in, program):
    person = UserFactory(email="pat@example.org", full_name="Pat Person")
    signed_in.post(f"/admin/people/{person.id}/programs", data={"supervise_programs": [str(program.id)]})
    assert listed(signed_in, program, "supervisors") == ["Pat Person"]


REFUSED = "Choose an active staff member who is not already a reviewer."


@pytest.mark.parametrize(
    "who, message",
    [
        ("deactivated", REFUSED),
        ("intern", REFUSED),
        ("already", REFUSED),
        ("unknown", REFUSED),
        ("not a number", "Choose a person from the list"),
        ("nobody", "Choose a person"),
    ],
)
def test_only_active_staff_who_are_not_there_yet_can_be_added(signed_in, program, supervisor, intern, who, message):
    target = {
        "deactivated": lambda: UserFactory(active=False).id,
        "intern": lambda: intern.id,
        "already": lambda: supervisor.id,
        "unknown": lambda: 999999,
        "not a number": lambda: "abc",
        "nobody": lambda: "",
    }[who]()
    response = add(signed_in, program, "reviewers", target)
    assert response.status_code == 422
    assert field_error(response.get_data(as_text=True), "reviewers-person") == message
    assert listed(signed_in, program, "reviewers") == ["Sam Supervisor"]
    assert events("program.reviewers_changed") == []


def test_removing_someone_who_is_not_there_says_so(signed_in, program):
    stranger = UserFactory()
    response = remove(signed_in, program, "supervisors", stranger)
    assert response.status_code == 409
    assert "no longer a supervisor of this program" in response.get_data(as_text=True)
    assert events("program.supervisors_changed") == []


def test_an_unknown_kind_or_program_is_not_found(signed_in, program, supervisor):
    assert signed_in.post(f"{tab(program)}/owners/add", data={"owners-person": str(supervisor.id)}).status_code == 404
    assert signed_in.get("/admin/programs/999999/people").status_code == 404
    assert signed_in.post("/admin/programs/999999/people/reviewers/remove", data={"remove": "1"}).status_code == 404


def test_a_deactivated_reviewer_is_marked_and_can_be_removed(signed_in, program, supervisor):
    AdminFactory(email="other-admin@example.org")
    signed_in.post(f"/admin/people/{supervisor.id}/deactivate")
    tree = parse(signed_in.get(tab(program)).get_data(as_text=True))
    assert "Deactivated" in texts(tree, "#reviewers .staff-list li")[0]
    assert remove(signed_in, program, "reviewers", supervisor).status_code == 302
    assert listed(signed_in, program, "reviewers") == []


def test_a_program_supervisor_sees_its_interns_hours_and_loses_them_when_removed(
    app, signed_in, program, placement, intern
):
    """Supervising a program means its interns' hours, not only the placements one is named on."""
    colleague = UserFactory(full_name="Cruz Colleague")
    stranger = UserFactory(full_name="Other Program's Supervisor")
    db.session.commit()
    add(signed_in, program, "supervisors", colleague)
    theirs = app.test_client()
    sign_in(theirs, colleague)
    assert intern.full_name in " ".join(texts(parse(theirs.get("/hours/compliance").data), "main"))
    assert theirs.get(f"/hours/?placement={placement.id}").status_code == 200
    outsider = app.test_client()
    sign_in(outsider, stranger)
    assert intern.full_name not in " ".join(texts(parse(outsider.get("/hours/compliance").data), "main"))
    assert outsider.get(f"/hours/?placement={placement.id}").status_code == 404

    remove(signed_in, program, "supervisors", colleague)
    assert intern.full_name not in " ".join(texts(parse(theirs.get("/hours/compliance").data), "main"))
    assert theirs.get(f"/hours/?placement={placement.id}").status_code == 404
