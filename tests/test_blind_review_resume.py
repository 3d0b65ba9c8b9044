"""Blind review's resume gate: a resume carries the applicant's name, so in a blind program a reviewer gets it
only after submitting their own scores; admins who do not review the program may always have it."""

from __future__ import annotations

import io

import pytest
from documents import MINIMAL_PDF
from factories import AdminFactory, ApplicationFactory, ReviewFactory, ScoreFactory
from session_support import sign_in
from test_progress import parse, texts

from portal.database import utcnow
from portal.extensions import db
from portal.rules.blind_review import RESUME_AFTER_SCORING, resume_offered
from portal.services.uploads import check_resume, store_resume

pytestmark = pytest.mark.program_settings(blind_review=True, rubric=("Knows current events", "Organised"))


@pytest.fixture
def application(app, program):
    application = ApplicationFactory(program=program, full_name="Ana Reyes")
    store_resume(application, check_resume(io.BytesIO(MINIMAL_PDF), "Ana Reyes CV.pdf"), app.config["UPLOAD_FOLDER"])
    db.session.commit()
    return application


def page(client, application):
    return parse(client.get(f"/review/applications/{application.id}").data)


def resume(client, application):
    return client.get(f"/review/applications/{application.id}/resume")


def score(client, application, program):
    data = {f"score_{criterion.id}": "4" for criterion in program.rubric}
    return client.post(f"/review/applications/{application.id}/score", data=data)


def resume_links(tree) -> list[str]:
    return [a.etree_element.get("href") for a in tree.query_all("a[href$='/resume']")]


def test_before_scoring_the_page_says_why_and_the_download_is_refused(client, supervisor, application):
    sign_in(client, supervisor)
    tree = page(client, application)
    assert resume_links(tree) == []
    assert texts(tree, "#resume-note") == [RESUME_AFTER_SCORING]
    response = resume(client, application)
    assert response.status_code == 403
    assert RESUME_AFTER_SCORING in " ".join(texts(parse(response.data), ".reason"))
    assert MINIMAL_PDF not in response.data


def test_after_scoring_the_reviewer_gets_the_resume(client, supervisor, application, program):
    sign_in(client, supervisor)
    assert score(client, application, program).status_code == 302
    tree = page(client, application)
    assert resume_links(tree) == [f"/review/applications/{application.id}/resume"]
    assert texts(tree, "#resume-note") == []
    response = resume(client, application)
    assert response.status_code == 200 and response.data == MINIMAL_PDF
    assert "Ana" not in response.headers["Content-Disposition"]  # still named by reference


def test_another_reviewer_s_scores_do_not_open_it_for_me(client, supervisor, application, program):
    colleague = ReviewFactory(application=application, submitted_at=utcnow())
    ScoreFactory(review=colleague, criterion=program.rubric[0], value=5)
    sign_in(client, supervisor)
    assert resume(client, application).status_code == 403


def test_an_admin_who_reviews_the_program_waits_like_any_reviewer(client, application, program):
    reviewing_admin = AdminFactory()
    program.reviewers.append(reviewing_admin)
    db.session.commit()
    sign_in(client, reviewing_admin)
    assert resume(client, application).status_code == 403
    score(client, application, program)
    assert resume(client, application).status_code == 200


def test_an_admin_who_does_not_review_the_program_may_download_it(client, admin, application):
    sign_in(client, admin)
    assert resume_links(page(client, application)) == [f"/review/applications/{application.id}/resume"]
    assert resume(client, application).status_code == 200


@pytest.mark.program_settings(blind_review=False, rubric=("Knows current events",))
def test_outside_blind_review_the_resume_is_offered_straight_away(client, supervisor, application):
    sign_in(client, supervisor)
    tree = page(client, application)
    assert resume_links(tree) == [f"/review/applications/{application.id}/resume"]
    assert texts(tree, "#resume-note") == []
    response = resume(client, application)
    assert response.status_code == 200
    assert "Ana Reyes CV.pdf" in response.headers["Content-Disposition"]


@pytest.mark.parametrize(
    ("blind", "scored", "overseeing", "offered"),
    [
        (False, False, False, True),
        (True, False, False, False),
        (True, True, False, True),
        (True, False, True, True),
    ],
)
def test_the_rule(blind, scored, overseeing, offered):
    assert resume_offered(blind=blind, scored=scored, overseeing=overseeing) is offered
