"""Application services beyond what the web tests show."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from documents import MINIMAL_PDF
from factories import ApplicationFactory

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
