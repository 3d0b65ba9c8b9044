"""Delete my data leaves nothing (issue 13, point 6), through the status page's real form, on both databases.

A canary word is written into every field, answer, the self-identification and the resume, into mail
to and about the applicant and into audit rows (tests/canary_support.py); after "delete my data" it is
in no column, file (database, WAL, uploads) or log record, while the anonymous row and the audit rows stay.
"""

from __future__ import annotations

import logging

import pytest
from canary_support import assert_canary_gone, assert_canary_present, plant_canary, sqlite_files
from factories import ApplicationFactory, AuditEventFactory, OutboxMessageFactory
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import (
    Application,
    ApplicationAnswer,
    ApplicationStatus,
    AuditEvent,
    DataRequest,
    DataRequestKind,
    OutboxMessage,
    Resume,
    Review,
    Score,
    SelfIdentification,
)
from portal.rules.erasure import REMOVED


@pytest.fixture
def canary(app, program, supervisor, admin, today):
    return plant_canary(program, today=today, reviewer=supervisor, admin=admin)


def delete_my_data(client, canary):
    """Confirm on the status page's delete step, as the applicant does."""
    confirm = client.get(canary.status_path + "/delete")
    assert confirm.status_code == 200 and "Delete" in confirm.get_data(as_text=True)
    response = client.post(canary.status_path + "/delete")
    assert response.status_code == 302 and response.headers["Location"].endswith("/status/deleted")
    db.session.remove()
    return response


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_after_delete_my_data_the_canary_is_nowhere(app, client, canary, caplog):
    caplog.set_level(logging.DEBUG)
    assert_canary_present(canary, app)
    assert count(OutboxMessage) == 6  # received, declined, link (sent), two failed (one retried), the reviewer's
    delete_my_data(client, canary)
    assert_canary_gone(canary, app, caplog=caplog)


@pytest.mark.parametrize("backend", ["sqlite"])  # only SQLite has a -wal file: no PostgreSQL case to skip
def test_on_sqlite_the_wal_is_emptied_after_the_deletion(app, client, canary):
    delete_my_data(client, canary)
    wal = [path for path in sqlite_files(app) if path.name.endswith("-wal")]
    assert all(path.stat().st_size == 0 for path in wal)


def test_every_message_to_or_about_them_is_gone_in_every_state_and_nobody_elses(app, client, canary, supervisor):
    others_mail = OutboxMessageFactory(recipient="someone@example.org", subject="Your week was returned")
    supervisors_mail = OutboxMessageFactory(recipient=supervisor.email, subject="Weeks waiting for approval")
    kept = {others_mail.id, supervisors_mail.id}
    delete_my_data(client, canary)
    assert {message.id for message in db.session.scalars(select(OutboxMessage))} == kept


def test_what_stays_is_anonymous_the_link_is_dead_and_the_deletion_is_logged(app, client, canary, program):
    program_id = program.id
    assert client.get(canary.status_path).status_code == 200
    delete_my_data(client, canary)
    assert client.get(canary.status_path).status_code == 404
    assert client.post(canary.status_path + "/delete").status_code == 404
    (logged,) = db.session.scalars(select(DataRequest)).all()  # date, program and count: nobody's name
    assert (logged.kind, logged.program_id, logged.application_count, logged.actor_label) == (
        DataRequestKind.DELETION,
        program_id,
        1,
        "applicant",
    )

    application = db.session.get(Application, canary.application_id)
    assert application.program_id == program_id and application.status == ApplicationStatus.DECLINED
    assert application.data_deleted_at is not None and application.submitted_at is not None
    assert (application.full_name, application.email, application.phone, application.city) == ("", "", "", "")
    own = Application.id == canary.application_id
    assert count(ApplicationAnswer, ApplicationAnswer.application_id == canary.application_id) == 0
    assert count(Resume, Resume.application_id == canary.application_id) == 0
    assert count(SelfIdentification, SelfIdentification.application_id == canary.application_id) == 0
    assert count(Application, own) == 1
    # The reviewer's scores stay for the reviewer-activity report; their words about the person do not.
    assert [score.value for score in db.session.scalars(select(Score))] == [4]
    assert db.session.scalar(select(Score.note)) == "" and db.session.scalar(select(Review.comment)) == ""


def test_audit_rows_stay_with_the_name_and_address_removed_and_others_rows_are_left_alone(app, client, canary):
    other = ApplicationFactory(full_name="Jo Tester", email="jo@example.org")
    others_rows = [  # another Tester, the canary inside a longer word, another address
        AuditEventFactory(target_id=other.id, reason="Jo Tester was great", details={"note": canary.word + "s"}),
        AuditEventFactory(target_type="user", target_id=None, actor_label="jo@example.org", details={"e": "jo"}),
    ]
    others_before = [(row.id, row.actor_label, row.reason, row.details) for row in others_rows]
    actions = sorted(db.session.scalars(select(AuditEvent.action)))
    delete_my_data(client, canary)
    assert sorted(db.session.scalars(select(AuditEvent.action))) == sorted([*actions, "application.data_deleted"])

    decision = db.session.scalar(select(AuditEvent).where(AuditEvent.to_state == "declined"))
    assert decision.reason == f"{REMOVED}: not this term" and decision.from_state == "submitted"
    retried = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "outbox.retried"))
    assert retried.details["recipient"] == REMOVED and retried.details["before"]["attempts"] == 0
    sign_in = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "auth.sign_in_failed"))
    assert sign_in.actor_label == REMOVED and sign_in.details == {
        "email": REMOVED,
        "account": "no account",
        "address": "127.0.0.1",
    }
    others_after = [db.session.get(AuditEvent, row_id) for row_id, *_ in others_before]
    assert [(row.id, row.actor_label, row.reason, row.details) for row in others_after] == others_before
