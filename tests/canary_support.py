"""A canary applicant: a unique word written into everything the portal keeps about one application, and
a check that it appears nowhere afterwards (issue 13: "delete my data" and ``flask purge`` leave nothing).

``plant_canary(program, today=...)`` applies through the real services (answers to one question of every
kind, the encrypted self-identification, a PDF resume whose text holds the canary, the confirmation
email), then adds what others write about the applicant: a reviewer's comment and score note, a decision
with a reason naming them, mail to them (pending, sent with its body kept as the dev transport does,
failed), a notification about them to a reviewer, an admin's retry of the failed mail (its audit details
hold the address) and a failed staff sign-in with their address. It returns a ``Canary``.

``assert_canary_gone(canary, app, caplog=...)`` then looks for the word (any case, and as the JSON
``\\u`` escapes would write it) in: the SQLite database file and its ``-wal``/``-shm`` files, every file
under the upload folder, the captured log records, and every text and JSON column of every table
(on both databases; on PostgreSQL this is the only place it can look). Call it after the erasing
request or command has committed.
"""

from __future__ import annotations

import io
import json
import secrets
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from documents import pdf_document
from factories import (
    AdminFactory,
    ApplicationQuestionFactory,
    ReviewFactory,
    RubricCriterionFactory,
    ScoreFactory,
    UserFactory,
)
from flask import Flask
from sqlalchemy import JSON, String, Text, select
from sqlalchemy.engine import make_url

from portal.extensions import db
from portal.models import (
    Application,
    ApplicationStatus,
    OutboxMessage,
    OutboxStatus,
    Program,
    QuestionKind,
    SelfIdentification,
    User,
)
from portal.services import applications as service
from portal.services.audit_log import record_sign_in
from portal.services.outbox import queue_email, retry_failed
from portal.services.self_identification import decrypt_answers
from portal.services.uploads import check_resume

#: One question of every kind the form builder offers; choice answers are options (the program's
#: words, not the applicant's), the rest hold the canary.
QUESTION_KINDS = tuple(QuestionKind)
CHOICE_OPTIONS = ["Phone banking", "Canvassing", "Writing"]


@dataclass
class Canary:
    word: str
    application_id: int
    token: str  # the private status link's token: /status/<token>
    email: str
    full_name: str
    resume_bytes: bytes
    self_identification: dict[str, object]
    question_answers: dict[str, object] = field(default_factory=dict)  # by question key

    @property
    def status_path(self) -> str:
        return f"/status/{self.token}"

    def application(self) -> Application:
        return db.session.get(Application, self.application_id)


def new_canary_word() -> str:
    """Lower-case letters and digits only, so it survives email normalising, URLs and JSON unchanged."""
    return "canary" + secrets.token_hex(8)


def canary_pdf(word: str) -> bytes:
    """A valid one-page PDF (it passes the upload checks) whose text is the canary, uncompressed."""
    text = f"BT /F1 12 Tf 72 720 Td ({word} resume) Tj ET".encode()
    stream = b"<</Length %d>>stream\n" % len(text) + text + b"\nendstream"
    return pdf_document(stream, page_extra=b"/Contents 4 0 R")


def _questions_of_every_kind(program: Program, word: str) -> dict[str, object]:
    """Add one question of each kind to the program; the answer each one gets, by key."""
    answers: dict[str, object] = {}
    for kind in QUESTION_KINDS:
        key = f"{kind.value}_{word[-6:]}"  # several canaries can apply to one program
        options = CHOICE_OPTIONS if kind in (QuestionKind.ONE_CHOICE, QuestionKind.MANY_CHOICES) else []
        ApplicationQuestionFactory(program=program, key=key, kind=kind, label=f"Question {key}?", options=options)
        answers[key] = {
            QuestionKind.SHORT_TEXT: f"{word} short answer",
            QuestionKind.LONG_TEXT: f"I am {word} and I organise tenants.",
            QuestionKind.ONE_CHOICE: CHOICE_OPTIONS[0],
            QuestionKind.MANY_CHOICES: CHOICE_OPTIONS[1:],
            QuestionKind.YES_NO: "yes",
            QuestionKind.LINK: f"https://example.org/{word}",
        }[kind]
    return answers


def plant_canary(
    program: Program,
    *,
    today: date,
    status: ApplicationStatus = ApplicationStatus.DECLINED,
    reviewer: User | None = None,
    admin: User | None = None,
    app: Flask | None = None,
) -> Canary:
    """Apply as a canary applicant to ``program`` (open on ``today``) and move the application to ``status``
    (declined by default: "delete my data" is offered and ``flask purge`` takes it); everything is committed.

    ``reviewer`` (a supervisor of the program) and ``admin`` are made when not given. Must run inside the
    test's app context; a request context is pushed for the emails' links.
    """
    from flask import current_app

    app = app or current_app._get_current_object()
    word = new_canary_word()
    email = f"{word}@example.org"
    full_name = f"{word.capitalize()} Tester"
    reviewer = reviewer or UserFactory(full_name="Rita Reviewer", email=f"reviewer-{word[-6:]}@example.org")
    if reviewer not in program.reviewers:
        program.reviewers.append(reviewer)
    admin = admin or AdminFactory(full_name="Ada Admin", email=f"admin-{word[-6:]}@example.org")
    question_answers = _questions_of_every_kind(program, word)
    resume_bytes = canary_pdf(word)
    self_id = {
        "gender": "self_describe",
        "gender_self": f"{word} in my words",
        "race": ["latine"],
        "lgbtq": "yes",
        "disability": "no",
        "first_generation": "yes",
    }
    fields = {
        "full_name": full_name,
        "preferred_name": word,
        "pronouns": f"{word[:20]}/they",
        "email": email,
        "phone": f"+1 555 {word[-8:]}",
        "city": f"{word} City",
        "not_student": False,
        "school": f"{word} College",
        "major": f"{word} studies",
        "wants_credit": True,
        "hours_per_week": 20,
        "earliest_start": today,
        "weeks_available": 12,
        "seeks_stipend": True,
    }
    with app.test_request_context():
        resume = check_resume(io.BytesIO(resume_bytes), f"{full_name} CV.pdf")
        submission = service.submit_application(
            program,
            fields,
            resume,
            self_id,
            submission_key=f"key-{word}",
            today=today,
            question_values=question_answers,
        )
        application = submission.application
        token = application.issue_status_token()
        _what_others_write(application, program, word, reviewer=reviewer, status=status)
        db.session.commit()
        retry_failed(_failed_mail(application).id, actor=admin)  # its audit details hold their address
        record_sign_in(email, None, address="127.0.0.1")  # they typed their address into staff sign-in
        db.session.commit()
    return Canary(
        word=word,
        application_id=application.id,
        token=token,
        email=email,
        full_name=full_name,
        resume_bytes=resume_bytes,
        self_identification=self_id,
        question_answers=question_answers,
    )


def _what_others_write(application: Application, program: Program, word: str, *, reviewer: User, status) -> None:
    criterion = RubricCriterionFactory(program=program, name=f"Criterion for {word[-6:]}")
    review = ReviewFactory(
        application=application, reviewer=reviewer, comment=f"{application.full_name} knows the area"
    )
    ScoreFactory(review=review, criterion=criterion, value=4, note=f"{word} organised a teach-in")
    if status != ApplicationStatus.SUBMITTED:
        service.change_status(application, status, actor=reviewer, reason=f"{application.full_name}: not this term")
    sent = queue_email(
        application.email,
        "status_link",
        "Your private link",
        application=application,
        program=program,
        status_link="http://portal.test/status/x",
        reason="requested",
    )
    sent.status = OutboxStatus.SENT  # delivered by the dev transport, which keeps bodies and address
    for subject in (f"For {application.full_name}", f"Again for {application.full_name}"):
        failed = queue_email(application.email, "test_message", subject)
        failed.status, failed.last_error = OutboxStatus.FAILED, "550 mailbox unavailable"
    queue_email(reviewer.email, "test_message", f"New application from {application.full_name} ({application.email})")


def _failed_mail(application: Application) -> OutboxMessage:
    return db.session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.recipient == application.email, OutboxMessage.status == OutboxStatus.FAILED)
        .order_by(OutboxMessage.id)
    ).first()


# ------------------------------------------------------------------------------------------------
# Looking for it


def _needles(word: str) -> list[bytes]:
    """The canary as files and columns could hold it: plain (any case) and as JSON would escape it."""
    escaped = json.dumps(word)[1:-1]
    return sorted({form.encode() for form in (word, word.upper(), word.capitalize(), escaped)})


def _files_holding(word: str, paths: list[Path]) -> list[str]:
    needles = _needles(word)
    found = []
    for path in paths:
        if path.is_file():
            data = path.read_bytes()
            if any(needle in data for needle in needles) or word.encode() in data.lower():
                found.append(str(path))
    return found


def sqlite_files(app: Flask) -> list[Path]:
    """The SQLite database file and its WAL and shared-memory files (those that exist)."""
    url = make_url(app.config["DATABASE_URL"])
    if url.get_backend_name() != "sqlite" or not url.database:
        return []
    main = Path(url.database)
    return [path for path in (main, Path(f"{main}-wal"), Path(f"{main}-shm")) if path.exists()]


def columns_holding(word: str) -> list[str]:
    """``table.column`` of every text or JSON value holding the canary (any case), on either database."""
    found = []
    for table in db.metadata.sorted_tables:
        columns = [column for column in table.columns if isinstance(column.type, (String, Text, JSON))]
        for column in columns:
            for value in db.session.execute(select(column).where(column.is_not(None))).scalars():
                text = value if isinstance(value, str) else json.dumps(value)
                if word in text.lower() or json.dumps(word)[1:-1] in text:
                    found.append(f"{table.name}.{column.name}")
                    break
    return found


def assert_canary_gone(canary: Canary, app: Flask, *, caplog=None) -> None:
    """Fail, naming each place, if the canary is still anywhere the portal writes."""
    db.session.remove()  # read what is committed, in a fresh session
    places = columns_holding(canary.word)
    places += _files_holding(canary.word, sqlite_files(app))
    upload_folder = Path(app.config["UPLOAD_FOLDER"])
    places += _files_holding(canary.word, sorted(upload_folder.rglob("*")) if upload_folder.exists() else [])
    if caplog is not None:
        places += [f"log: {record.name}" for record in caplog.records if canary.word in record.getMessage().lower()]
    assert not places, f"the canary {canary.word} is still in: {places}"


def assert_canary_present(canary: Canary, app: Flask) -> None:
    """The check works: before erasing, the canary is in the database, the resume file, and the self-ID."""
    db.session.remove()
    assert columns_holding(canary.word), "the canary is in no column: plant_canary did not store it"
    upload_folder = Path(app.config["UPLOAD_FOLDER"])
    assert _files_holding(canary.word, sorted(upload_folder.rglob("*"))), "the resume file does not hold the canary"
    row = db.session.scalar(
        select(SelfIdentification).where(SelfIdentification.application_id == canary.application_id)
    )
    assert row is not None and decrypt_answers(row.ciphertext, application_id=row.application_id)["gender_self"]
