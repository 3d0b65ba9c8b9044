"""The empty application form, drawn once per program version and filled per request.

Drawing the form's fields with WTForms widgets is most of the form page's cost, yet the empty form is the
same for every visitor of a program: only the CSRF token and the submission key differ. So its markup is
drawn once, with a placeholder for each, and kept per app under the program's *version*: every column of
the program and of its active questions (plus where the app is mounted). An admin's edit of the posting,
the window, the rules or a question changes the version, so the next visitor gets a fresh drawing, in
every worker and on every instance, with nothing to invalidate. A form with errors or kept answers is
drawn in full each time (``portal.public.applications._render_form``).

The template drawn here (``public/_application_form.html``) must read only the program's columns, its
active questions and the ``rules`` the columns give (not its stipend tiers, which the version leaves out).
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable

from flask import current_app, request
from markupsafe import Markup, escape

from portal.models import ApplicationQuestion, Program
from portal.public.forms import ApplicationForm, application_form
from portal.sessions import csrf_token

#: Program versions kept per app (a drawing is about 20 kB); the oldest is dropped first.
MAX_VERSIONS = 64
_CSRF_PLACEHOLDER = f"csrf-{secrets.token_hex(16)}"
_KEY_PLACEHOLDER = f"key-{secrets.token_hex(16)}"


class _Drawings:
    """One app's drawings by program version (a bounded dict; the lock keeps eviction safe under threads)."""

    def __init__(self) -> None:
        self.by_version: dict[tuple, str] = {}
        self.lock = threading.Lock()

    def keep(self, version: tuple, html: str) -> None:
        with self.lock:
            while len(self.by_version) >= MAX_VERSIONS:
                del self.by_version[next(iter(self.by_version))]
            self.by_version[version] = html


def _drawings() -> _Drawings:
    return current_app.extensions.setdefault("empty_application_forms", _Drawings())


def _columns(row, columns) -> tuple:
    return tuple(_hashable(getattr(row, column.key)) for column in columns)


def _hashable(value):
    return tuple(value) if isinstance(value, list) else value


def form_version(program: Program, questions: list[ApplicationQuestion]) -> tuple:
    """Everything the empty form's markup depends on: the program's and its active questions' columns, the
    app's mount point and whether CSRF tokens are on."""
    question_columns = ApplicationQuestion.__table__.columns
    return (
        request.script_root,
        bool(current_app.config.get("WTF_CSRF_ENABLED", True)),
        _columns(program, Program.__table__.columns),
        tuple(_columns(question, question_columns) for question in questions),
    )


def empty_form_html(
    program: Program,
    questions: list[ApplicationQuestion],
    draw: Callable[[ApplicationForm], str],
    *,
    keep_placeholders: bool = False,
) -> Markup:
    """The empty form for ``program`` with this request's CSRF token and a fresh submission key; ``draw``
    renders a form's markup and runs only the first time a program version is asked for. With
    ``keep_placeholders`` the page that shows it is kept whole (``portal.public.page_cache``) and filled
    per request by ``fill_form_tokens``."""
    drawings = _drawings()
    version = form_version(program, questions)
    html = drawings.by_version.get(version)
    if html is None:
        html = _draw_with_placeholders(questions, draw)
        drawings.keep(version, html)
    # Not an XSS (ruff S704, bandit B704): the markup is the form template's, drawn just above.
    return Markup(html if keep_placeholders else fill_form_tokens(html))  # noqa: S704  # nosec B704


def fill_form_tokens(html: str) -> str:
    """A page holding the empty form's placeholders with this request's CSRF token and a new submission key
    (a page without them comes back as it is)."""
    if _CSRF_PLACEHOLDER in html:
        html = html.replace(_CSRF_PLACEHOLDER, escape(csrf_token()))
    return html.replace(_KEY_PLACEHOLDER, secrets.token_urlsafe(24))


def _draw_with_placeholders(questions: list[ApplicationQuestion], draw: Callable[[ApplicationForm], str]) -> str:
    form = application_form(questions, formdata=None)
    if getattr(form, "csrf_token", None) is not None:
        form.csrf_token.current_token = _CSRF_PLACEHOLDER
    form.submission_key.data = _KEY_PLACEHOLDER
    return str(draw(form))
