"""Download my data (issue 13, point 7): from the private status link, the applicant's own application,
answers, self-identification and timeline as a JSON file, and their resume back (both databases)."""

from __future__ import annotations

import json
import re

import pytest
from canary_support import plant_canary
from sqlalchemy import select

from portal.extensions import db
from portal.models import ApplicationStatus, AuditEvent, DataRequest, DataRequestKind

pytestmark = pytest.mark.program_settings(title="Fall Internship")


@pytest.fixture
def pending(app, program, supervisor, admin, today):
    """An application still under review, with answers to every kind of question, self-ID and a resume."""
    return plant_canary(program, today=today, status=ApplicationStatus.SUBMITTED, reviewer=supervisor, admin=admin)


@pytest.fixture
def declined(app, program, supervisor, admin, today):
    """Someone else's application to the same program, decided."""
    return plant_canary(program, today=today, reviewer=supervisor, admin=admin)


def download(client, canary):
    response = client.get(canary.status_path + "/my-data.json")
    assert response.status_code == 200
    return response


def test_the_json_holds_exactly_the_applicants_own_data_and_nobody_elses(client, pending, declined, today):
    response = download(client, pending)
    assert response.mimetype == "application/json" and response.headers["Cache-Control"] == "no-store"
    disposition = response.headers["Content-Disposition"]
    assert disposition == f'attachment; filename="my-application-fall-{today.isoformat()}.json"'
    body = response.get_data(as_text=True)
    assert declined.word not in body and declined.email not in body  # the other applicant
    assert "sam@example.org" not in body and "knows the area" not in body  # the reviewer, their comment
    data = json.loads(body)

    assert data["program"]["title"] == "Fall Internship"
    mine = data["application"]
    assert (mine["full_name"], mine["email"], mine["status"]) == (pending.full_name, pending.email, "Submitted")
    assert mine["city"] == f"{pending.word} City" and mine["hours_per_week"] == 20
    assert mine["earliest_start"] == today.isoformat() and mine["seeks_stipend"] is True
    expected = {f"Question {key}?": answer for key, answer in pending.question_answers.items()}
    expected = {label: "Yes" if answer == "yes" else answer for label, answer in expected.items()}
    assert {item["question"]: item["answer"] for item in data["answers"]} == expected
    self_id = {item["question"]: item["answer"] for item in data["self_identification"]}
    assert self_id["My gender, in my words"] == f"{pending.word} in my words"
    assert self_id["Race or ethnicity (choose all that apply)"] == ["Hispanic, Latino/a/x or Latine"]
    assert self_id["Gender"] == "I describe myself as…"
    assert data["resume"]["file_name"] == f"{pending.full_name} CV.pdf"
    assert [event["event"] for event in data["timeline"]] == ["Application sent"]


def test_after_a_decision_the_timeline_says_so(client, declined):
    data = download(client, declined).get_json()
    assert data["application"]["status"] == "Not selected" and data["application"]["decided_at"]
    assert [event["event"] for event in data["timeline"]] == ["Application sent", "Not selected"]


def test_each_download_is_logged_and_the_self_identification_read_audited(client, pending, program):
    program_id = program.id
    download(client, pending)
    download(client, pending)
    logged = db.session.scalars(select(DataRequest)).all()
    assert [(row.kind, row.program_id, row.application_count) for row in logged] == [
        (DataRequestKind.DOWNLOAD, program_id, 1)
    ] * 2
    reads = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "self_identification.read")).all()
    assert [(read.reason, read.actor_label, read.target_id) for read in reads] == [
        ("applicant download", "applicant", pending.application_id)
    ] * 2


def test_the_resume_comes_back_byte_identical_as_a_sandboxed_attachment(client, pending):
    page = client.get(pending.status_path).get_data(as_text=True)
    link = re.search(r'href="([^"]+/my-resume)"', page).group(1)
    assert "Download my data" in page and link == pending.status_path + "/my-resume"
    response = client.get(link)
    assert response.status_code == 200 and response.data == pending.resume_bytes
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Content-Security-Policy"].startswith("sandbox")
    assert not db.session.scalars(select(DataRequest)).all()  # only the JSON download is a data request


def test_a_wrong_token_is_404_and_after_deletion_nothing_is_left_to_download(client, declined):
    assert client.get("/status/not-a-token/my-data.json").status_code == 404
    assert client.get("/status/not-a-token/my-resume").status_code == 404
    assert client.post(declined.status_path + "/delete").status_code == 302
    assert client.get(declined.status_path + "/my-data.json").status_code == 404
    assert client.get(declined.status_path + "/my-resume").status_code == 404
    assert db.session.scalars(select(DataRequest.kind)).all() == [DataRequestKind.DELETION]
