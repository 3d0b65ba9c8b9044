"""How a view changes data: one ``transaction()`` commits, rolls back and answers the services' errors.

Modelled on Indico's ``RH.process``: a view loads, checks permission, validates the form, then runs
the service inside ``with transaction(...)``. On success the block commits once; on any exception it
rolls back. A ``Refused`` or ``Changed`` (and SQLAlchemy's ``StaleDataError``, a row changed under a
version check at flush) is put beside its form field or at the top of the form, and ``render`` shows
the page again from the database as it is now, with 422 or 409. Without ``render`` the error reaches
the app's error pages, which show its message with the same status.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from flask import abort, current_app, has_request_context, make_response, send_file, url_for
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm
from sqlalchemy.orm.exc import StaleDataError

from portal.extensions import db
from portal.services.errors import Changed, ServiceError
from portal.services.spreadsheets import rows_to_csv

Render = Callable[[ServiceError], ResponseReturnValue]


@contextmanager
def transaction(form: FlaskForm | None = None, *, render: Render | None = None) -> Iterator[None]:
    """Commit the block's work, or roll it back and answer a service's refusal (see the module doc)."""
    try:
        yield
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        _answer(Changed(), form, render)
    except ServiceError as error:
        db.session.rollback()
        _answer(error, form, render)
    except BaseException:
        db.session.rollback()
        raise


def _answer(error: ServiceError, form: FlaskForm | None, render: Render | None) -> None:
    if form is not None:
        show_beside_field(form, error)
    if render is None:
        raise error
    response = make_response(render(error))
    if response.status_code < 300:  # a redirect (with a flashed message) stays a redirect
        response.status_code = error.status_code
    abort(response)


def show_beside_field(form: FlaskForm, error: ServiceError) -> None:
    """A service's message beside the field it names, or at the top of the form."""
    target = getattr(form, error.field, None) if error.field else None
    if target is not None and hasattr(target, "errors"):
        target.errors = [*target.errors, error.message]
    else:
        form.form_errors.append(error.message)


def no_store(response):
    """Personal data (applicants', interns'): never kept in a shared or browser cache."""
    response = make_response(response)
    response.headers["Cache-Control"] = "no-store"
    return response


def csv_download(rows: Iterable[Sequence[str]], name: str):
    """A CSV file of rows already made formula-safe, as a no-store attachment named ``name``.csv."""
    response = current_app.response_class(rows_to_csv(rows), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return no_store(response)


def sandboxed_attachment(path: Path, *, mimetype: str, download_name: str):
    """An uploaded file (a resume) as a no-store attachment; opened in the browser anyway (a PDF viewer, a
    mistaken click), it runs in an opaque origin: no scripts, no cookies, no forms."""
    response = no_store(send_file(path, mimetype=mimetype, as_attachment=True, download_name=download_name))
    response.headers["Content-Security-Policy"] = "sandbox; default-src 'none'"
    return response


def absolute_url(endpoint: str, **values: object) -> str:
    """An absolute link for an email or a printed page, at ``PUBLIC_URL``; inside a request or outside one
    (the reminders command)."""
    if has_request_context():
        path = url_for(endpoint, **values)
    else:
        path = current_app.url_map.bind("localhost").build(endpoint, values)
    return str(current_app.config["PUBLIC_URL"]).rstrip("/") + path
