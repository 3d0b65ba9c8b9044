"""Application services beyond what the web tests show."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from documents import MINIMAL_PDF
from factories import ApplicationFactory, ApplicationQuestionFactory

from portal.extensions import db
from portal.rules.pipeline import ApplicationStatus
from portal.services.applications import TransitionNotAllowed, change_status
from portal.services.uploads import check_resume, store_resume


def test_a_resume_written_in_a_rolled_back_transaction_is_removed(app):
    application = ApplicationFactory()
    store_resume(application, check_resume(io.BytesIO(MINIMAL_PDF), "cv.pdf"), app.config["UPLOAD_FOLDER"])
    folder = Path(app.config["UPLOAD_FOLDER"])
    assert len(list(folder.glob("*"))) == 1
    db.session.rollback()
    assert list(folder.glob("*")) == []


def test_a_committed_resume_stays(app):
    application = ApplicationFactory()
    store_resume(application, check_resume(io.BytesIO(MINIMAL_PDF), "cv.pdf"), app.config["UPLOAD_FOLDER"])
    db.session.commit()
    db.session.rollback()
    assert len(list(Path(app.config["UPLOAD_FOLDER"]).glob("*"))) == 1


def test_decisions_are_final(app):
    application = ApplicationFactory(status=ApplicationStatus.ACCEPTED)
    with pytest.raises(TransitionNotAllowed):
        change_status(application, ApplicationStatus.WITHDRAWN, actor_label="applicant")
    assert application.status == ApplicationStatus.ACCEPTED


def _answers(email: str) -> dict:
    from datetime import date, timedelta

    return {
        "full_name": "Rosa Parks", "preferred_name": "", "pronouns": "", "email": email, "phone": "", "city": "NYC",
        "not_student": True, "school": "", "major": "", "wants_credit": False, "hours_per_week": 20,
        "earliest_start": date.today() + timedelta(days=7), "weeks_available": 12, "seeks_stipend": False,
    }


def test_the_same_rendered_form_sent_again_is_the_same_application_and_no_second_email(app, program):
    """The race of a double click, where the second request arrives after the first one committed."""
    from sqlalchemy import func, select

    from portal.models import Application, ApplicationAnswer, OutboxMessage
    from portal.services.applications import submit_application

    ApplicationQuestionFactory(program=program, key="why", required=True)

    def send(key: str):
        resume = check_resume(io.BytesIO(MINIMAL_PDF), "cv.pdf")
        result = submit_application(
            program,
            _answers("rosa@example.org"),
            resume,
            {},
            submission_key=key,
            today=program.applications_open,
            question_values={"why": "To learn organizing."},
        )
        db.session.commit()
        return result

    first = send("form-1")
    again = send("form-1")
    assert again.application.id == first.application.id and again.duplicate
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 1  # only "we received it"
    other_form = send("form-2")  # a second, separate form for the same address: a fresh link by email
    assert other_form.duplicate and db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 2
    assert db.session.scalar(select(func.count()).select_from(Application)) == 1
    assert db.session.scalars(select(ApplicationAnswer.text)).all() == ["To learn organizing."]  # stored once


def test_an_application_with_a_refused_answer_leaves_nothing_on_either_database(app, program):
    """An answer the service refuses leaves no application, resume row, file or email, on either database.
    (The answers are checked before the insert now; a failure after the insert, a lost race, is rolled back
    with its file in ``test_two_identical_posts_at_the_same_moment_create_one_application``.)"""
    from sqlalchemy import func, select

    from portal.models import Application, OutboxMessage, Resume
    from portal.services.applications import submit_application
    from portal.services.errors import Refused
    from portal.web import transaction

    ApplicationQuestionFactory(program=program, key="why", required=True)
    db.session.commit()
    with pytest.raises(Refused), transaction():
        submit_application(
            program,
            _answers("rosa@example.org"),
            check_resume(io.BytesIO(MINIMAL_PDF), "cv.pdf"),
            {},
            submission_key="form-1",
            today=program.applications_open,
            question_values={"why": ""},  # the required answer, refused by save_answers after the insert
        )
    for model in (Application, Resume, OutboxMessage):
        assert db.session.scalar(select(func.count()).select_from(model)) == 0, model.__name__
    assert list(Path(app.config["UPLOAD_FOLDER"]).glob("*")) == []
