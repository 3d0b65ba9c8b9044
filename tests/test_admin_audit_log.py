"""The audit log page for admins: every event newest first, filters, links, pages, the CSV, and its own reads."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from factories import (
    AdminFactory,
    ApplicationFactory,
    AuditEventFactory,
    InternFactory,
    TimesheetWeekFactory,
    UserFactory,
)
from session_support import sign_in
from sqlalchemy import select
from test_progress import count_queries, parse, texts

from portal.extensions import db
from portal.models import AuditEvent
from portal.services import audit_log

END_BEFORE_START = "Enter an end date on or after the start date"
VISITORS = ("anonymous", "intern", "supervisor", "admin")

# (method, path, expected status for each visitor in VISITORS order)
ROUTES = [
    ("GET", "/admin/audit", (302, 403, 403, 200)),
    ("GET", "/admin/audit?action=program.created&date_from=2026-01-01", (302, 403, 403, 200)),
    ("GET", "/admin/audit/export.csv", (302, 403, 403, 200)),
]


def at(day: int, hour: int = 12, minute: int = 0) -> datetime:
    return datetime(2026, 9, day, hour, minute, tzinfo=UTC)


def event(**fields) -> AuditEvent:
    return AuditEventFactory(**fields)


def rows(client, **params):
    response = client.get("/admin/audit", query_string=params)
    return response, parse(response.data)


def listed_actions(page) -> list[str]:
    return [el.etree_element.get("data-action") for el in page.query_all(".audit-table tbody tr")]


def field_error(page, field_id: str) -> str:
    found = texts(page, f"#{field_id}-error")
    return found[0].replace("Error: ", "") if found else ""


def export(client, **params) -> list[dict[str, str]]:
    response = client.get("/admin/audit/export.csv", query_string=params)
    assert response.status_code == 200
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


@pytest.fixture
def signed_in(client, admin):
    sign_in(client, admin)
    return client


@pytest.fixture
def history(app, admin, supervisor, program):
    """Four events from three kinds of actor, stored out of time order."""
    application = ApplicationFactory(program=program)
    events = {
        "rules": event(
            actor=admin,
            actor_label=admin.email,
            action="program.rules_changed",
            target_type="program",
            target_id=program.id,
            at=at(10),
            details={"before": {"weekly_min": 15, "min_weeks": 12}, "after": {"weekly_min": 20, "min_weeks": 12}},
        ),
        "submitted": event(
            actor_label="applicant",
            action="application.submitted",
            target_type="application",
            target_id=application.id,
            to_state="submitted",
            at=at(2),
        ),
        "declined": event(
            actor=supervisor,
            actor_label=supervisor.email,
            action="application.status_changed",
            target_type="application",
            target_id=application.id,
            from_state="in_review",
            to_state="declined",
            reason="Not available on Tuesdays",
            at=at(20),
        ),
        "created": event(
            actor_label="flask create-user",
            action="user.created",
            target_type="user",
            target_id=supervisor.id,
            to_state="supervisor",
            at=at(1),
        ),
    }
    db.session.commit()
    return {"application": application, "events": events}


# --- 1. the list -----------------------------------------------------------------------------------


def test_every_event_is_listed_newest_first_with_who_what_and_why(signed_in, history, admin, supervisor):
    response, page = rows(signed_in)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert listed_actions(page) == [
        "application.status_changed",
        "program.rules_changed",
        "application.submitted",
        "user.created",
    ]
    declined = texts(page, ".audit-table tbody tr:first-child td")
    assert declined[:3] == [
        "20 September 2026, 12:00 UTC",
        "Sam Supervisor (sam@example.org)",
        "Application status changed",
    ]
    assert declined[4:6] == ["in_review → declined", "Not available on Tuesdays"]
    who = texts(page, '.audit-table td[data-label="Who"]')
    assert who == [
        "Sam Supervisor (sam@example.org)",
        "Alex Admin (alex@example.org)",
        "applicant",
        "flask create-user",
    ]


def test_details_are_summarised_as_before_and_after(signed_in, history):
    _, page = rows(signed_in, action="program.rules_changed")
    # Only what changed; the unchanged minimum of weeks is left out.
    assert texts(page, ".audit-details li") == ["weekly min: 15 → 20"]


def stand_in(app, endpoint: str, rule: str) -> None:
    """A page built alongside this one (people, placements): a stand-in until it exists."""
    if endpoint not in app.view_functions:
        app.add_url_rule(rule, endpoint=endpoint, view_func=lambda **ids: "")


def test_objects_link_to_their_pages(app, signed_in, history, program, supervisor, placement):
    stand_in(app, "admin.person", "/admin/people/<int:user_id>")
    stand_in(app, "timesheets.manage_placement", "/hours/placements/<int:placement_id>/manage")
    event(action="placement.changed", target_type="placement", target_id=placement.id, at=at(3))
    db.session.commit()
    application = history["application"]
    _, page = rows(signed_in)
    links = {
        " ".join("".join(a.etree_element.itertext()).split()): a.etree_element.get("href")
        for a in page.query_all('.audit-table td[data-label="Object"] a')
    }
    assert links == {
        f"Application {application.id}": f"/review/applications/{application.id}",
        f"Program {program.id}": f"/admin/programs/{program.id}",
        f"Person {supervisor.id}": f"/admin/people/{supervisor.id}",
        f"Placement {placement.id}": f"/hours/placements/{placement.id}/manage",
    }


def test_an_object_without_a_page_is_named_without_a_link(app, signed_in, placement):
    week = TimesheetWeekFactory(placement=placement, week_start=placement.start_date)
    event(action="concern.raised", target_type="concern", target_id=7, actor_label="system")
    event(action="timesheet.submitted", target_type="timesheet_week", target_id=week.id, actor_label="system")
    event(action="audit.viewed", target_type="audit_log", target_id=None)
    db.session.commit()
    _, page = rows(signed_in)
    cells = page.query_all('.audit-table td[data-label="Object"]')
    by_text = {" ".join("".join(c.etree_element.itertext()).split()): c for c in cells}
    assert by_text["Concern 7"].query("a") is None
    assert by_text["Audit log"].query("a") is None
    week_link = by_text[f"Timesheet week {week.id}"].query("a").etree_element.get("href")
    assert week_link == f"/hours/placements/{placement.id}/weeks/{placement.start_date.isoformat()}"


def test_an_empty_log_says_so(signed_in):
    _, page = rows(signed_in)
    assert "Nothing has been recorded yet." in texts(page, ".empty-state")[0]


def test_an_unknown_endpoint_gives_no_link(app):
    with app.test_request_context():
        from portal.admin.audit_log import _url_or_none

        assert _url_or_none("admin.no_such_page", 3) is None
        assert _url_or_none("admin.program", 3) == "/admin/programs/3"


# --- 2. filters --------------------------------------------------------------------------------------


def test_filters_by_person_action_object_type_and_dates(signed_in, history, supervisor):
    _, page = rows(signed_in, person=supervisor.id)
    assert listed_actions(page) == ["application.status_changed"]
    _, page = rows(signed_in, action="user.created")
    assert listed_actions(page) == ["user.created"]
    _, page = rows(signed_in, object_type="application")
    assert listed_actions(page) == ["application.status_changed", "application.submitted"]
    _, page = rows(signed_in, date_from="2026-09-02", date_to="2026-09-10")
    assert listed_actions(page) == ["program.rules_changed", "application.submitted"]  # both ends included
    _, page = rows(signed_in, who="APPLIC")
    assert listed_actions(page) == ["application.submitted"]
    _, page = rows(signed_in, who="%")  # a wildcard is a character to look for, not "anything"
    assert listed_actions(page) == []
    assert "No event matches these filters." in texts(page, ".empty-state")[0]


def test_the_selects_offer_only_what_the_log_holds(signed_in, history, admin, supervisor):
    UserFactory(full_name="Never Acted")
    db.session.commit()
    _, page = rows(signed_in)
    assert texts(page, "#person option") == [
        "Anyone",
        "Alex Admin (alex@example.org)",
        "Sam Supervisor (sam@example.org)",
    ]
    assert texts(page, "#action option") == [
        "Any action",
        "Application status changed",
        "Application submitted",
        "Program rules changed",
        "User created",
    ]
    assert texts(page, "#object_type option") == ["Any object", "Application", "Program", "Person"]


def test_a_well_formed_filter_the_log_does_not_hold_lists_nothing_rather_than_refusing(signed_in, history):
    nobody = UserFactory(full_name="Quiet Person")
    db.session.commit()
    for params in ({"action": "staff.deactivated"}, {"object_type": "placement"}, {"person": nobody.id}):
        response, page = rows(signed_in, **params)
        assert response.status_code == 200
        assert listed_actions(page) == []
        [chosen] = texts(page, "select option[selected]:not([value=''])")
        assert chosen in ("Staff deactivated", "Placement", "Quiet Person (" + nobody.email + ")")


def test_the_filters_stay_in_the_form_and_in_the_csv_link(signed_in, history):
    _, page = rows(signed_in, action="user.created", date_from="2026-09-01", who="flask")
    assert page.query("#action option[selected]").etree_element.get("value") == "user.created"
    assert page.query("#date_from").etree_element.get("value") == "2026-09-01"
    assert page.query("#who").etree_element.get("value") == "flask"
    link = page.query(".button-row a").etree_element.get("href")
    assert link == "/admin/audit/export.csv?who=flask&action=user.created&date_from=2026-09-01"


@pytest.mark.parametrize(
    "params, field, message",
    [
        ({"date_from": "1 Sept"}, "date_from", "Enter a date, like 2026-08-01"),
        ({"date_to": "2026-02-30"}, "date_to", "Enter a date, like 2026-08-01"),
        ({"date_from": "2026-09-01", "date_to": "2026-08-31"}, "date_to", END_BEFORE_START),
        ({"person": "abc"}, "person", "Choose one of the options in the list"),
        ({"person": "99999"}, "person", "Choose one of the options in the list"),
        ({"action": "DROP TABLE"}, "action", "Choose one of the options in the list"),
        ({"object_type": "a" * 41}, "object_type", "Choose one of the options in the list"),
        ({"who": "x" * 121}, "who", "Keep it under 120 characters"),
    ],
)
def test_a_bad_filter_is_explained_beside_it_and_kept(signed_in, history, params, field, message):
    response, page = rows(signed_in, **params)
    assert response.status_code == 422
    assert field_error(page, field) == message
    assert page.query(f"#{field}").etree_element.get("aria-invalid") == "true"
    assert message in texts(page, ".error-summary li")[0]
    if page.query(f"input#{field}") is not None:
        assert page.query(f"#{field}").etree_element.get("value") == params[field]
    # The bad filter is not applied (the other filters are) and the CSV link leaves it out.
    assert len(listed_actions(page)) == 4
    assert page.query(".button-row a").etree_element.get("href").startswith("/admin/audit/export.csv")
    assert field not in page.query(".button-row a").etree_element.get("href")


def test_a_hand_edited_export_address_with_a_bad_date_gets_the_page_not_a_file(signed_in, history):
    response = signed_in.get("/admin/audit/export.csv?date_from=yesterday")
    assert response.status_code == 422
    assert response.mimetype == "text/html"
    assert field_error(parse(response.data), "date_from") == "Enter a date, like 2026-08-01"


# --- 3. pages and queries ----------------------------------------------------------------------------


def test_fifty_events_a_page_and_the_pages_keep_the_filters(signed_in, admin):
    for minute in range(53):
        event(action="program.created", target_type="program", target_id=minute + 1, at=at(5, 9, minute))
    event(action="user.created", target_type="user", target_id=1, at=at(6))
    db.session.commit()
    _, first = rows(signed_in, action="program.created")
    assert len(listed_actions(first)) == 50
    assert texts(first, ".pagination span") == ["Page 1 of 2"]
    older = first.query('.pagination a[rel="next"]').etree_element.get("href")
    assert older == "/admin/audit?page=2&action=program.created"
    _, second = rows(signed_in, page=2, action="program.created")
    assert len(listed_actions(second)) == 3
    assert texts(second, '.audit-table td[data-label="Object"]')[-1] == "Program 1"  # the oldest last
    _, junk = rows(signed_in, page="abc", action="program.created")
    assert len(listed_actions(junk)) == 50


def test_the_page_needs_the_same_number_of_queries_for_three_events_or_fifty(app, signed_in, placement):
    made = []

    def fill(count: int) -> None:
        for n in range(len(made), len(made) + count):
            made.append(n)
            actor = UserFactory() if n % 2 else AdminFactory()
            application = ApplicationFactory(program=placement.program)
            week = TimesheetWeekFactory(placement=placement, week_start=placement.start_date + timedelta(weeks=n))
            event(actor=actor, action=f"test.action_{n % 5}", target_type="application", target_id=application.id)
            event(action="timesheet.approved", target_type="timesheet_week", target_id=week.id)
        db.session.commit()
        db.session.expire_all()

    fill(2)
    with count_queries() as few:
        assert signed_in.get("/admin/audit").status_code == 200
    fill(25)
    with count_queries() as many:
        assert signed_in.get("/admin/audit").status_code == 200
    assert len(many) == len(few)
    assert len(few) <= 12


# --- 4. the CSV -----------------------------------------------------------------------------------


def test_the_csv_has_every_matching_row_in_full_and_formula_safe(signed_in, history, monkeypatch):
    monkeypatch.setattr(audit_log, "EXPORT_CHUNK", 2)  # read in chunks: rows on a chunk's edge are not lost
    event(
        actor_label="applicant",
        action="application.submitted",
        target_type="application",
        target_id=9,
        reason="=HYPERLINK(\"http://evil.example\")",
        at=at(2),  # the same moment as another event: the chunks are cut by (time, id)
    )
    db.session.commit()
    exported = export(signed_in)
    actions = [row["Action name"] for row in exported]
    assert actions == [
        "application.status_changed",
        "program.rules_changed",
        "application.submitted",
        "application.submitted",
        "user.created",
    ]
    declined = exported[0]
    assert declined["When (UTC)"] == "2026-09-20T12:00:00Z"
    assert declined["Who"] == "Sam Supervisor (sam@example.org)"
    assert declined["Account email"] == "sam@example.org"
    assert (declined["From"], declined["To"], declined["Why"]) == ("in_review", "declined", "Not available on Tuesdays")
    assert "'=HYPERLINK(" in [row["Why"] for row in exported if row["Object id"] == "9"][0]
    assert '"weekly_min": 15' in exported[1]["Details"]


def test_the_csv_applies_the_filters_and_is_a_dated_uncached_attachment(signed_in, history):
    response = signed_in.get("/admin/audit/export.csv", query_string={"object_type": "application"})
    assert response.mimetype == "text/csv"
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="audit-log-')
    exported = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [row["Action name"] for row in exported] == ["application.status_changed", "application.submitted"]


def test_export_reads_every_row_in_chunks_of_a_bounded_size(app, history, monkeypatch):
    monkeypatch.setattr(audit_log, "EXPORT_CHUNK", 3)
    chunks = list(audit_log.export_events(audit_log.AuditFilters()))
    assert [len(chunk) for chunk in chunks] == [3, 1]


# --- 5. reading the log is audited -----------------------------------------------------------------


def test_reading_the_page_is_recorded_with_its_filters(signed_in, history, admin):
    signed_in.get("/admin/audit", query_string={"action": "user.created", "page": "1"})
    viewed = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "audit.viewed")).one()
    assert viewed.actor_id == admin.id
    assert viewed.details == {"filters": {"action": "user.created"}, "page": 1}
    # The next read lists the earlier one.
    _, page = rows(signed_in, action="audit.viewed")
    assert texts(page, '.audit-table td[data-label="Action"]') == ["Audit log viewed"]
    assert texts(page, '.audit-table td[data-label="Who"]') == ["Alex Admin (alex@example.org)"]


def test_exporting_is_recorded_with_its_filters_and_row_count(signed_in, history, admin):
    export(signed_in, object_type="application")
    exported = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "audit.exported")).one()
    assert exported.actor_id == admin.id
    assert exported.details == {"filters": {"object_type": "application"}, "rows": 2}


# --- 6. summaries (no app needed) --------------------------------------------------------------------


@pytest.mark.parametrize(
    "details, lines",
    [
        (None, []),
        ({}, []),
        ({"before": "draft", "after": "published"}, ["draft → published"]),
        ({"before": {"places": 3, "rolling": False}, "after": {"places": 5, "rolling": True}},
         ["places: 3 → 5", "rolling: no → yes"]),
        ({"before": {}, "after": {"name": "Event planning"}}, ["name: none → Event planning"]),
        ({"filters": {"q": "ana"}, "rows": 3}, ["filters: q ana", "rows: 3"]),
        ({"items": ["a", "b"]}, ["items: a, b"]),
        ({"text": "x" * 200}, ["text: " + "x" * 79 + "…"]),
        ({f"k{n}": n for n in range(9)}, [*(f"k{n}: {n}" for n in range(5)), "and 4 more (in the CSV export)"]),
    ],
)
def test_details_summary(details, lines):
    assert audit_log.summarise_details(details) == lines


@pytest.mark.parametrize(
    "action, label",
    [
        ("application.status_changed", "Application status changed"),
        ("auth.sign_in_failed", "Sign-in failed"),
        ("rubric.criterion_added", "Rubric criterion added"),
    ],
)
def test_actions_read_as_words(action, label):
    assert audit_log.action_label(action) == label


# --- 7. who may see it --------------------------------------------------------------------------------


@pytest.fixture
def visitors(app):
    users = {"anonymous": None, "intern": InternFactory(), "supervisor": UserFactory(), "admin": AdminFactory()}
    db.session.commit()
    return users


@pytest.mark.parametrize("method, path, expected", ROUTES, ids=[f"{m} {p}" for m, p, _ in ROUTES])
def test_access_table(app, visitors, method, path, expected):
    observed = []
    for visitor in VISITORS:
        client = app.test_client()
        if visitors[visitor] is not None:
            sign_in(client, visitors[visitor])
        response = client.open(path, method=method)
        if visitor == "anonymous":
            assert "/auth/sign-in" in response.headers["Location"]
        observed.append(response.status_code)
    assert dict(zip(VISITORS, observed, strict=True)) == dict(zip(VISITORS, expected, strict=True))
