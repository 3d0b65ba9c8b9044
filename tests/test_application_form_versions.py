"""The empty application form is drawn once per program version (portal.public.empty_form): what the admin
changes shows on the form at once, each visitor still gets their own tokens, and the markup is the full one."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from documents import MINIMAL_PDF
from factories import ApplicationQuestionFactory, ProgramFactory, add_demo_questions
from session_support import sign_in
from test_admin_program_posting import form_of
from test_admin_program_rules import DEFAULT_FORM
from test_progress import count_queries, parse, texts
from test_public_applications import form_data, question_fields

from portal.extensions import db
from portal.formatting import long_date
from portal.models import QuestionKind
from portal.public.applications import _render_form
from portal.public.forms import application_form


def form_url(program) -> str:
    return f"/programs/{program.slug}/apply"


def form_page(client, program):
    response = client.get(form_url(program))
    assert response.status_code == 200
    return parse(response.data)


def labels(page) -> list[str]:
    """The labels and legends of the program's own questions, in the form's order."""
    return texts(page, "[aria-labelledby=section-questions] .field > :is(label, legend)")


def hidden_value(html: str, name: str) -> str:
    return re.search(rf'name="{name}" type="hidden" value="([^"]*)"', html).group(1)


def without_tokens(html: str) -> str:
    return re.sub(r'(name="(?:csrf_token|submission_key)" type="hidden" value=)"[^"]*"', r'\1"…"', html)


def test_a_question_the_admin_adds_edits_or_retires_shows_on_the_form_at_once(client, admin, program):
    sign_in(client, admin)
    assert form_page(client, program).query("#section-questions") is None  # drawn and kept without questions

    client.post(f"/admin/programs/{program.id}/questions", data={"kind": "short_text", "label": "Your neighbourhood"})
    assert labels(form_page(client, program)) == ["Your neighbourhood (optional)"]

    [question] = program.active_questions()
    client.post(
        f"/admin/programs/{program.id}/questions/{question.id}",
        data={"kind": "long_text", "label": "Your street", "required": "y", "max_words": "50"},
    )
    page = form_page(client, program)
    assert labels(page) == ["Your street"]
    assert page.query(f"#q_{question.id}").local_name == "textarea"
    assert "Up to 50 words." in " ".join(texts(page, f"#q_{question.id}-hint"))

    client.post(f"/admin/programs/{program.id}/questions/{question.id}/retire")
    assert form_page(client, program).query("#section-questions") is None


def test_the_posting_window_and_rules_the_admin_saves_show_on_the_form_at_once(client, admin, program, today):
    sign_in(client, admin)
    page = form_page(client, program)
    assert texts(page, "h1") == ["Apply for Fall Organizing"]

    close = program.applications_close + timedelta(days=9)
    saved = client.post(
        f"/admin/programs/{program.id}/posting",
        data=form_of(program, title="Fall Organizing 2027", applications_close=close.isoformat()),
    )
    assert saved.status_code == 302
    page = form_page(client, program)
    assert texts(page, "h1") == ["Apply for Fall Organizing 2027"]
    assert f"Applications are open until {long_date(close)}." in " ".join(texts(page, ".lead"))

    client.post(f"/admin/programs/{program.id}/rules", data={**DEFAULT_FORM, "min_weeks": "14"})
    assert texts(form_page(client, program), "#weeks_available-hint") == ["The internship lasts at least 14 weeks."]

    yesterday = today - timedelta(days=1)
    client.post(
        f"/admin/programs/{program.id}/posting",
        data=form_of(program, applications_open=(today - timedelta(days=30)).isoformat(),
                     applications_close=yesterday.isoformat()),
    )  # fmt: skip
    page = form_page(client, program)
    assert texts(page, "h1") == ["Applications are closed"] and page.query("form.application-form") is None


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_each_visitor_gets_their_own_tokens_and_the_form_sends(app, program):
    add_demo_questions(program)
    db.session.commit()
    first, second = app.test_client(), app.test_client()
    first_html = first.get(form_url(program)).get_data(as_text=True)
    second_html = second.get(form_url(program)).get_data(as_text=True)  # the kept drawing, filled for this visitor

    assert hidden_value(first_html, "submission_key") != hidden_value(second_html, "submission_key")
    assert hidden_value(first_html, "csrf_token") != hidden_value(second_html, "csrf_token")
    fields = question_fields(program.slug)
    data = {fields.get(name, name): value for name, value in form_data().items()}
    data.update(csrf_token=hidden_value(second_html, "csrf_token"), resume=(io.BytesIO(MINIMAL_PDF), "cv.pdf"))
    data["submission_key"] = hidden_value(second_html, "submission_key")
    sent = second.post(form_url(program), data=data, content_type="multipart/form-data")
    assert sent.status_code == 302 and sent.headers["Location"].endswith("/apply/submitted")


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_the_kept_empty_form_is_the_markup_the_form_draws_in_full(app, client, program):
    add_demo_questions(program)
    db.session.commit()
    missed = client.get(form_url(program)).get_data(as_text=True)
    kept = client.get(form_url(program)).get_data(as_text=True)
    with app.test_request_context(form_url(program)):
        full = _render_form(program, application_form(program.active_questions(), formdata=None))

    assert without_tokens(missed) == without_tokens(kept) == without_tokens(full)
    assert 'aria-describedby="hours_per_week-hint"' in kept and "(optional)" in kept  # the accessible markup


@pytest.mark.app_config(PUBLIC_PAGE_SECONDS=0)  # the drawing's own queries: no whole page kept (page_cache)
def test_the_form_runs_the_same_few_queries_however_many_questions(app, client):
    one, many = ProgramFactory(), ProgramFactory()
    ApplicationQuestionFactory(program=one)
    for position in range(12):
        ApplicationQuestionFactory(program=many, kind=QuestionKind.ONE_CHOICE, options=["A", "B"], position=position)
    db.session.commit()
    one_url, many_url = form_url(one), form_url(many)
    client.get("/")  # warm the connection pool so connecting does not count

    with count_queries() as first_visit:  # the form drawn
        assert client.get(many_url).status_code == 200
    with count_queries() as one_question:
        assert client.get(one_url).status_code == 200
    with count_queries() as twelve_questions:  # the drawing kept
        page = parse(client.get(many_url).data)

    assert len(labels(page)) == 12
    assert len(twelve_questions) == len(one_question) == len(first_visit) <= 3
