"""Applying, the private status page, withdrawal, data deletion and the "lost your link?" form."""

from __future__ import annotations

import secrets
from datetime import date

from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from werkzeug.exceptions import RequestEntityTooLarge

from portal.database import forget_deleted_text, utcnow
from portal.extensions import limiter
from portal.models import Application, Program
from portal.public.blueprint import bp
from portal.public.empty_form import empty_form_html, fill_form_tokens
from portal.public.forms import (
    ApplicationForm,
    ConfirmForm,
    LostLinkForm,
    application_form,
    self_identification_questions,
)
from portal.public.page_cache import public_page
from portal.rules.availability import WindowState
from portal.rules.pipeline import applicant_can_delete_data, applicant_can_withdraw
from portal.rules.program_states import closed_early, posting_window
from portal.services import applicant_data
from portal.services import applications as service
from portal.services.programs import find_program, program_or_404
from portal.services.uploads import UploadRejected, check_resume, resume_path
from portal.web import no_store, sandboxed_attachment, transaction

SUBMIT_LIMIT = "5 per minute;20 per hour"
LINK_LIMIT = "5 per 15 minutes"
SUBMITTED_SESSION_KEY = "submitted_program"
#: At the top of the form sent back when its CSRF token had expired (or was missing): nothing was stored.
FORM_EXPIRED_MESSAGE = (
    "This form was open too long, so for your safety it was not sent. Your answers are still here: "
    "check them, choose your resume file again, and send it."
)


def _application_or_404(token: str) -> Application:
    application = service.find_by_status_token(token)
    if application is None or application.data_deleted_at is not None:
        abort(404)
    return application


def _render_form(program: Program, form: ApplicationForm, file_again: bool = False) -> str:
    if not form.submission_key.data:
        form.submission_key.data = secrets.token_urlsafe(24)
    rules = program.rules()
    return render_template("public/apply.html", program=program, form=form, rules=rules, file_again=file_again)


def _render_empty_form(program: Program, questions: list) -> str:
    """The empty form's page with placeholders for this request's tokens (``fill_form_tokens``); the form's
    markup is drawn once per program version."""

    def draw(form: ApplicationForm) -> str:
        return render_template("public/_application_form.html", program=program, form=form, rules=program.rules())

    form_html = empty_form_html(program, questions, draw, keep_placeholders=True)
    return render_template("public/apply.html", program=program, form_html=form_html)


def _closed_page(program: Program, today: date) -> str | None:
    """Why one cannot apply to ``program`` today (not open yet, closed), or None while it is open."""
    window = posting_window(program.state, today, program.applications_open, program.applications_close)
    if window is WindowState.OPEN:
        return None
    early = closed_early(program.state, today, program.applications_close)
    return render_template("public/apply_closed.html", program=program, window=window, closed_early=early)


def _apply_page(slug: str) -> str:
    """What ``GET /programs/<slug>/apply`` shows: the empty form (with placeholders), or why one cannot apply."""
    program = program_or_404(slug)
    return _closed_page(program, date.today()) or _render_empty_form(program, program.active_questions())


def _checked_resume(form: ApplicationForm):
    """The attached resume checked by its bytes, or None with the reason beside the field."""
    if not form.resume.data or form.resume.errors:
        return None
    filename = form.resume.data.filename or ""
    if "\x00" in filename:  # no text column holds it (PostgreSQL refuses it): say so rather than fail later
        form.resume.errors = ["The file name contains a null character. Rename the file and attach it again."]
        return None
    try:
        return check_resume(form.resume.data.stream, filename)
    except UploadRejected as problem:
        form.resume.errors = [*form.resume.errors, str(problem)]
        return None


#: The form's address answers both: ``apply`` shows it (kept whole, page_cache) and ``send_application``,
#: rate-limited, takes what is sent (the limiter costs a page view nothing this way).
APPLY_ENDPOINTS = frozenset({"public.apply", "public.send_application"})


@bp.get("/programs/<slug>/apply")
def apply(slug: str):
    return public_page("apply", slug, lambda: _apply_page(slug), fill=fill_form_tokens)


@bp.post("/programs/<slug>/apply")
@limiter.limit(SUBMIT_LIMIT)
def send_application(slug: str):
    program = program_or_404(slug)
    today = date.today()
    closed = _closed_page(program, today)
    if closed is not None:
        return closed
    questions = program.active_questions()
    form = application_form(questions)
    # A repeated POST of the same rendered form (a double click) lands on the same confirmation: the
    # service finds the application it made (``submission_key``) and makes no other.
    valid = form.validate_with_rules(program.rules())
    resume = _checked_resume(form)
    if not valid or form.resume.errors:
        return _render_form(program, form, file_again=True), 422
    with transaction(form, render=lambda error: _render_form(program, form, file_again=True)):
        service.submit_application(
            program,
            form.application_answers(),
            resume,
            form.self_identification(),
            submission_key=form.submission_key.data,
            today=today,
            questions=questions,
            question_values=form.question_values(),
        )
    # ``slug`` (the address it was sent to, the program's own) rather than ``program.slug``: after the commit
    # reading the program would load it again.
    session[SUBMITTED_SESSION_KEY] = slug
    return redirect(url_for("public.submitted", slug=slug))


@bp.get("/programs/<slug>/apply/submitted")
def submitted(slug: str):
    program = program_or_404(slug)
    if session.get(SUBMITTED_SESSION_KEY) != slug:
        return redirect(url_for("public.posting", slug=slug))
    return render_template("public/submitted.html", program=program)


@bp.get("/status/<token>")
def status(token: str):
    application = _application_or_404(token)
    return no_store(
        render_template(
            "public/status.html",
            application=application,
            program=application.program,
            events=service.timeline(application),
            token=token,
            can_withdraw=applicant_can_withdraw(application.status),
            can_delete=applicant_can_delete_data(application.status),
        )
    )


def _confirmed_step(token: str, *, allowed, refusal: str, template: str, act, done):
    """Withdraw and delete share one shape: check it is allowed, ask to confirm, act, say so."""
    application = _application_or_404(token)
    if not allowed(application.status):
        flash(refusal, "error")
        return redirect(url_for("public.status", token=token))
    form = ConfirmForm()
    if form.validate_on_submit():
        with transaction():
            act(application)
        return done()
    return no_store(
        render_template(template, application=application, program=application.program, form=form, token=token)
    )


@bp.route("/status/<token>/withdraw", methods=["GET", "POST"])
def withdraw(token: str):
    def done():
        flash("Your application is withdrawn. We have emailed you a confirmation.", "success")
        return redirect(url_for("public.status", token=token))

    return _confirmed_step(
        token,
        allowed=applicant_can_withdraw,
        refusal="This application can no longer be withdrawn.",
        template="public/withdraw.html",
        act=service.withdraw_application,
        done=done,
    )


@bp.route("/status/<token>/delete", methods=["GET", "POST"])
def delete_data(token: str):
    return _confirmed_step(
        token,
        allowed=applicant_can_delete_data,
        refusal="You can delete your data after you withdraw or once we have decided.",
        template="public/delete.html",
        act=service.delete_applicant_data,
        done=_data_deleted,
    )


def _data_deleted():
    """The deletion has committed: empty SQLite's WAL of the deleted text too, then say it is done."""
    forget_deleted_text()
    return redirect(url_for("public.data_deleted"))


@bp.get("/status/<token>/my-data.json")
def download_data(token: str):
    """Download my data: the application, answers, self-identification and timeline as a JSON file."""
    application = _application_or_404(token)
    now = utcnow()
    filename = f"my-application-{application.program.slug}-{now.date().isoformat()}.json"
    with transaction():
        data = applicant_data.download_my_data(application, self_id_questions=self_identification_questions(), now=now)
    response = current_app.response_class(applicant_data.as_json(data), mimetype="application/json")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return no_store(response)


@bp.get("/status/<token>/my-resume")
def download_resume(token: str):
    """The applicant's own resume back, byte for byte (not while it waits for, or failed, the virus check)."""
    application = _application_or_404(token)
    resume = application.resume
    if resume is None or resume.withheld_because:
        abort(404)
    path = resume_path(resume, current_app.config["UPLOAD_FOLDER"])
    if not path.is_file():
        abort(404)
    return sandboxed_attachment(path, mimetype=resume.content_type, download_name=resume.original_name)


@bp.get("/status/deleted")
def data_deleted():
    return render_template("public/data_deleted.html")


@bp.route("/status/lost-link", methods=["GET", "POST"])
@limiter.limit(LINK_LIMIT, methods=["POST"])
def lost_link():
    form = LostLinkForm()
    if form.validate_on_submit():
        with transaction():
            service.resend_status_links(form.email.data)
        return redirect(url_for("public.lost_link_sent"))
    return render_template("public/lost_link.html", form=form), 422 if form.errors else 200


@bp.get("/status/lost-link/sent")
def lost_link_sent():
    return render_template("public/lost_link_sent.html")


def application_form_kept():
    """An application sent with an expired or missing CSRF token: the form again with what was typed and a
    message (the app's CSRF error handler calls this for ``APPLY_ENDPOINTS``); None when the form is not open."""
    program = find_program(request.view_args["slug"])
    if program is None:
        return None
    window = posting_window(program.state, date.today(), program.applications_open, program.applications_close)
    if window is not WindowState.OPEN:
        return None
    form = application_form(program.active_questions())  # filled from the request: nothing was validated
    form.form_errors.append(FORM_EXPIRED_MESSAGE)
    return _render_form(program, form, file_again=True), 400


FILE_TOO_LARGE_MESSAGE = "This file is larger than 5 MB. Attach a smaller PDF or Word file."
ANSWER_TOO_LONG_MESSAGE = (
    "One of the answers was far too long to read (megabytes of text), so nothing was kept. "
    "Fill in the form again with shorter answers."
)


@bp.app_errorhandler(RequestEntityTooLarge)
def request_too_large(error):
    """A file far over the limit never reaches the form: answer with the form and a clear message."""
    program = find_program(request.view_args["slug"]) if request.endpoint in APPLY_ENDPOINTS else None
    if program is None:
        return render_template("errors/413.html"), 413
    form = application_form(program.active_questions(), formdata=None)
    if (request.content_length or 0) > (current_app.config.get("MAX_CONTENT_LENGTH") or 0):
        form.resume.errors = [FILE_TOO_LARGE_MESSAGE]
    else:  # under the request limit: a text answer over the form-memory limit (megabytes of text)
        form.form_errors.append(ANSWER_TOO_LONG_MESSAGE)
    return _render_form(program, form, file_again=True), 413
