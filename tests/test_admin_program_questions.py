"""The Application questions tab: an admin builds the program's own questions; every change audited, never a 500."""

from __future__ import annotations

import pytest
from factories import (
    ApplicationAnswerFactory,
    ApplicationFactory,
    ApplicationQuestionFactory,
    InternFactory,
    ProgramFactory,
)
from session_support import sign_in
from sqlalchemy import insert, select
from test_progress import parse, texts

from portal.database import utcnow
from portal.extensions import db
from portal.models import ApplicationQuestion, AuditEvent, Program, QuestionKind
from portal.rules.questions import check_definition, question_key
from portal.services.errors import Refused
from portal.services.questions import add_question


def url(program, *parts) -> str:
    return "/".join([f"/admin/programs/{program.id}/questions", *map(str, parts)])


def question_form(**fields) -> dict:
    blank = {"kind": "short_text", "label": "", "help_text": "", "options": "", "max_chars": "", "max_words": ""}
    return {**blank, **fields}


def questions_of(program: Program) -> list[ApplicationQuestion]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(ApplicationQuestion)
            .where(ApplicationQuestion.program_id == program.id)
            .order_by(ApplicationQuestion.position, ApplicationQuestion.id)
        )
    )


def events(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


def listed(client, program) -> list[str]:
    """The labels of the questions on the form, in the tab's order."""
    return texts(parse(client.get(url(program)).data), "#questions > li .item__name")


@pytest.fixture
def signed_in(client, admin):
    sign_in(client, admin)
    return client


# --- adding each kind ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "fields, stored",
    [
        ({"kind": "short_text", "label": "Your neighbourhood", "max_chars": "80"}, {"max_chars": 80, "options": []}),
        (
            {"kind": "long_text", "label": "Why this internship?", "required": "y", "max_words": "250"},
            {"required": True, "max_words": 250},
        ),
        (
            {"kind": "one_choice", "label": "Preferred shift", "options": "Mornings\n\n  Evenings  \nWeekends"},
            {"options": ["Mornings", "Evenings", "Weekends"]},
        ),
        ({"kind": "many_choices", "label": "Skills", "options": "Writing\nVideo"}, {"options": ["Writing", "Video"]}),
        ({"kind": "yes_no", "label": "Can you travel?", "options": "ignored", "max_chars": "5"}, {"options": []}),
        ({"kind": "link", "label": "A portfolio", "help_text": "Any public page"}, {"help_text": "Any public page"}),
    ],
)
def test_each_kind_is_added_at_the_end_and_audited(signed_in, admin, program, fields, stored):
    ApplicationQuestionFactory(program=program, label="Already there")
    response = signed_in.post(url(program), data=question_form(**fields))
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"#question-{questions_of(program)[-1].id}")
    question = questions_of(program)[-1]
    assert question.kind == QuestionKind(fields["kind"]) and question.label == fields["label"]
    for name, value in stored.items():
        assert getattr(question, name) == value
    if fields["kind"] not in ("short_text", "long_text", "link"):
        assert question.max_chars is None  # a limit the kind has no use for is not kept
    [event] = events("question.added")
    assert event.actor_label == admin.email and event.target_id == question.id
    assert event.details["after"]["label"] == fields["label"] and event.details["after"]["kind"] == fields["kind"]
    page = parse(signed_in.get(url(program)).data)
    assert texts(page, "#questions > li .item__name") == ["Already there", fields["label"]]


def test_the_list_shows_kind_required_and_limits(signed_in, program):
    ApplicationQuestionFactory(program=program, label="Why us?", required=True, max_words=250, max_chars=1500)
    facts = " ".join(texts(parse(signed_in.get(url(program)).data), "#questions .question__facts"))
    assert "Long text" in facts and "Required" in facts and "Up to 250 words and 1,500 characters." in facts


def test_keys_are_made_from_the_label_and_unique_in_the_program(signed_in, program):
    for _ in range(2):
        signed_in.post(url(program), data=question_form(label="Why do you want this internship?"))
    keys = [q.key for q in questions_of(program)]
    assert keys == ["why_do_you_want_this_internship", "why_do_you_want_this_internship_2"]
    assert question_key("¿Qué tal?", []) == "que_tal" and question_key("!!!", []) == "question"


def test_the_same_question_added_twice_at_the_same_moment_is_refused_not_a_500(app, admin, program):
    assert program.questions == []  # loaded before the other request's row arrives
    db.session.execute(
        insert(ApplicationQuestion).values(
            program_id=program.id, key="why_us", kind=QuestionKind.LONG_TEXT, label="Why us?", help_text="",
            required=False, options=[], position=0, created_at=utcnow(),
        )
    )  # fmt: skip
    with pytest.raises(Refused) as refused:
        add_question(program, kind="long_text", label="Why us?", actor=admin)
    assert refused.value.field == "label" and "added a moment ago" in refused.value.message


# --- bad input ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "fields, field, message",
    [
        ({"kind": "one_choice", "label": "Pick one", "options": ""}, "options", "Give at least two options"),
        ({"kind": "many_choices", "label": "Pick", "options": "Only one"}, "options", "Give at least two options"),
        ({"kind": "one_choice", "label": "Pick", "options": "Yes\nyes"}, "options", "“yes” is listed twice"),
        ({"kind": "short_text", "label": ""}, "label", "Write the question"),
        ({"kind": "short_text", "label": "x" * 301}, "label", "Keep the question under 300 characters"),
        ({"kind": "long_text", "label": "Essay", "max_words": "lots"}, "max_words", "Enter a whole number of words"),
        ({"kind": "long_text", "label": "Essay", "max_chars": "0"}, "max_chars", "at least 1"),
        ({"kind": "long_text", "label": "Essay", "max_words": "999999"}, "max_words", "Enter at most 3,000 words"),
        ({"kind": "essay", "label": "Essay"}, "kind", "Choose what kind of question this is"),
    ],
)
def test_bad_input_is_refused_beside_the_field_and_kept(signed_in, program, fields, field, message):
    response = signed_in.post(url(program), data=question_form(**fields))
    assert response.status_code == 422
    page = parse(response.data)
    assert message in " ".join(texts(page, f"#{field}-error"))
    target = f"{field}-0" if field == "kind" else field
    assert page.query(f'.error-summary a[href="#{target}"]') is not None
    if fields["label"]:
        assert page.query("#label").etree_element.get("value") == fields["label"]
    if fields.get("options"):
        assert page.query("#options").etree_element.text.strip() == fields["options"].strip()
    assert questions_of(program) == [] and events("question.added") == []


def test_the_definition_rules_without_the_app():
    definition, errors = check_definition(kind="many_choices", label="  Skills   you have ", options=["A", "B "])
    assert errors == {} and definition.label == "Skills you have" and definition.options == ("A", "B")
    assert check_definition(kind="one_choice", label="Pick", options=["A"])[1] == {
        "options": "Give at least two options, one per line"
    }


# --- changing ----------------------------------------------------------------------------------------


def test_changing_a_question_keeps_its_key_and_audits_before_and_after(signed_in, program):
    question = ApplicationQuestionFactory(program=program, key="why", label="Why?", kind=QuestionKind.LONG_TEXT)
    page = parse(signed_in.get(url(program) + f"?edit={question.id}").data)
    assert texts(page, "#question-form-heading") == ["Change “Why?”"]
    assert page.query("#label").etree_element.get("value") == "Why?"
    response = signed_in.post(
        url(program, question.id), data=question_form(kind="long_text", label="Why us?", required="y", max_words="200")
    )
    assert response.status_code == 302
    [changed] = questions_of(program)
    assert (changed.key, changed.label, changed.required, changed.max_words) == ("why", "Why us?", True, 200)
    [event] = events("question.changed")
    assert event.details["before"]["label"] == "Why?" and event.details["after"]["label"] == "Why us?"
    assert event.details["before"]["max_words"] is None and event.details["after"]["max_words"] == 200


def test_saving_without_a_change_records_nothing(signed_in, program):
    question = ApplicationQuestionFactory(program=program, label="Why?")
    signed_in.post(url(program, question.id), data=question_form(kind="long_text", label="Why?"))
    assert events("question.changed") == []


def test_the_kind_cannot_change_once_answered(signed_in, program):
    question = ApplicationQuestionFactory(program=program, label="Why?", kind=QuestionKind.LONG_TEXT)
    ApplicationAnswerFactory(application=ApplicationFactory(program=program), question=question, text="Because.")
    page = parse(signed_in.get(url(program) + f"?edit={question.id}").data)
    assert "its kind cannot change" in " ".join(texts(page, "#kind-hint"))
    response = signed_in.post(
        url(program, question.id), data=question_form(kind="one_choice", label="Why now?", options="A\nB")
    )
    assert response.status_code == 422
    page = parse(response.data)
    assert "The kind cannot change: 1 application answered" in " ".join(texts(page, "#kind-error"))
    assert page.query("#label").etree_element.get("value") == "Why now?"  # what was typed is kept
    [kept] = questions_of(program)
    assert kept.kind == QuestionKind.LONG_TEXT and kept.label == "Why?"
    # Everything else can still change.
    again = signed_in.post(url(program, question.id), data=question_form(kind="long_text", label="Why now?"))
    assert again.status_code == 302


# --- order, retire, restore, delete ------------------------------------------------------------------


def test_questions_move_up_and_down_and_each_move_is_audited(signed_in, program):
    first, second, third = (ApplicationQuestionFactory(program=program, label=label) for label in "ABC")
    assert signed_in.post(url(program, third.id, "up")).status_code == 302
    assert listed(signed_in, program) == ["A", "C", "B"]
    signed_in.post(url(program, first.id, "down"))
    assert listed(signed_in, program) == ["C", "A", "B"]
    response = signed_in.post(url(program, second.id, "down"), follow_redirects=True)  # already last
    assert "“B” is already at the end." in response.get_data(as_text=True)
    moves = events("question.moved")
    assert [(e.target_id, e.details["before"]["position"], e.details["after"]["position"]) for e in moves] == [
        (third.id, 3, 2),
        (first.id, 1, 2),
    ]
    page = parse(signed_in.get(url(program)).data)
    assert texts(page, "#questions > li:first-child button") == ["Move down: C", "Retire: C", "Delete: C"]


def test_a_retired_question_leaves_the_form_keeps_its_answers_and_can_be_restored(
    signed_in, admin, supervisor, program
):
    ApplicationQuestionFactory(program=program, label="Why us?")
    retired = ApplicationQuestionFactory(program=program, label="Your favourite campaign")
    application = ApplicationFactory(program=program)
    ApplicationAnswerFactory(application=application, question=retired, text="The Fight for $15.")
    page = parse(signed_in.get(url(program)).data)
    buttons = texts(page, f"#question-{retired.id} button")
    assert buttons == ["Move up: Your favourite campaign", "Retire: Your favourite campaign"]  # no Delete
    assert "can be retired" in " ".join(texts(page, f"#question-{retired.id}"))

    response = signed_in.post(url(program, retired.id, "retire"), follow_redirects=True)
    assert "its answers stay on the applications" in response.get_data(as_text=True)
    assert listed(signed_in, program) == ["Why us?"]
    page = parse(signed_in.get(url(program)).data)
    assert texts(page, ".item-list--retired .item__name") == ["Your favourite campaign Retired"]
    form = signed_in.get(f"/programs/{program.slug}/apply").get_data(as_text=True)
    assert "Why us?" in form and "Your favourite campaign" not in form

    sign_in(signed_in, supervisor)
    review = signed_in.get(f"/review/applications/{application.id}").get_data(as_text=True)
    assert "Your favourite campaign" in review and "The Fight for $15." in review

    sign_in(signed_in, admin)
    assert signed_in.post(url(program, retired.id, "restore")).status_code == 302
    assert listed(signed_in, program) == ["Why us?", "Your favourite campaign"]  # back, at the end
    assert [e.target_id for e in events("question.retired") + events("question.restored")] == [retired.id] * 2


def test_an_answered_question_cannot_be_deleted(signed_in, program):
    question = ApplicationQuestionFactory(program=program, label="Why us?")
    ApplicationAnswerFactory(application=ApplicationFactory(program=program), question=question, text="Because.")
    response = signed_in.post(url(program, question.id, "delete"))
    assert response.status_code == 422
    page = parse(response.data)
    message = " ".join(texts(page, f"#question-{question.id}-error"))
    assert "has 1 answer and cannot be deleted: retire it instead" in message
    assert page.query(f'.error-summary a[href="#question-{question.id}"]') is not None
    assert len(questions_of(program)) == 1 and events("question.deleted") == []


def test_an_unanswered_question_is_deleted_and_audited(signed_in, program):
    question = ApplicationQuestionFactory(program=program, label="Why us?", key="why")
    assert signed_in.post(url(program, question.id, "delete")).status_code == 302
    assert questions_of(program) == []
    [event] = events("question.deleted")
    assert event.details["before"]["label"] == "Why us?" and event.details["key"] == "why"


def test_unknown_actions_and_other_programs_questions_are_not_found(signed_in, program):
    other = ApplicationQuestionFactory(program=ProgramFactory())
    question = ApplicationQuestionFactory(program=program)
    assert signed_in.post(url(program, question.id, "explode")).status_code == 404
    assert signed_in.post(url(program, other.id, "delete")).status_code == 404
    assert signed_in.get(url(program) + f"?edit={other.id}").status_code == 404
    assert len(questions_of(program)) == 1


# --- the standard question and blind review -----------------------------------------------------------


def test_a_custom_question_never_takes_the_standard_questions_key(signed_in, program):
    signed_in.post(url(program), data=question_form(kind="short_text", label="Heard about"))
    [custom] = questions_of(program)
    assert custom.key != "heard_about"
    assert signed_in.post(url(program, "standard")).status_code == 302  # the standard one can still be added
    assert {q.key for q in questions_of(program)} == {custom.key, "heard_about"}


def test_the_standard_question_is_added_once(signed_in, program):
    response = signed_in.post(url(program, "standard"))
    assert response.status_code == 302
    [question] = questions_of(program)
    assert (question.key, question.kind) == ("heard_about", QuestionKind.ONE_CHOICE)
    assert question.label == "How did you hear about us?"
    assert question.options == ["Friend or colleague", "Social media", "School or career office", "Email list", "Other"]
    page = parse(signed_in.get(url(program)).data)
    assert page.query(".standard-question") is None  # the button is gone once the form asks it
    again = signed_in.post(url(program, "standard"))
    assert again.status_code == 422 and "already asks" in again.get_data(as_text=True)
    signed_in.post(url(program, question.id, "retire"))
    assert signed_in.post(url(program, "standard")).status_code == 302  # retired: brought back
    [restored] = questions_of(program)
    assert restored.id == question.id and restored.retired_at is None
    assert [e.action for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))] == [
        "question.added",
        "question.retired",
        "question.restored",
    ]


def test_a_blind_program_warns_that_answers_are_shown_to_reviewers(signed_in, program):
    assert parse(signed_in.get(url(program)).data).query("#blind-warning") is None
    blind = ProgramFactory(blind_review=True)
    warning = " ".join(texts(parse(signed_in.get(url(blind)).data), "#blind-warning"))
    assert "Reviewers see every answer" in warning and "name, an email address, a school" in warning


# --- roles ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["supervisor", "intern"])
def test_only_admins_reach_the_tab(client, program, supervisor, who):
    user = supervisor if who == "supervisor" else InternFactory()
    question = ApplicationQuestionFactory(program=program, label="Why us?")
    sign_in(client, user)
    assert client.get(url(program)).status_code == 403
    assert client.post(url(program), data=question_form(label="Hijacked")).status_code == 403
    assert client.post(url(program, question.id), data=question_form(label="Hijacked")).status_code == 403
    for action in ("up", "retire", "delete"):
        assert client.post(url(program, question.id, action)).status_code == 403
    assert client.post(url(program, "standard")).status_code == 403
    assert [q.label for q in questions_of(program)] == ["Why us?"]


def test_signed_out_visitors_are_sent_to_sign_in(client, program):
    response = client.get(url(program))
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_buttons_without_a_csrf_token_are_refused(signed_in, program):
    question = ApplicationQuestionFactory(program=program)
    assert signed_in.post(url(program, question.id, "delete")).status_code == 400
    assert signed_in.post(url(program), data=question_form(label="No token")).status_code in (400, 422)
    assert len(questions_of(program)) == 1
