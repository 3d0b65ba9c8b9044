"""An application form open too long (issue 12, point 8): it comes back with the answers, not an error page."""

from __future__ import annotations

import io
import re
import time

import pytest
from documents import MINIMAL_PDF
from factories import add_demo_questions
from sqlalchemy import func, select
from test_public_applications import form_data, question_fields

from portal.extensions import db
from portal.models import Application
from portal.public.applications import FORM_EXPIRED_MESSAGE

pytestmark = pytest.mark.app_config(WTF_CSRF_ENABLED=True, WTF_CSRF_TIME_LIMIT=1)


@pytest.fixture
def apply_url(program) -> str:
    add_demo_questions(program)
    db.session.commit()
    return f"/programs/{program.slug}/apply"


def csrf_token(html: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


def send(client, url: str, **overrides):
    fields = question_fields("fall")
    data = {fields.get(name, name): value for name, value in form_data(**overrides).items()}
    return client.post(url, data=data, content_type="multipart/form-data")


def applications() -> int:
    return db.session.scalar(select(func.count()).select_from(Application))


def assert_form_came_back_with_the_answers(response) -> str:
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert FORM_EXPIRED_MESSAGE in html
    summary = html.index('class="error-summary"')
    assert summary < html.index('id="full_name"')  # the message is at the top, before the first field
    assert 'value="Ana Reyes"' in html and 'value="Ana.Reyes@Example.org"' in html
    assert "I organise tenants in my building." in html  # a long answer, in its text area
    assert any("checked" in tag for tag in re.findall(r'<input[^>]*value="student"[^>]*>', html))  # a radio
    assert "please attach your resume again" in html
    assert applications() == 0
    return html


def test_an_expired_token_brings_the_form_back_with_the_answers_and_then_it_sends(client, apply_url):
    token = csrf_token(client.get(apply_url).get_data(as_text=True))
    time.sleep(2.1)  # longer than WTF_CSRF_TIME_LIMIT
    html = assert_form_came_back_with_the_answers(send(client, apply_url, csrf_token=token))

    fresh = csrf_token(html)
    again = send(client, apply_url, csrf_token=fresh, resume=(io.BytesIO(MINIMAL_PDF), "Ana Reyes CV.pdf"))
    assert again.status_code == 302 and again.headers["Location"].endswith("/apply/submitted")
    assert applications() == 1


@pytest.mark.parametrize("token", [None, "tampered.token.value"])
def test_a_missing_or_tampered_token_brings_the_form_back_too(client, apply_url, token):
    client.get(apply_url)
    overrides = {"csrf_token": token} if token else {}
    assert_form_came_back_with_the_answers(send(client, apply_url, **overrides))


def test_a_form_sent_after_the_session_ended_brings_the_form_back(client, apply_url):
    token = csrf_token(client.get(apply_url).get_data(as_text=True))
    client.delete_cookie("session")  # the browser dropped the session cookie (closed, or cleared)
    assert_form_came_back_with_the_answers(send(client, apply_url, csrf_token=token))


def test_other_forms_keep_the_error_page(client, apply_url):
    response = client.post("/status/lost-link", data={"email": "ana@example.org"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert FORM_EXPIRED_MESSAGE not in html and "CSRF token is missing" in html
