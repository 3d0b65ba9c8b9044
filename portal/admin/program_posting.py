"""Admin: the program's title, address, posting text (Markdown) and windows."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional, Regexp

from portal.admin.blueprint import bp
from portal.auth.permissions import admin_required
from portal.forms import WholeNumberField, strip
from portal.models import Program
from portal.rules.program_settings import MAX_BODY_CHARS, check_windows
from portal.services.decisions import places_taken
from portal.services.program_settings import PostingValues, update_posting
from portal.services.programs import program_for_admin_or_404
from portal.web import transaction

_DATE = "Enter a date, like 2026-08-01"


class NamedDateField(DateField):
    """A date field whose parse error says what to type."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(_DATE) from None


class PostingForm(FlaskForm):
    """The Posting tab: what applicants read, and when they can apply."""

    title = StringField(
        "Title", filters=[strip], validators=[InputRequired("Give the program a title"), Length(max=200)]
    )
    slug = StringField(
        "Address",
        filters=[strip],
        validators=[
            InputRequired("Give the program an address"),
            Length(max=80, message="Keep the address under 80 characters"),
            Regexp(r"^[a-z0-9]+(-[a-z0-9]+)*$", message="Use lower-case letters, digits and hyphens, like fall-2026"),
        ],
        description="The posting's web address: /programs/<address>. It cannot change once published.",
    )
    organisation = StringField(
        "Organisation unit", filters=[strip], validators=[InputRequired("Name the organisation unit"), Length(max=200)]
    )
    location = StringField("Location", filters=[strip], validators=[Optional(), Length(max=200)])
    summary = TextAreaField("Summary", filters=[strip], validators=[Optional(), Length(max=2000)])
    body = TextAreaField(
        "Posting text (Markdown)",
        validators=[
            Optional(),
            Length(
                max=MAX_BODY_CHARS,
                message=f"The posting text is limited to {MAX_BODY_CHARS:,} characters; shorten it and save again",
            ),
        ],
        description=f"Markdown: ## for a heading, * for a list, [text](https://…) for a link. "
        f"Up to {MAX_BODY_CHARS:,} characters.",
    )
    applications_open = NamedDateField("Applications open", validators=[InputRequired(_DATE)])
    applications_close = NamedDateField("Applications close", validators=[InputRequired(_DATE)])
    rolling = BooleanField("Rolling admission: applications are reviewed as they arrive, until the close date")
    start_window_start = NamedDateField("Earliest start date", validators=[InputRequired(_DATE)])
    start_window_end = NamedDateField("Latest start date", validators=[InputRequired(_DATE)])
    places = WholeNumberField("Places", validators=[InputRequired("Say how many places there are")])

    def values(self) -> PostingValues:
        return PostingValues(**{name: self[name].data for name in PostingValues.__dataclass_fields__})


def _check_together(form: PostingForm, program: Program) -> bool:
    errors = check_windows(
        applications_open=form.applications_open.data,
        applications_close=form.applications_close.data,
        start_window_start=form.start_window_start.data,
        start_window_end=form.start_window_end.data,
        places=form.places.data,
        places_taken=places_taken(program.id),
    )
    for name, message in errors.items():
        form[name].errors = [*form[name].errors, message]
    return not errors


def _page(program: Program, form: PostingForm, *, preview: bool):
    too_long = len(form.body.data or "") > MAX_BODY_CHARS
    return render_template(
        "admin/programs/posting.html", program=program, form=form, tab="posting", preview=preview and not too_long
    )


@bp.route("/programs/<int:program_id>/posting", methods=["GET", "POST"])
@admin_required
def program_posting(program_id: int):
    program = program_for_admin_or_404(program_id)
    form = PostingForm(obj=program)
    if program.slug_is_fixed:
        form.slug.render_kw = {"readonly": True}
    if request.method == "GET":
        return _page(program, form, preview=bool(program.body))
    valid = form.validate()
    valid = _check_together(form, program) and valid
    if not valid:
        return _page(program, form, preview=True), 422
    if request.form.get("action") == "preview":
        return _page(program, form, preview=True)
    with transaction(form, render=lambda error: _page(program, form, preview=True)):
        changed = update_posting(program, form.values(), actor=current_user)
    flash("Posting saved." if changed else "Nothing changed.", "success")
    return redirect(url_for("admin.program_posting", program_id=program.id))
