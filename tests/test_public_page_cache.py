"""A posting and its empty form are kept whole for visitors who are not signed in (portal/public/page_cache.py):
a repeat visit reads nothing from the database, yet each visitor gets their own form tokens, an admin's
change shows at once, signed-in people and waiting messages always get a fresh page, and a change made
elsewhere (another worker) shows once the kept copy is PUBLIC_PAGE_SECONDS old."""

from __future__ import annotations

import re

import pytest
from session_support import sign_in
from sqlalchemy import text
from test_progress import count_queries
from test_public_applications import post_application, question_fields

from portal.extensions import db
from portal.models import Application
from portal.public import page_cache

POSTING = "/programs/fall"
FORM = "/programs/fall/apply"


def hidden(html: str, name: str) -> str:
    return re.search(rf'name="{name}" type="hidden" value="([^"]*)"', html).group(1)


def test_a_repeat_visit_to_a_posting_or_form_reads_nothing_from_the_database(client, program):
    client.get("/")  # the connection pool warmed: connecting does not count
    for path in (POSTING, FORM):
        with count_queries() as first:
            drawn = client.get(path)
        with count_queries() as again:
            kept = client.get(path)
        assert drawn.status_code == kept.status_code == 200
        assert first and not again, path
        assert "Fall Organizing" in kept.text


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_each_visitor_of_the_kept_form_gets_their_own_tokens_and_can_send_it(app, program):
    fields = question_fields("fall")
    first, second = app.test_client(), app.test_client()
    one, other = first.get(FORM).text, second.get(FORM).text
    assert hidden(one, "csrf_token") != hidden(other, "csrf_token")
    assert hidden(one, "submission_key") != hidden(other, "submission_key")
    sent = post_application(
        second,
        fields=fields,
        csrf_token=hidden(other, "csrf_token"),
        submission_key=hidden(other, "submission_key"),
    )
    assert sent.status_code == 302 and sent.headers["Location"].endswith("/apply/submitted")
    assert db.session.query(Application).count() == 1


def test_an_admin_change_shows_to_visitors_at_once(client, program, admin):
    assert "Fall Organizing" in client.get(POSTING).text
    program.title = "Spring Organizing Internship"
    db.session.commit()  # as the admin's save does; this worker forgets its kept pages
    assert "Spring Organizing Internship" in client.get(POSTING).text
    assert "Spring Organizing Internship" in client.get(FORM).text


def test_signed_in_people_and_waiting_messages_get_a_freshly_drawn_page(client, app, program, admin):
    client.get(POSTING)  # kept for visitors
    staff = app.test_client()
    sign_in(staff, admin)
    with count_queries() as signed_in:
        staff.get(POSTING)
    assert signed_in

    visitor = app.test_client()
    with visitor.session_transaction() as session:
        session["_flashes"] = [("info", "Your private link is on its way.")]
    page = visitor.get(POSTING).text
    assert "Your private link is on its way." in page
    assert "Your private link is on its way." not in client.get(POSTING).text  # shown once, never kept


def test_a_change_made_elsewhere_shows_once_the_kept_page_is_old_enough(client, app, program, monkeypatch):
    now = [1000.0]
    monkeypatch.setattr(page_cache, "clock", lambda: now[0])
    assert "Fall Organizing" in client.get(POSTING).text
    with db.engine.begin() as connection:  # another worker's commit: this one hears nothing of it
        connection.execute(text("UPDATE programs SET title = 'Renamed Elsewhere' WHERE id = :id"), {"id": program.id})
    now[0] += app.config["PUBLIC_PAGE_SECONDS"] - 0.5
    assert "Renamed Elsewhere" not in client.get(POSTING).text
    now[0] += 1
    assert "Renamed Elsewhere" in client.get(POSTING).text


@pytest.mark.app_config(PUBLIC_PAGE_SECONDS=0)
def test_with_no_seconds_every_visit_draws_the_page(client, program):
    client.get(POSTING)
    with count_queries() as again:
        client.get(POSTING)
    assert again
