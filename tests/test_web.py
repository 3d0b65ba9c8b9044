"""The one request helper: ``portal.web.transaction`` commits, rolls back, and answers 409 and 422."""

from __future__ import annotations

from flask import render_template_string
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from sqlalchemy.orm.exc import StaleDataError
from wtforms import StringField

from portal.extensions import db
from portal.models import AuditEvent
from portal.services.audit import record_event
from portal.services.errors import Changed, Refused
from portal.web import transaction


class NoteForm(FlaskForm):
    note = StringField("Note")


PAGE = "{% for e in form.note.errors %}<p id=note-error>{{ e }}</p>{% endfor %}" \
       "{% for e in form.form_errors %}<p id=form-error>{{ e }}</p>{% endfor %}<p>events: {{ count }}</p>"


def audit_count() -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEvent))


def add_route(app, failure: Exception | None):
    """A view that records an event, then fails with ``failure`` (or not), inside one transaction()."""

    def view():
        form = NoteForm()

        def render(error):
            return render_template_string(PAGE, form=form, count=audit_count())

        with transaction(form, render=render):
            record_event("test.happened", target_type="test", target_id=None)
            db.session.flush()
            if failure is not None:
                raise failure
        return "done"

    app.add_url_rule("/_test/transaction", "test_transaction", view, methods=["POST"])


def test_the_work_of_a_view_is_committed_once_it_succeeds(app, client):
    add_route(app, None)
    response = client.post("/_test/transaction", data={"note": "x"})
    assert response.status_code == 200
    db.session.expire_all()
    assert audit_count() == 1


def test_any_other_exception_rolls_everything_back(app, client):
    app.config["PROPAGATE_EXCEPTIONS"] = False
    add_route(app, RuntimeError("boom"))
    response = client.post("/_test/transaction", data={"note": "x"})
    assert response.status_code == 500
    db.session.expire_all()
    assert audit_count() == 0


def test_a_refusal_is_a_422_with_its_message_beside_the_field_and_nothing_saved(app, client):
    add_route(app, Refused("Write a shorter note.", field="note"))
    response = client.post("/_test/transaction", data={"note": "x"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert '<p id=note-error>Write a shorter note.</p>' in html
    assert "events: 0" in html  # the page is drawn after the rollback, from the database as it is
    assert audit_count() == 0


def test_a_refusal_without_a_field_goes_at_the_top_of_the_form(app, client):
    add_route(app, Refused("This week is locked."))
    html = client.post("/_test/transaction").get_data(as_text=True)
    assert "<p id=form-error>This week is locked.</p>" in html


def test_someone_elses_change_is_a_409_with_the_page_shown_again(app, client):
    add_route(app, Changed("It is now approved. Nothing was changed."))
    response = client.post("/_test/transaction")
    assert response.status_code == 409
    assert "It is now approved. Nothing was changed." in response.get_data(as_text=True)
    assert audit_count() == 0


def test_a_row_changed_under_the_version_check_at_flush_is_a_409_too(app, client):
    add_route(app, StaleDataError("UPDATE statement on table expected to update 1 row(s); 0 were matched."))
    response = client.post("/_test/transaction")
    assert response.status_code == 409
    assert Changed.DEFAULT_MESSAGE in response.get_data(as_text=True)


def test_without_a_page_to_show_the_error_page_says_why_with_the_same_status(app, client):
    def view():
        with transaction():
            raise Refused("Only an admin can reopen an approved week.")

    app.add_url_rule("/_test/bare", "test_bare", view, methods=["POST"])
    response = client.post("/_test/bare")
    assert response.status_code == 422
    assert "Only an admin can reopen an approved week." in response.get_data(as_text=True)


def test_a_render_that_redirects_keeps_its_redirect(app, client):
    from flask import redirect

    def view():
        with transaction(render=lambda error: redirect("/")):
            raise Refused("No.")

    app.add_url_rule("/_test/redirect", "test_redirect", view, methods=["POST"])
    response = client.post("/_test/redirect")
    assert response.status_code == 302
