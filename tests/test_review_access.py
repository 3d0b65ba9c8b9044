"""Who may use each review route: a table of route × visitor → the status they get."""

from __future__ import annotations

import io

import pytest
from documents import MINIMAL_PDF
from factories import (
    AdminFactory,
    ApplicationFactory,
    InternFactory,
    ProgramFactory,
    RubricCriterionFactory,
    UserFactory,
)

from portal.extensions import db
from portal.services.uploads import check_resume, store_resume

VISITORS = ("anonymous", "intern", "other_supervisor", "supervisor", "admin")

# (method, path template, expected status for each visitor in VISITORS order)
ROUTES = [
    ("GET", "/review/", (302, 403, 200, 200, 200)),
    ("GET", "/review/export.csv", (302, 403, 200, 200, 200)),
    ("GET", "/review/applications/{id}", (302, 403, 404, 200, 200)),
    ("GET", "/review/applications/{id}/resume", (302, 403, 404, 200, 200)),
    ("POST", "/review/applications/{id}/score", (302, 403, 404, 302, 302)),
    ("POST", "/review/applications/{id}/decision", (302, 403, 404, 302, 302)),
]


@pytest.fixture
def world(app):
    program = ProgramFactory()
    criterion = RubricCriterionFactory(program=program)
    supervisor, other_supervisor = UserFactory(), UserFactory()
    program.reviewers.append(supervisor)
    other_program = ProgramFactory()
    other_program.reviewers.append(other_supervisor)
    application = ApplicationFactory(program=program)
    store_resume(application, check_resume(io.BytesIO(MINIMAL_PDF), "cv.pdf"), app.config["UPLOAD_FOLDER"])
    db.session.commit()
    return {
        "application": application,
        "criterion": criterion,
        "users": {
            "anonymous": None,
            "intern": InternFactory(),
            "other_supervisor": other_supervisor,
            "supervisor": supervisor,
            "admin": AdminFactory(),
        },
    }


@pytest.mark.parametrize("method, template, expected", ROUTES, ids=[f"{m} {t}" for m, t, _ in ROUTES])
def test_access_table(app, world, method, template, expected):
    application = world["application"]
    path = template.format(id=application.id)
    data = {
        "/score": {f"score_{world['criterion'].id}": "4", "comment": ""},
        "/decision": {"action": "in_review", "version": str(application.version), "reason": ""},
    }
    observed = []
    for visitor in VISITORS:
        client = app.test_client()
        user = world["users"][visitor]
        if user is not None:
            with client.session_transaction() as session:
                session["_user_id"] = user.session_token
        body = next((value for suffix, value in data.items() if path.endswith(suffix)), None)
        response = client.open(path, method=method, data=body)
        if visitor == "anonymous" and response.status_code == 302:
            assert "/auth/sign-in" in response.headers["Location"]
        observed.append(response.status_code)
        if method == "POST" and response.status_code == 302 and visitor != "anonymous":
            db.session.refresh(application)
            data["/decision"]["version"] = str(application.version)
            data["/decision"]["action"] = "interview" if data["/decision"]["action"] == "in_review" else "in_review"
    assert dict(zip(VISITORS, observed, strict=True)) == dict(zip(VISITORS, expected, strict=True))
