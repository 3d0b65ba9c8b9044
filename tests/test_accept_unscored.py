"""Accepting an application nobody has scored asks for a reason, and the reason is in the audit log."""

from __future__ import annotations

import re

import pytest
from factories import ApplicationFactory, ReviewFactory, UserFactory
from session_support import sign_in
from sqlalchemy import select

from portal.database import utcnow
from portal.extensions import db
from portal.models import ApplicationStatus, AuditEvent, Placement, Role

pytestmark = pytest.mark.program_settings(places=2, rubric=("Knows current events",))


def decide(client, application, reason=""):
    db.session.refresh(application)
    return client.post(
        f"/review/applications/{application.id}/decision",
        data={"action": "accept", "reason": reason, "version": application.version},
    )


def status_change(application) -> AuditEvent | None:
    return db.session.scalar(
        select(AuditEvent).where(
            AuditEvent.action == "application.status_changed", AuditEvent.target_id == application.id
        )
    )


def test_the_reason_field_reads_as_required_while_nobody_has_scored(client, supervisor, program):
    application = ApplicationFactory(program=program)
    sign_in(client, supervisor)

    html = client.get(f"/review/applications/{application.id}").get_data(as_text=True)

    assert "Nobody has scored this application yet, so accepting it needs a reason too." in html
    assert re.search(r'<label for="reason">Internal reason</label>', html), "no “(optional)” on the label"


def test_accepting_unscored_without_a_reason_is_refused_beside_the_field(client, supervisor, program):
    application = ApplicationFactory(program=program)
    ReviewFactory(application=application, reviewer=supervisor, submitted_at=None)  # a draft is not a score
    sign_in(client, supervisor)

    response = decide(client, application)

    assert response.status_code == 422
    html = response.get_data(as_text=True)
    beside = re.search(r'<p class="field-error" id="reason-error">(.*?)</p>', html, re.S)
    assert beside and "Nobody has scored this application yet: give a reason" in beside.group(1)
    assert 'aria-describedby="reason-hint reason-error"' in html
    db.session.refresh(application)
    assert application.status != ApplicationStatus.ACCEPTED
    assert db.session.scalar(select(Placement)) is None and status_change(application) is None


def test_accepting_unscored_with_a_reason_records_it_in_the_status_change(client, supervisor, program):
    application = ApplicationFactory(program=program)
    sign_in(client, supervisor)

    response = decide(client, application, reason="  Returning intern, known to the team  ")

    assert response.status_code == 302
    db.session.refresh(application)
    assert application.status == ApplicationStatus.ACCEPTED
    event = status_change(application)
    assert event.to_state == "accepted" and event.reason == "Returning intern, known to the team"


def test_a_scored_application_is_accepted_without_a_reason(client, supervisor, program):
    application = ApplicationFactory(program=program)
    colleague = UserFactory(role=Role.SUPERVISOR)
    ReviewFactory(application=application, reviewer=colleague, submitted_at=utcnow())
    sign_in(client, supervisor)

    html = client.get(f"/review/applications/{application.id}").get_data(as_text=True)
    assert "Nobody has scored" not in html and "Internal reason <span class=\"optional\">(optional)</span>" in html

    assert decide(client, application).status_code == 302
    db.session.refresh(application)
    assert application.status == ApplicationStatus.ACCEPTED
