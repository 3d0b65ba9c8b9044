"""The application page for reviewers: answers, blind review, scoring, decisions and onboarding."""

from __future__ import annotations

import io
import threading
from datetime import date, timedelta

import pytest
from documents import MINIMAL_PDF
from factories import (
    AdminFactory,
    ApplicationFactory,
    InternFactory,
    ProgramFactory,
    ReviewFactory,
    ScoreFactory,
    UserFactory,
)
from session_support import sign_in
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import (
    Application,
    ApplicationAnswer,
    ApplicationQuestion,
    ApplicationStatus,
    AuditEvent,
    OutboxMessage,
    Placement,
    QuestionKind,
    Review,
    Role,
    SelfIdentification,
    TokenPurpose,
    User,
    UserToken,
)
from portal.services.self_identification import encrypt_answers
from portal.services.uploads import check_resume, store_resume

# The shared ``program``, reviewed by the shared ``supervisor``, with two places and a rubric.
pytestmark = pytest.mark.program_settings(places=2, rubric=("Knows current events", "Organised", "Bold"))


@pytest.fixture
def application(app, program):
    application = ApplicationFactory(
        program=program,
        full_name="Ana Reyes",
        email="ana@example.org",
        phone="555-0100",
        school="Hunter College",
        hours_per_week=28,
        seeks_stipend=True,
        earliest_start=date.today() + timedelta(days=10),
    )
    why = ApplicationQuestion(program=program, key="why", kind=QuestionKind.LONG_TEXT, label="Why this internship?")
    link = ApplicationQuestion(program=program, key="link", kind=QuestionKind.LINK, label="A link", position=1)
    db.session.add_all([why, link])
    application.answers = [
        ApplicationAnswer(question=why, text="I organise tenants in my building."),
        ApplicationAnswer(question=link, text="https://ana.example.org"),
    ]
    store_resume(application, check_resume(io.BytesIO(MINIMAL_PDF), "Ana Reyes CV.pdf"), app.config["UPLOAD_FOLDER"])
    db.session.commit()
    return application


def page_of(client, application) -> str:
    return client.get(f"/review/applications/{application.id}").get_data(as_text=True)


def score_data(program, values=(4, 5, 3), comment="Strong.") -> dict:
    data = {f"score_{c.id}": str(v) for c, v in zip(program.rubric, values, strict=True)}
    data["comment"] = comment
    return data


# --- the page ---------------------------------------------------------------------------------------


def test_a_reviewer_sees_every_answer_and_can_download_the_resume(client, supervisor, application):
    sign_in(client, supervisor)
    html = page_of(client, application)
    for text in ("Ana Reyes", "ana@example.org", "Hunter College", "https://ana.example.org", "28 hours a week"):
        assert text in html
    assert "Why this internship?" in html and "I organise tenants in my building." in html
    response = client.get(f"/review/applications/{application.id}/resume")
    assert response.status_code == 200 and response.data == MINIMAL_PDF
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert "Ana Reyes CV.pdf" in response.headers["Content-Disposition"]


def test_blind_review_hides_identity_and_the_file_name(client, supervisor, application, program):
    program.blind_review = True
    db.session.commit()
    sign_in(client, supervisor)
    html = page_of(client, application)
    assert f"Applicant {application.reference}" in html
    for hidden in ("Ana Reyes", "ana@example.org", "555-0100", "Hunter College"):
        assert hidden not in html
    # The program's own questions are all shown, links too: the admin was warned free text can identify.
    assert "https://ana.example.org" in html
    # The resume carries the name: offered once the reviewer has scored (tests/test_blind_review_resume.py).
    client.post(f"/review/applications/{application.id}/score", data=score_data(program))
    download = client.get(f"/review/applications/{application.id}/resume")
    assert "Ana" not in download.headers["Content-Disposition"]
    assert f"{application.reference}-resume.pdf" in download.headers["Content-Disposition"]


def test_self_identification_is_never_shown_to_reviewers(client, supervisor, application):
    db.session.add(
        SelfIdentification(
            application=application,
            program_id=application.program_id,
            ciphertext=encrypt_answers(
                {"gender": "self_describe", "gender_self": "Zyxquorian"}, application_id=application.id
            ),
        )
    )
    db.session.commit()
    sign_in(client, supervisor)
    html = page_of(client, application)
    assert "Zyxquorian" not in html and "self_describe" not in html


def test_a_supervisor_of_another_program_gets_404_for_the_page_and_the_resume(client, application):
    outsider = UserFactory()
    other_program = ProgramFactory()
    other_program.reviewers.append(outsider)
    db.session.commit()
    sign_in(client, outsider)
    assert client.get(f"/review/applications/{application.id}").status_code == 404
    assert client.get(f"/review/applications/{application.id}/resume").status_code == 404


# --- scoring ----------------------------------------------------------------------------------------


def test_scores_are_saved_and_others_appear_only_after_submitting_ones_own(client, supervisor, application, program):
    colleague = UserFactory(full_name="Colleague Cruz")
    program.reviewers.append(colleague)
    db.session.commit()
    review = ReviewFactory(application=application, reviewer=colleague, comment="Great organiser", submitted_at=None)
    for criterion in program.rubric:
        ScoreFactory(review=review, criterion=criterion, value=2)
    review.submitted_at = review.created_at
    db.session.commit()

    sign_in(client, supervisor)
    before = page_of(client, application)
    assert "Colleague Cruz" not in before and "Great organiser" not in before
    assert "1 other reviewer has scored this application" in before

    response = client.post(f"/review/applications/{application.id}/score", data=score_data(program))
    assert response.status_code == 302
    after = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Colleague Cruz" in after and "Great organiser" in after
    mine = db.session.scalar(select(Review).where(Review.reviewer_id == supervisor.id))
    assert sorted(s.value for s in mine.scores) == [3, 4, 5] and mine.comment == "Strong."


def test_a_missing_required_score_is_explained_and_nothing_is_saved(client, supervisor, application, program):
    sign_in(client, supervisor)
    data = score_data(program)
    del data[f"score_{program.rubric[1].id}"]
    response = client.post(f"/review/applications/{application.id}/score", data=data)
    assert response.status_code == 422
    assert "Score “Organised”" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Review)) == 0


def test_scores_outside_one_to_five_are_refused(client, supervisor, application, program):
    sign_in(client, supervisor)
    response = client.post(f"/review/applications/{application.id}/score", data=score_data(program, values=(4, 9, 3)))
    assert response.status_code == 422
    assert db.session.scalar(select(func.count()).select_from(Review)) == 0


def test_revising_scores_keeps_one_review(client, supervisor, application, program):
    sign_in(client, supervisor)
    client.post(f"/review/applications/{application.id}/score", data=score_data(program, values=(1, 1, 1)))
    client.post(f"/review/applications/{application.id}/score", data=score_data(program, values=(5, 5, 5)))
    reviews = db.session.scalars(select(Review)).all()
    assert len(reviews) == 1 and {s.value for s in reviews[0].scores} == {5}


# --- decisions --------------------------------------------------------------------------------------


def decide(client, application, action, reason="", version=None):
    db.session.refresh(application)
    return client.post(
        f"/review/applications/{application.id}/decision",
        data={"action": action, "reason": reason, "version": application.version if version is None else version},
    )


@pytest.mark.parametrize(
    "action, status, subject_word",
    [
        ("in_review", ApplicationStatus.IN_REVIEW, "in review"),
        ("interview", ApplicationStatus.INTERVIEW, "invited to interview"),
        ("waitlist", ApplicationStatus.WAITLISTED, "on the waitlist"),
    ],
)
def test_each_decision_changes_the_status_audits_and_emails(
    client, supervisor, application, action, status, subject_word
):
    sign_in(client, supervisor)
    assert decide(client, application, action, reason="noted").status_code == 302
    db.session.refresh(application)
    assert application.status == status
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.to_state == status.value))
    assert (event.actor_id, event.from_state, event.reason) == (supervisor.id, "submitted", "noted")
    message = db.session.scalar(select(OutboxMessage).order_by(OutboxMessage.id.desc()))
    assert message.recipient == "ana@example.org" and subject_word in message.subject


def test_declining_needs_an_internal_reason_which_the_email_never_shows(client, supervisor, application):
    sign_in(client, supervisor)
    refused = decide(client, application, "decline", reason="")
    assert refused.status_code == 422 and "Give an internal reason" in refused.get_data(as_text=True)
    assert decide(client, application, "decline", reason="Not enough hours this term").status_code == 302
    db.session.refresh(application)
    assert application.status == ApplicationStatus.DECLINED
    message = db.session.scalar(select(OutboxMessage))
    assert "Thank you for applying" in message.text_body
    assert "Not enough hours" not in message.text_body + message.html_body


def test_accepting_onboards_a_placement_an_intern_account_and_an_invitation(client, supervisor, application):
    sign_in(client, supervisor)
    response = decide(client, application, "accept", reason="Strong interview")
    assert response.status_code == 302
    assert "emailed an invitation" in client.get(response.headers["Location"]).get_data(as_text=True)
    placement = db.session.scalar(select(Placement))
    assert placement.application_id == application.id and placement.supervisor_id == supervisor.id
    assert placement.committed_minutes_per_week == 28 * 60 and placement.stipend_eligible
    assert placement.start_date == application.earliest_start
    intern = db.session.scalar(select(User).where(User.email == "ana@example.org"))
    assert intern.role == Role.INTERN and intern.password_hash is None
    token = db.session.scalar(select(UserToken).where(UserToken.user_id == intern.id))
    assert token.purpose == TokenPurpose.INVITATION
    subjects = db.session.scalars(select(OutboxMessage.subject).order_by(OutboxMessage.id)).all()
    assert any("accepted" in s for s in subjects) and any("set up your account" in s for s in subjects)


def test_stipend_eligibility_needs_25_hours_and_a_request(client, supervisor, program):
    sign_in(client, supervisor)
    applications = [
        ApplicationFactory(program=program, hours_per_week=24, seeks_stipend=True),
        ApplicationFactory(program=program, hours_per_week=25, seeks_stipend=False),
    ]
    for application in applications:
        decide(client, application, "accept", reason="Strong interview")
    assert db.session.scalars(select(Placement.stipend_eligible)).all() == [False, False]


def test_accepting_beyond_the_places_waitlists_and_says_so(client, supervisor, program):
    sign_in(client, supervisor)
    applications = [ApplicationFactory(program=program) for _ in range(3)]
    for application in applications[:2]:
        decide(client, application, "accept", reason="Strong interview")
    response = decide(client, applications[2], "accept", reason="Strong interview")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "All 2 places are taken" in page
    db.session.refresh(applications[2])
    assert applications[2].status == ApplicationStatus.WAITLISTED
    assert db.session.scalar(select(func.count()).select_from(Placement)) == 2


def test_a_decision_on_a_stale_page_is_refused_and_nothing_is_lost(client, supervisor, application, program):
    colleague = UserFactory()
    program.reviewers.append(colleague)
    db.session.commit()
    db.session.refresh(application)
    stale_version = application.version
    other = client.application.test_client()
    sign_in(other, colleague)
    assert decide(other, application, "interview").status_code == 302  # the colleague decides first

    sign_in(client, supervisor)
    response = decide(client, application, "decline", reason="Typed with care", version=stale_version)
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Someone else changed this application" in html and "Invited to interview" in html
    assert "Typed with care" in html  # the reason typed is still there
    db.session.refresh(application)
    assert application.status == ApplicationStatus.INTERVIEW


def test_two_supervisors_deciding_at_once_one_wins(app, supervisor, application, program):
    colleague = UserFactory()
    program.reviewers.append(colleague)
    db.session.commit()
    db.session.refresh(application)
    version = application.version
    barrier = threading.Barrier(2)
    statuses = []

    def act(session_token, action, reason):
        own = app.test_client()
        with own.session_transaction() as session:
            session["_user_id"] = session_token
        barrier.wait()
        statuses.append(
            own.post(
                f"/review/applications/{application.id}/decision",
                data={"action": action, "reason": reason, "version": version},
            ).status_code
        )

    threads = [
        threading.Thread(target=act, args=(supervisor.session_token, "accept", "strong interview")),
        threading.Thread(target=act, args=(colleague.session_token, "decline", "no")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    db.session.expire_all()
    assert sorted(statuses) == [302, 409]
    final = db.session.get(Application, application.id).status
    assert final in (ApplicationStatus.ACCEPTED, ApplicationStatus.DECLINED)
    changes = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "application.status_changed")).all()
    assert len(changes) == 1 and changes[0].to_state == final.value


def test_decided_applications_offer_no_more_decisions(client, supervisor, application):
    application.status = ApplicationStatus.DECLINED
    db.session.commit()
    sign_in(client, supervisor)
    html = page_of(client, application)
    assert "no further decision is possible" in html
    decide(client, application, "accept")
    db.session.refresh(application)
    assert application.status == ApplicationStatus.DECLINED


def test_admins_decide_on_any_program_and_interns_cannot(client, application):
    admin = AdminFactory()
    sign_in(client, admin)
    assert page_of(client, application).count("Ana Reyes") >= 1
    intern = InternFactory()
    sign_in(client, intern)
    assert client.get(f"/review/applications/{application.id}").status_code == 403
    assert decide(client, application, "accept").status_code == 403
