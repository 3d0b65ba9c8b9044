"""Applying, the private status link, withdrawal and data deletion, through the web (both backends)."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from documents import HTML_PAGE, MINIMAL_PDF, WINDOWS_EXE, minimal_docx, plain_zip
from factories import ApplicationFactory, ProgramFactory, add_demo_questions
from sqlalchemy import func, select
from test_progress import count_queries

from portal.extensions import db
from portal.models import (
    Application,
    ApplicationAnswer,
    ApplicationQuestion,
    ApplicationStatus,
    AuditEvent,
    OutboxMessage,
    Program,
    Resume,
    SelfIdentification,
)
from portal.services.self_identification import decrypt_answers

# The shared ``program`` (slug ``fall``), under the title the emails and pages below expect.
pytestmark = pytest.mark.program_settings(title="Fall Internship")


@pytest.fixture(autouse=True)
def demo_questions(request):
    """The shared program asks the demo's own questions (form_data answers them by key)."""
    if "program" in request.fixturenames:
        return add_demo_questions(request.getfixturevalue("program"))
    return {}


def form_data(**overrides) -> dict:
    data = {
        "full_name": "Ana Reyes",
        "preferred_name": "Ana",
        "pronouns": "she/her",
        "email": "Ana.Reyes@Example.org",
        "phone": "",
        "city": "Queens",
        "student": "student",
        "school": "Hunter College",
        "major": "Sociology",
        "wants_credit": "yes",
        "hours_per_week": "20",
        "earliest_start": (date.today() + timedelta(days=7)).isoformat(),
        "weeks_available": "12",
        "seeks_stipend": "no",
        "why_this_internship": "I organise tenants in my building.",
        "current_events": "Local news every morning.",
        "organised_deadlines": "A teach-in in two weeks.",
        "bold_idea": "A text-message phone bank.",
        "skills": ["Writing", "Data"],
        "link_1": "https://ana.example.org",
        "submission_key": "key-1",
        "resume": (io.BytesIO(MINIMAL_PDF), "Ana Reyes CV.pdf"),
        "sid_gender": "woman",
        "sid_race": ["latine"],
    }
    data.update(overrides)
    return data


def question_fields(slug: str) -> dict[str, str]:
    """The program's questions: key → the field's name on the form (``q_<id>``)."""
    questions = db.session.scalars(select(ApplicationQuestion).join(Program).where(Program.slug == slug))
    return {question.key: f"q_{question.id}" for question in questions}


def post_application(client, slug="fall", fields=None, **overrides):
    """Post the form; answers given by question key go to that question's field (``fields``, read when None)."""
    fields = question_fields(slug) if fields is None else fields
    data = {fields.get(name, name): value for name, value in form_data(**overrides).items()}
    return client.post(f"/programs/{slug}/apply", data=data, content_type="multipart/form-data")


def answers_by_key(application: Application) -> dict:
    return {answer.question.key: answer.choices or answer.text for answer in application.answers}


def field_error(html: str, field_id: str) -> str:
    match = re.search(rf'<p class="field-error" id="{field_id}-error">(.*?)</p>', html, re.S)
    return re.sub(r"<[^>]+>", "", match.group(1)).replace("Error: ", "").strip() if match else ""


def status_link_from_outbox(recipient: str) -> str:
    message = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.recipient == recipient).order_by(OutboxMessage.id.desc())
    ).first()
    return re.search(r"http://portal\.test(/status/\S+)", message.text_body).group(1)


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


# --- 1. the form ---------------------------------------------------------------------------------


def test_posting_links_to_the_form_which_has_every_section(client, program):
    posting = client.get("/programs/fall").get_data(as_text=True)
    assert "/programs/fall/apply" in posting
    page = client.get("/programs/fall/apply").get_data(as_text=True)
    for heading in (
        "About you",
        "School",
        "Availability",
        "Resume",
        "Questions",
        "Voluntary self-identification",
    ):
        assert heading in page
    assert "stipend" in page.lower() and "25 h a week" in page
    assert 'maxlength="1500"' in page
    assert "Prefer not to say" in page
    for forbidden in ("immigration status", "social security number", "ssn", "itin", "bank account"):
        assert f'name="{forbidden}' not in page.lower()
    assert "We never ask about immigration status" in page


def test_a_valid_application_is_stored_with_resume_and_encrypted_self_identification(client, program, app):
    response = post_application(client)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/programs/fall/apply/submitted")
    application = db.session.scalar(select(Application))
    assert application.email == "ana.reyes@example.org"
    assert application.status == ApplicationStatus.SUBMITTED
    answers = answers_by_key(application)
    assert answers["skills"] == ["Writing", "Data"] and answers["link_1"] == "https://ana.example.org"
    assert answers["why_this_internship"] == "I organise tenants in my building."
    assert "leadership" not in answers  # an optional question left empty stores no answer
    resume = db.session.scalar(select(Resume))
    stored = Path(app.config["UPLOAD_FOLDER"]) / resume.stored_name
    assert stored.read_bytes() == MINIMAL_PDF
    assert resume.original_name == "Ana Reyes CV.pdf" and "Ana" not in resume.stored_name
    assert "static" not in str(stored)
    self_id = db.session.scalar(select(SelfIdentification))
    assert b"woman" not in self_id.ciphertext
    assert decrypt_answers(self_id.ciphertext, application_id=self_id.application_id)["gender"] == "woman"


def test_skipping_self_identification_stores_nothing(client, program):
    post_application(client, sid_gender="", sid_race=[])
    assert count(Application) == 1
    assert count(SelfIdentification) == 0


def test_a_docx_resume_is_accepted(client, program):
    response = post_application(client, resume=(io.BytesIO(minimal_docx()), "cv.docx"))
    assert response.status_code == 302
    assert db.session.scalar(select(Resume)).content_type.endswith("wordprocessingml.document")


# --- 2. validation through the rules ---------------------------------------------------------------


@pytest.mark.parametrize(
    "overrides, field, message",
    [
        ({"hours_per_week": "14"}, "hours_per_week", "The minimum commitment is 15 hours a week"),
        ({"hours_per_week": "41"}, "hours_per_week", "The most you can commit is 40 hours a week"),
        ({"hours_per_week": ""}, "hours_per_week", "Enter how many hours a week you can commit"),
        ({"hours_per_week": "lots"}, "hours_per_week", "Enter a whole number of hours, like 20"),
        ({"weeks_available": "11"}, "weeks_available", "The internship lasts at least 12 weeks"),
        ({"email": "not-an-email"}, "email", "Enter an email address like name@example.org"),
        ({"full_name": ""}, "full_name", "Enter your full name"),
        ({"link_1": "javascript:alert(1)"}, "link_1", "Enter a web address starting with http:// or https://"),
        ({"student": "student", "school": ""}, "school", "Enter your school"),
    ],
)
def test_bad_answers_are_explained_beside_the_field_and_kept(
    client, program, demo_questions, overrides, field, message
):
    response = post_application(client, **overrides)
    html = response.get_data(as_text=True)
    if field in demo_questions:
        field = f"q_{demo_questions[field].id}"
    assert response.status_code == 422
    assert message in field_error(html, field)
    assert f'href="#{field}"' in html  # the summary at the top links to the field
    assert 'value="Queens"' in html and "I organise tenants in my building." in html
    assert "please attach your resume again" in html
    assert count(Application) == 0


def test_a_start_date_outside_the_start_window_is_refused(client, program):
    too_late = (program.start_window_end + timedelta(days=1)).isoformat()
    html = post_application(client, earliest_start=too_late).get_data(as_text=True)
    assert "Choose a start date between" in field_error(html, "earliest_start")


def test_fifteen_hours_and_twelve_weeks_are_enough(client, program):
    assert post_application(client, hours_per_week="15", weeks_available="12").status_code == 302


# --- 3. uploads --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "content, name, message",
    [
        (WINDOWS_EXE, "resume.pdf", "not a PDF or a Word (.docx) document"),
        (HTML_PAGE, "resume.pdf", "not a PDF or a Word (.docx) document"),
        (plain_zip(), "resume.docx", "not a PDF or a Word (.docx) document"),
        (b"", "resume.pdf", "empty"),
        (b"%PDF-1.4\n" + b"0" * (5 * 1024 * 1024), "big.pdf", "larger than 5 MB"),
    ],
)
def test_bad_files_are_refused_by_their_content(client, program, app, content, name, message):
    response = post_application(client, resume=(io.BytesIO(content), name))
    assert response.status_code == 422
    assert message in field_error(response.get_data(as_text=True), "resume")
    assert count(Application) == 0 and count(Resume) == 0
    assert not any(Path(app.config["UPLOAD_FOLDER"]).glob("*"))


def test_a_missing_file_is_asked_for(client, program):
    data = form_data()
    del data["resume"]
    html = client.post("/programs/fall/apply", data=data, content_type="multipart/form-data").get_data(as_text=True)
    assert "Attach your resume" in field_error(html, "resume")


@pytest.mark.app_config(MAX_CONTENT_LENGTH=1024 * 1024)
def test_a_request_over_the_server_limit_gets_the_friendly_form(client, program):
    response = post_application(client, resume=(io.BytesIO(b"%PDF-" + b"0" * (2 * 1024 * 1024)), "huge.pdf"))
    html = response.get_data(as_text=True)
    assert response.status_code == 413
    assert "Apply for Fall Internship" in html
    assert "larger than 5 MB" in field_error(html, "resume")


# --- 4. window and duplicates -----------------------------------------------------------------------


def test_before_the_window_the_form_is_not_shown(client, app):
    ProgramFactory(slug="spring", applications_open=date.today() + timedelta(days=3))
    page = client.get("/programs/spring/apply").get_data(as_text=True)
    assert "Applications open on" in page and "<form" not in page
    assert post_application(client, slug="spring").status_code == 200
    assert count(Application) == 0


def test_after_the_window_the_form_says_applications_closed(client, app):
    ProgramFactory(
        slug="summer",
        applications_open=date.today() - timedelta(days=30),
        applications_close=date.today() - timedelta(days=1),
    )
    page = client.get("/programs/summer/apply").get_data(as_text=True)
    assert "Applications are closed" in page and "<form" not in page


def test_a_second_application_from_the_same_email_is_refused_with_a_fresh_link(client, program):
    post_application(client)
    first_link = status_link_from_outbox("ana.reyes@example.org")
    response = post_application(client, email="ANA.REYES@example.org", submission_key="key-2")
    assert response.status_code == 302
    assert count(Application) == 1
    messages = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    assert len(messages) == 2 and "already have an application" in messages[1].text_body
    fresh_link = status_link_from_outbox("ana.reyes@example.org")
    assert fresh_link != first_link
    assert client.get(first_link).status_code == 404  # only the newest link works
    assert client.get(fresh_link).status_code == 200


def test_a_double_click_creates_exactly_one_application(client, program):
    first = post_application(client)
    second = post_application(client)  # the same form, same submission key
    assert first.status_code == second.status_code == 302
    assert second.headers["Location"] == first.headers["Location"]
    assert count(Application) == 1
    assert count(OutboxMessage) == 1


def test_sending_an_application_asks_the_database_the_same_few_questions_however_many_have_applied(
    client, program
):
    """The program, its tiers and questions, one look for an earlier application (this form's or this
    address's), then the rows it writes: the same statements for the first and the seventh applicant, and no
    savepoint around the insert."""
    fields = question_fields("fall")

    def send(number: int) -> list[str]:
        with count_queries() as statements:
            response = post_application(
                client, fields=fields, email=f"applicant{number}@example.org", submission_key=f"form-{number}"
            )
        assert response.status_code == 302 and "/apply/submitted" in response.headers["Location"]
        return statements

    first = send(0)
    for number in range(1, 6):
        send(number)
    later = send(6)
    assert len(first) == len(later)
    reads_of_applications = [s for s in later if s.lstrip().upper().startswith("SELECT") and "FROM applications" in s]
    assert len(reads_of_applications) == 1
    assert not any("SAVEPOINT" in statement.upper() for statement in later)
    assert count(Application) == 7


# --- 5. after submitting ----------------------------------------------------------------------------


def test_confirmation_page_and_email_with_a_private_link(client, program):
    response = post_application(client)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "your application is sent" in page and "What happens next" in page
    message = db.session.scalar(select(OutboxMessage))
    assert message.recipient == "ana.reyes@example.org"
    assert "Fall Internship" in message.subject
    token = status_link_from_outbox("ana.reyes@example.org").rsplit("/", 1)[1]
    assert len(token) >= 22  # at least 128 bits in URL-safe base64
    assert token not in str(db.session.scalar(select(Application.status_token_hash)))


def test_lost_link_answers_the_same_whether_or_not_the_address_applied(client, program):
    post_application(client)
    known = client.post("/status/lost-link", data={"email": "ana.reyes@example.org"})
    unknown = client.post("/status/lost-link", data={"email": "nobody@example.org"})
    assert known.status_code == unknown.status_code == 302
    assert known.headers["Location"] == unknown.headers["Location"]
    assert client.get(known.headers["Location"]).get_data(as_text=True) == client.get(
        unknown.headers["Location"]
    ).get_data(as_text=True)
    recipients = db.session.scalars(select(OutboxMessage.recipient)).all()
    assert recipients.count("ana.reyes@example.org") == 2 and "nobody@example.org" not in recipients


def test_lost_link_asks_for_a_valid_email(client, program):
    response = client.post("/status/lost-link", data={"email": "nope"})
    assert response.status_code == 422
    assert "Enter an email address like name@example.org" in response.get_data(as_text=True)


# --- 6. status page, withdraw, delete ---------------------------------------------------------------


def test_status_page_shows_status_timeline_and_withdraws(client, program):
    post_application(client)
    link = status_link_from_outbox("ana.reyes@example.org")
    page = client.get(link)
    html = page.get_data(as_text=True)
    assert "Status: <strong>Submitted</strong>" in html and "Application sent" in html
    assert page.headers["Cache-Control"] == "no-store"
    assert "Withdraw my application" in html and "Delete my data" not in html

    confirm = client.get(link + "/withdraw").get_data(as_text=True)
    assert "Withdraw your application?" in confirm
    response = client.post(link + "/withdraw")
    assert response.status_code == 302
    html = client.get(link).get_data(as_text=True)
    assert "Status: <strong>Withdrawn</strong>" in html and "Delete my data" in html
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.to_state == "withdrawn"))
    assert event.actor_label == "applicant" and event.from_state == "submitted"
    assert "withdrawn" in db.session.scalars(select(OutboxMessage.subject)).all()[-1]


def test_deleting_data_keeps_only_an_anonymous_row(client, program, app):
    post_application(client)
    link = status_link_from_outbox("ana.reyes@example.org")
    client.post(link + "/withdraw")
    resume_file = Path(app.config["UPLOAD_FOLDER"]) / db.session.scalar(select(Resume.stored_name))
    assert resume_file.exists()
    response = client.post(link + "/delete")
    assert response.status_code == 302
    assert "Your data is deleted" in client.get(response.headers["Location"]).get_data(as_text=True)
    db.session.expire_all()
    application = db.session.scalar(select(Application))
    assert application.full_name == "" and application.email == "" and application.answers == []
    assert count(ApplicationAnswer) == 0
    assert application.status == ApplicationStatus.WITHDRAWN and application.data_deleted_at is not None
    assert count(Resume) == 0 and count(SelfIdentification) == 0 and not resume_file.exists()
    assert client.get(link).status_code == 404


def test_data_cannot_be_deleted_while_the_application_is_pending(client, program):
    post_application(client)
    link = status_link_from_outbox("ana.reyes@example.org")
    response = client.post(link + "/delete")
    assert response.status_code == 302
    assert db.session.scalar(select(Application.full_name)) == "Ana Reyes"


def test_a_decided_application_cannot_be_withdrawn(client, app):
    application = ApplicationFactory(status=ApplicationStatus.DECLINED)
    token = application.issue_status_token()
    db.session.commit()
    html = client.get(f"/status/{token}").get_data(as_text=True)
    assert "Withdraw my application" not in html and "Delete my data" in html
    client.post(f"/status/{token}/withdraw")
    db.session.expire_all()
    assert db.session.get(Application, application.id).status == ApplicationStatus.DECLINED


def test_unknown_status_tokens_get_404(client, app):
    assert client.get("/status/not-a-real-token").status_code == 404
    assert client.post("/status/not-a-real-token/withdraw").status_code == 404


# --- 7. abuse -----------------------------------------------------------------------------------------


@pytest.mark.app_config(RATELIMIT_ENABLED=True)
def test_link_requests_are_rate_limited_with_a_friendly_page(client, program):
    statuses = [client.post("/status/lost-link", data={"email": f"p{i}@example.org"}).status_code for i in range(6)]
    assert statuses[:5] == [302] * 5
    assert statuses[5] == 429
    page = client.post("/status/lost-link", data={"email": "x@example.org"}).get_data(as_text=True)
    assert "Too many attempts" in page and "wait a few minutes, then try again" in page


@pytest.mark.app_config(RATELIMIT_ENABLED=True)
def test_submissions_are_rate_limited(client, program):
    statuses = [
        post_application(client, email=f"p{i}@example.org", submission_key=f"k{i}").status_code for i in range(6)
    ]
    assert statuses[:5] == [302] * 5 and statuses[5] == 429


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_posts_without_a_csrf_token_are_refused(client, program):
    response = post_application(client)
    assert response.status_code == 400
    assert count(Application) == 0
    assert client.post("/status/lost-link", data={"email": "a@example.org"}).status_code == 400


def test_two_identical_posts_at_the_same_moment_create_one_application(app, program):
    """A real race: two clients post the same rendered form at once; the loser lands on the same page."""
    import threading

    barrier = threading.Barrier(2)
    results: list[int] = []
    fields = question_fields("fall")  # read here: the threads have no application context

    def post() -> None:
        own_client = app.test_client()
        barrier.wait()
        results.append(post_application(own_client, fields=fields).status_code)

    threads = [threading.Thread(target=post) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    db.session.expire_all()
    assert sorted(results) == [302, 302]
    assert count(Application) == 1
    assert count(Resume) == 1
    assert count(OutboxMessage) == 1
    assert len(list(Path(app.config["UPLOAD_FOLDER"]).glob("*"))) == 1  # the loser's file was removed
