"""Events audited from issue 11 on: sign-ins and failed sign-ins, resume downloads and CSV exports.

Each test does what a person does through the web and then reads the audit log as an admin would.
"""

from __future__ import annotations

import io
import json

import pytest
from documents import MINIMAL_PDF
from factories import TEST_PASSWORD, AdminFactory, ApplicationFactory, UserFactory
from session_support import sign_in as sign_in_as
from sqlalchemy import select
from test_progress import parse, texts

from portal.extensions import db
from portal.models import AuditEvent
from portal.services.uploads import check_resume, store_resume

WRONG_PASSWORD = "correct horse battery wrong"


def sign_in(client, email: str, password: str = TEST_PASSWORD, *, address: str | None = None):
    extra = {"environ_base": {"REMOTE_ADDR": address}} if address else {}
    return client.post("/auth/sign-in", data={"email": email, "password": password}, **extra)


def events(action: str) -> list[AuditEvent]:
    """The events as committed: read afresh, so an event that was only flushed, then rolled back, is not here."""
    db.session.expire_all()
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


def everything_recorded(event: AuditEvent) -> str:
    return json.dumps(
        [event.actor_label, event.from_state, event.to_state, event.reason, event.details], default=str
    )


@pytest.fixture
def ada(app):
    return UserFactory(email="ada@example.org", full_name="Ada Lovelace")


# --- 1. signing in ---------------------------------------------------------------------------------


def test_a_sign_in_is_recorded_for_the_account(client, ada):
    assert sign_in(client, "ADA@example.org", address="192.0.2.10").status_code == 302
    [event] = events("auth.signed_in")
    assert (event.actor_id, event.target_type, event.target_id) == (ada.id, "user", ada.id)
    assert event.details == {"address": "192.0.2.10"}
    assert events("auth.sign_in_failed") == []


def test_a_wrong_password_is_recorded_with_the_email_typed_and_the_account_never_the_password(client, ada):
    response = sign_in(client, " Ada@Example.org ", WRONG_PASSWORD, address="192.0.2.11")
    assert response.status_code == 422
    [event] = events("auth.sign_in_failed")
    assert event.actor_id is None  # nobody signed in: the typed email is a label, not a person
    assert event.actor_label == "ada@example.org"
    assert (event.target_type, event.target_id) == ("user", ada.id)
    assert event.details == {"email": "ada@example.org", "account": "active account", "address": "192.0.2.11"}
    assert WRONG_PASSWORD not in everything_recorded(event)
    assert events("auth.signed_in") == []


def test_an_unknown_email_is_recorded_without_an_account(client):
    assert sign_in(client, "nobody@example.org", WRONG_PASSWORD).status_code == 422
    [event] = events("auth.sign_in_failed")
    assert (event.target_type, event.target_id) == ("user", None)
    assert event.details["account"] == "no account"
    assert WRONG_PASSWORD not in everything_recorded(event)


def test_a_deactivated_account_trying_is_recorded_as_such_but_told_nothing_more(client, ada):
    ada.active = False
    db.session.commit()
    response = sign_in(client, ada.email)  # the right password
    assert response.status_code == 422
    assert "That email and password do not match an account." in response.get_data(as_text=True)
    [event] = events("auth.sign_in_failed")
    assert (event.target_id, event.details["account"]) == (ada.id, "deactivated account")
    assert TEST_PASSWORD not in everything_recorded(event)


def test_an_incomplete_form_is_not_an_attempt(client, ada):
    assert client.post("/auth/sign-in", data={"email": ada.email, "password": ""}).status_code == 422
    assert events("auth.sign_in_failed") == []


@pytest.mark.app_config(RATELIMIT_ENABLED=True)
def test_recording_failures_leaves_the_rate_limit_as_it_was(client, ada):
    statuses = [sign_in(client, ada.email, WRONG_PASSWORD, address="10.0.0.1").status_code for _ in range(6)]
    assert statuses == [422] * 5 + [429]
    assert sign_in(client, ada.email, address="10.0.0.1").status_code == 429  # that client waits, right password too
    # Every attempt that was checked is recorded; those the limit turned away never reached the check.
    assert len(events("auth.sign_in_failed")) == 5
    assert events("auth.signed_in") == []


@pytest.mark.app_config(RATELIMIT_ENABLED=True)
def test_successful_sign_ins_are_recorded_and_still_cost_nothing(client, ada):
    assert [sign_in(client, ada.email).status_code for _ in range(11)] == [302] * 11
    assert len(events("auth.signed_in")) == 11


def test_the_audit_log_shows_sign_ins_and_failed_ones(app, client, ada, admin):
    sign_in(client, ada.email)
    sign_in(app.test_client(), "ada@example.org", WRONG_PASSWORD)
    reader = app.test_client()
    sign_in_as(reader, admin)
    page = parse(reader.get("/admin/audit", query_string={"object_type": "user"}).data)
    rows = [texts(row, "td")[1:4] for row in page.query_all(".audit-table tbody tr")]
    assert rows == [
        ["ada@example.org", "Sign-in failed", f"Person {ada.id}"],
        ["Ada Lovelace (ada@example.org)", "Signed in", f"Person {ada.id}"],
    ]


# --- 2. downloads ----------------------------------------------------------------------------------


@pytest.fixture
def application(app, program):
    application = ApplicationFactory(program=program, full_name="Ana Reyes")
    store_resume(application, check_resume(io.BytesIO(MINIMAL_PDF), "Ana Reyes CV.pdf"), app.config["UPLOAD_FOLDER"])
    db.session.commit()
    return application


def test_a_resume_download_is_recorded(client, supervisor, application):
    sign_in_as(client, supervisor)
    response = client.get(f"/review/applications/{application.id}/resume")
    assert response.status_code == 200 and response.data == MINIMAL_PDF
    [event] = events("application.resume_downloaded")
    assert (event.actor_id, event.target_type, event.target_id) == (supervisor.id, "application", application.id)
    assert event.details == {"file": "Ana Reyes CV.pdf"}


@pytest.mark.program_settings(blind_review=True, rubric=("Organised",))
def test_a_refused_resume_download_records_nothing(client, supervisor, application):
    sign_in_as(client, supervisor)
    assert client.get(f"/review/applications/{application.id}/resume").status_code == 403  # not scored yet
    assert events("application.resume_downloaded") == []


def test_the_queue_export_is_recorded_with_its_filters(client, supervisor, application, program):
    sign_in_as(client, supervisor)
    response = client.get("/review/export.csv", query_string={"program": program.id, "status": "submitted"})
    assert response.status_code == 200
    [event] = events("applications.exported")
    assert (event.actor_id, event.target_type, event.target_id) == (supervisor.id, "program", program.id)
    assert event.details["filters"] == {"program": str(program.id), "status": "submitted"}
    assert event.details["rows"] == 1


def test_the_stipend_export_is_recorded_with_its_month(client, placement):
    admin = AdminFactory()
    sign_in_as(client, admin)
    assert client.get("/hours/stipends.csv?month=2026-10").status_code == 200
    [event] = events("stipends.exported")
    assert (event.actor_id, event.target_type) == (admin.id, "stipends")
    assert event.details["month"] == "2026-10"


def test_a_refused_stipend_export_records_nothing(client):
    sign_in_as(client, AdminFactory())
    assert client.get("/hours/stipends.csv?month=October").status_code == 400
    assert events("stipends.exported") == []


def test_an_hours_statement_pdf_download_is_recorded(client, placement):
    sign_in_as(client, placement.supervisor)
    response = client.get(f"/hours/placements/{placement.id}/statement.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    [event] = events("statement.downloaded")
    assert (event.actor_id, event.target_type, event.target_id) == (placement.supervisor.id, "placement", placement.id)
    assert event.details["code"] in response.headers["Content-Disposition"]
