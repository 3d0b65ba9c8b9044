"""Admin: the list of programs and each program's life (create, publish, close, reopen, archive, clone)."""

from __future__ import annotations

from datetime import date

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import Length, Optional, Regexp

from portal.admin.blueprint import bp
from portal.admin.program_posting import NamedDateField, PostingForm
from portal.auth.permissions import admin_required
from portal.extensions import db
from portal.formatting import long_date
from portal.forms import page_number, strip
from portal.models import Program
from portal.public.postings import posting_page
from portal.rules.program_settings import check_windows
from portal.rules.program_states import TRANSITIONS, Action, actions_from, listed_status
from portal.services import program_lifecycle as lifecycle
from portal.services.errors import ServiceError
from portal.services.programs import program_for_admin_or_404
from portal.web import transaction

PROGRAMS_PER_PAGE = 50
_DATES = ("applications_open", "applications_close", "start_window_start", "start_window_end")


class NewProgramForm(FlaskForm):
    """A new draft: what it is called, where it lives, and (optionally) its dates."""

    title = PostingForm.title
    slug = StringField(
        "Address",
        filters=[strip],
        validators=[
            Optional(),
            Length(max=lifecycle.SLUG_MAX, message="Keep the address under 80 characters"),
            Regexp(lifecycle.SLUG_PATTERN, message="Use lower-case letters, digits and hyphens, like spring-2027"),
        ],
        description="The posting's web address, /programs/<address>. Left blank, it is made from the title. "
        "It can change until the program is published.",
    )
    organisation = PostingForm.organisation
    applications_open = NamedDateField("Applications open", validators=[Optional()])
    applications_close = NamedDateField("Applications close", validators=[Optional()])
    start_window_start = NamedDateField("Earliest start date", validators=[Optional()])
    start_window_end = NamedDateField("Latest start date", validators=[Optional()])

    def fill_defaults(self, today: date) -> None:
        """Blank dates take the defaults (open in 30 days, close in 60, start after); a blank address the title's."""
        for name, value in lifecycle.default_dates(today).items():
            if self[name].data is None and not self[name].errors:
                self[name].data = value
        if not self.slug.data and self.title.data:
            self.slug.data = lifecycle.slugify(self.title.data)

    def values(self) -> lifecycle.NewProgramValues:
        return lifecycle.NewProgramValues(
            **{name: self[name].data for name in lifecycle.NewProgramValues.__dataclass_fields__}
        )


class StateForm(FlaskForm):
    """The overview's buttons (and Clone): only the CSRF token; the button pressed names the action."""


def _windows_in_order(form: NewProgramForm) -> bool:
    errors = check_windows(**{name: form[name].data for name in _DATES}, places=None, places_taken=0)
    for name, message in errors.items():
        form[name].errors = [*form[name].errors, message]
    return not errors


@bp.get("/programs")
@admin_required
def programs():
    archived = request.args.get("archived") == "1"
    page = db.paginate(
        lifecycle.admin_programs_query(archived=archived),
        page=page_number(),
        error_out=False,
        per_page=PROGRAMS_PER_PAGE,
        max_per_page=PROGRAMS_PER_PAGE,
        count=True,
    )
    more = {"archived": "1"} if archived else {}
    return render_template(
        "admin/programs/list.html",
        program=None,
        tab="list",
        rows=lifecycle.program_rows(list(page.items), date.today()),
        archived=archived,
        archived_count=None if archived else lifecycle.archived_count(),
        page=page,
        next_url=url_for("admin.programs", page=page.next_num, **more) if page.has_next else None,
        prev_url=url_for("admin.programs", page=page.prev_num, **more) if page.has_prev else None,
    )


def _new_page(form: NewProgramForm):
    return render_template("admin/programs/new.html", program=None, tab="new", form=form)


@bp.route("/programs/new", methods=["GET", "POST"])
@admin_required
def program_new():
    today = date.today()
    if request.method == "GET":
        form = NewProgramForm(data={"organisation": current_app.config["ORGANISATION_NAME"]})
        form.fill_defaults(today)
        return _new_page(form)
    form = NewProgramForm()
    valid = form.validate()
    form.fill_defaults(today)
    if not (_windows_in_order(form) and valid):
        return _new_page(form), 422
    with transaction(form, render=lambda error: _new_page(form)):
        created = lifecycle.create_program(form.values(), actor=current_user)
    flash(
        f"Draft created at /programs/{created.slug}. Write its posting, add a rubric criterion, then publish it.",
        "success",
    )
    return redirect(url_for("admin.program", program_id=created.id))


def _overview(program: Program, error: ServiceError | None = None):
    today = date.today()
    return render_template(
        "admin/programs/overview.html",
        program=program,
        tab="overview",
        form=StateForm(),
        status=listed_status(program.state, today, program.applications_open, program.applications_close),
        figures=lifecycle.program_figures([program.id])[program.id],
        missing=lifecycle.checklist(program, today),
        transitions=actions_from(program.state),
        error=error,
    )


@bp.get("/programs/<int:program_id>")
@admin_required
def program(program_id: int):
    return _overview(program_for_admin_or_404(program_id))


@bp.post("/programs/<int:program_id>/state")
@admin_required
def program_state(program_id: int):
    program = program_for_admin_or_404(program_id)
    form = StateForm()
    if not form.validate() or request.form.get("action") not in TRANSITIONS:
        abort(400)
    action = Action(request.form["action"])
    with transaction(render=lambda error: _overview(program_for_admin_or_404(program_id), error)):
        lifecycle.change_state(program, action, actor=current_user, today=date.today())
    flash(TRANSITIONS[action].done, "success")
    return redirect(url_for("admin.program", program_id=program.id))


@bp.get("/programs/<int:program_id>/preview")
@admin_required
def program_preview(program_id: int):
    return posting_page(program_for_admin_or_404(program_id), preview=True)


@bp.post("/programs/<int:program_id>/clone")
@admin_required
def program_clone(program_id: int):
    source = program_for_admin_or_404(program_id)
    if not StateForm().validate():
        abort(400)
    with transaction():
        copy = lifecycle.clone_program(source, actor=current_user, today=date.today())
    flash(
        f"“{copy.title}” is a new draft with {source.title}’s posting, rules, rubric, categories and questions. "
        f"Its applications open {long_date(copy.applications_open)}, after the original's close; "
        "set its dates for the next term and check the posting text, then publish it.",
        "success",
    )
    return redirect(url_for("admin.program_posting", program_id=copy.id))
