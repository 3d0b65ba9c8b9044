"""The applicant's form asks the program's own questions: the right control for each kind, accessible markup,
each answer checked beside its field with what was typed kept, answers stored and shown to reviewers."""

from __future__ import annotations

import csv
import io

import pytest
from factories import ApplicationQuestionFactory
from session_support import sign_in
from sqlalchemy import select
from test_progress import elements, parse, texts
from test_public_applications import field_error, form_data

from portal.database import utcnow
from portal.extensions import db
from portal.models import Application, ApplicationAnswer, QuestionKind
from portal.rules.questions import check_answer, limits_hint
from portal.services.errors import Refused
from portal.services.questions import save_answers

pytestmark = pytest.mark.program_settings(title="Fall Internship")


@pytest.fixture
def questions(program) -> dict:
    """One question of each kind, in this order on the form."""
    specs = [
        ("neighbourhood", QuestionKind.SHORT_TEXT, "Your neighbourhood", {"max_chars": 40}),
        ("why", QuestionKind.LONG_TEXT, "Why this internship?", {"required": True, "max_words": 5,
                                                                 "help_text": "In your own words."}),
        ("shift", QuestionKind.ONE_CHOICE, "Preferred shift", {"required": True, "options": ["Mornings", "Evenings"]}),
        ("skills", QuestionKind.MANY_CHOICES, "Skills you have", {"required": True,
                                                                  "options": ["Writing", "Video", "Data"]}),
        ("travel", QuestionKind.YES_NO, "Can you travel within the city?", {}),
        ("portfolio", QuestionKind.LINK, "A portfolio", {}),
    ]  # fmt: skip
    return {
        key: ApplicationQuestionFactory(program=program, key=key, kind=kind, label=label, position=position, **extra)
        for position, (key, kind, label, extra) in enumerate(specs)
    }


def name(question) -> str:
    return f"q_{question.id}"


def good_answers(questions) -> dict:
    return {
        name(questions["neighbourhood"]): "Sunset Park",
        name(questions["why"]): "I organise my building.",
        name(questions["shift"]): "Evenings",
        name(questions["skills"]): ["Data", "Writing"],
        name(questions["travel"]): "yes",
        name(questions["portfolio"]): "https://ana.example.org/work",
    }


def apply(client, questions, **answers):
    data = {**form_data(), **good_answers(questions), **answers}
    return client.post("/programs/fall/apply", data=data, content_type="multipart/form-data")


# --- the form ------------------------------------------------------------------------------------------


def test_each_kind_gets_its_control_with_label_and_hint(client, questions):
    page = parse(client.get("/programs/fall/apply").data)
    assert texts(page, "#section-questions") == ["Questions"]
    short = page.query(f"#{name(questions['neighbourhood'])}")
    assert short.local_name == "input"
    assert (short.etree_element.get("type"), short.etree_element.get("maxlength")) == ("text", "40")
    assert texts(page, f'label[for="{name(questions["neighbourhood"])}"]') == ["Your neighbourhood (optional)"]

    why = name(questions["why"])
    essay = page.query(f"#{why}").etree_element
    assert page.query(f"#{why}").local_name == "textarea" and essay.get("required") is not None
    assert texts(page, f'label[for="{why}"]') == ["Why this internship?"]  # required: no "(optional)"
    assert texts(page, f"#{why}-hint") == ["In your own words. Up to 5 words."]
    assert essay.get("aria-describedby") == f"{why}-hint"

    link = page.query(f"#{name(questions['portfolio'])}").etree_element
    assert link.get("type") == "url" and link.get("inputmode") == "url"


@pytest.mark.parametrize(
    "key, kind, options",
    [
        ("shift", "radio", ["Mornings", "Evenings"]),
        ("skills", "checkbox", ["Writing", "Video", "Data"]),
        ("travel", "radio", ["Yes", "No"]),
    ],
)
def test_choices_are_a_fieldset_whose_legend_is_the_question(client, questions, key, kind, options):
    page = parse(client.get("/programs/fall/apply").data)
    field_id = name(questions[key])
    [fieldset] = [f for f in page.query_all("fieldset") if f.query(f"#{field_id}-0") is not None]
    expected = questions[key].label + ("" if questions[key].required else " (optional)")
    assert texts(fieldset, "legend") == [expected]
    inputs = elements(fieldset, "input")
    assert {i.get("type") for i in inputs} == {kind}
    assert texts(fieldset, "label") == options
    if kind == "checkbox":  # "required" on each box would tell a screen reader every box must be ticked
        assert all(i.get("required") is None for i in inputs)


def test_questions_come_in_the_programs_order_and_retired_ones_are_not_asked(client, program, questions):
    questions["shift"].position = -1
    questions["travel"].retired_at = utcnow()
    db.session.commit()
    page = parse(client.get("/programs/fall/apply").data)
    asked = texts(page, "section[aria-labelledby=section-questions] label[for^=q_], "
                        "section[aria-labelledby=section-questions] legend")  # fmt: skip
    assert asked[0] == "Preferred shift"
    assert "Can you travel within the city? (optional)" not in asked
    response = apply(client, questions, **{name(questions["travel"]): "maybe"})  # a retired field is ignored
    assert response.status_code == 302
    application = db.session.scalar(select(Application))
    assert questions["travel"].id not in {answer.question_id for answer in application.answers}


def test_a_program_without_questions_has_no_questions_section(client, program):
    page = parse(client.get("/programs/fall/apply").data)
    assert page.query("#section-questions") is None
    assert client.post("/programs/fall/apply", data=form_data(), content_type="multipart/form-data").status_code == 302


# --- checking the answers ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "key, value, message",
    [
        ("why", "", "Answer this question"),
        ("why", "one two three four five six seven", "Keep this under 5 words (you wrote 7)"),
        ("neighbourhood", "x" * 41, "Keep this under 40 characters (you wrote 41)"),
        ("shift", "", "Answer this question"),
        ("shift", "Midnight", "Choose one of the options given"),
        ("skills", [], "Answer this question"),
        ("skills", ["Writing", "Juggling"], "Choose from the options given"),
        ("travel", "perhaps", "Choose yes or no"),
        ("portfolio", "javascript:alert(1)", "Enter a web address starting with http:// or https://"),
        ("portfolio", "ana.example.org", "Enter a web address starting with http:// or https://"),
        ("portfolio", "http://[", "Enter a web address starting with http:// or https://"),  # urlparse raises
    ],
)
def test_bad_answers_are_explained_beside_the_question_and_everything_typed_is_kept(
    client, questions, key, value, message
):
    response = apply(client, questions, **{name(questions[key]): value})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert field_error(html, name(questions[key])) == message
    radios = questions[key].kind in (QuestionKind.ONE_CHOICE, QuestionKind.MANY_CHOICES, QuestionKind.YES_NO)
    assert f'href="#{name(questions[key])}{"-0" if radios else ""}"' in html  # the summary links to the question
    page = parse(html)
    if key != "neighbourhood":
        assert page.query(f"#{name(questions['neighbourhood'])}").etree_element.get("value") == "Sunset Park"
    if key != "why":
        assert page.query(f"#{name(questions['why'])}").etree_element.text.strip() == "I organise my building."
    if key != "skills":
        checked = [i.get("value") for i in elements(page, f"input[name={name(questions['skills'])}][checked]")]
        assert checked == ["Writing", "Data"]
    assert page.query("#city").etree_element.get("value") == "Queens"
    assert db.session.scalar(select(Application)) is None


def test_answers_are_saved_with_the_application_and_shown_to_the_reviewer(client, supervisor, questions):
    response = apply(client, questions, **{name(questions["why"]): "  I organise my building.  "})
    assert response.status_code == 302
    application = db.session.scalar(select(Application))
    stored = {answer.question.key: (answer.text, answer.choices) for answer in application.answers}
    assert stored == {
        "neighbourhood": ("Sunset Park", []),
        "why": ("I organise my building.", []),
        "shift": ("Evenings", []),
        "skills": ("", ["Writing", "Data"]),  # in the question's order
        "travel": ("yes", []),
        "portfolio": ("https://ana.example.org/work", []),
    }
    sign_in(client, supervisor)
    review = " ".join(texts(parse(client.get(f"/review/applications/{application.id}").data), "main"))
    for shown in ("Why this internship?", "I organise my building.", "Preferred shift", "Evenings", "Writing, Data"):
        assert shown in review
    assert "Can you travel within the city?Yes" in review  # a yes/no answer reads as the form offered it


def test_the_reviewer_reads_the_answers_in_the_forms_current_order(client, supervisor, questions):
    apply(client, questions)
    application = db.session.scalar(select(Application))
    ordered = sorted(questions.values(), key=lambda q: q.position, reverse=True)
    for position, question in enumerate(ordered):  # the admin turns the form upside down afterwards
        question.position = position
    db.session.commit()
    sign_in(client, supervisor)
    page = parse(client.get(f"/review/applications/{application.id}").data)
    shown = [label for label in texts(page, ".answers dt") if label in {q.label for q in questions.values()}]
    answered = {answer.question_id for answer in application.answers}
    assert shown == [q.label for q in ordered if q.id in answered]


def test_an_optional_question_left_empty_stores_no_answer(client, questions):
    apply(client, questions, **{name(questions["neighbourhood"]): "   ", name(questions["portfolio"]): ""})
    keys = {a.question.key for a in db.session.scalars(select(ApplicationAnswer))}
    assert keys == {"why", "shift", "skills", "travel"}


def test_the_export_has_a_column_per_question_with_the_answers(client, admin, questions):
    apply(client, questions)
    sign_in(client, admin)
    [row] = csv.DictReader(io.StringIO(client.get("/review/export.csv").get_data(as_text=True)))
    assert row["Why this internship?"] == "I organise my building."
    assert row["Skills you have"] == "Writing; Data"
    assert row["A portfolio"] == "https://ana.example.org/work"


# --- the service and the rules -------------------------------------------------------------------------


def test_the_service_checks_answers_again(app, program, questions):
    application = Application(program=program, email="x@example.org")
    db.session.add(application)
    with pytest.raises(Refused) as refused:
        save_answers(application, list(questions.values()), {"why": "Because.", "shift": "Evenings"})
    assert refused.value.field == name(questions["skills"]) and refused.value.message == "Answer this question"


def test_answer_rules_without_the_app():
    class Question:
        kind, label, required, options, max_chars, max_words = "long_text", "Why?", False, (), 20, 3

    assert check_answer(Question, "  a b c  ") == ("a b c", None)
    assert check_answer(Question, "a b c d") == ("a b c d", "Keep this under 3 words (you wrote 4)")
    assert check_answer(Question, "") == ("", None)
    assert limits_hint(Question) == "Up to 3 words and 20 characters."
    Question.kind, Question.options, Question.max_chars = "many_choices", ("A", "B", "C"), None
    assert check_answer(Question, ["C", "A", "A"]) == (["A", "C"], None)
    Question.kind, Question.max_words = "short_text", None
    assert check_answer(Question, "x" * 301)[1] == "Keep this under 300 characters (you wrote 301)"  # the default limit
