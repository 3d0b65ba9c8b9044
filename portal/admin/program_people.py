"""Admin: a program's reviewers and supervisors (the People tab): add active staff, remove them.

The same assignments the person page edits (admin/people.py), seen from the program's side.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import SelectChoice, SelectField
from wtforms.validators import InputRequired

from portal.admin.blueprint import bp
from portal.auth.permissions import admin_required
from portal.models import Program
from portal.services import staff
from portal.services.programs import program_for_admin_or_404
from portal.web import no_store, transaction


class AddPersonForm(FlaskForm):
    """One active staff member to add; someone no longer on offer is refused by the service."""

    person = SelectField("Person", coerce=str, validate_choice=False, validators=[InputRequired("Choose a person")])

    def offer(self, kind: staff.Assignment, people) -> AddPersonForm:
        self.person.label.text = f"Add a {kind.singular}"
        self.person.choices = [SelectChoice("", "Choose a person")] + [
            SelectChoice(str(user.id), f"{user.full_name or user.email} ({user.email})") for user in people
        ]
        return self

    def person_id(self) -> int | None:
        value = self.person.data or ""
        return int(value) if value.isascii() and value.isdigit() and len(value) < 10 else None


class RemoveForm(FlaskForm):
    """A Remove button: only the CSRF token; the button's value names the person."""


def _kind_or_404(kind: str) -> staff.Assignment:
    try:
        return staff.Assignment(kind)
    except ValueError:
        abort(404)


def _page(program: Program, forms: dict | None = None, problem: str | None = None):
    forms = forms or {}
    sections = []
    for kind in staff.Assignment:
        form = forms.get(kind) or AddPersonForm(formdata=None, prefix=kind.value)
        form.offer(kind, staff.addable_people(program, kind))
        sections.append((kind, staff.program_people(program, kind), form))
    return no_store(
        render_template(
            "admin/programs/people.html",
            program=program,
            tab="people",
            sections=sections,
            remove_form=RemoveForm(),
            problem=problem,
            has_errors=bool(problem) or any(form.errors for _, _, form in sections),
        )
    )


@bp.get("/programs/<int:program_id>/people")
@admin_required
def program_people(program_id: int):
    return _page(program_for_admin_or_404(program_id))


@bp.post("/programs/<int:program_id>/people/<kind>/add")
@admin_required
def program_people_add(program_id: int, kind: str):
    program = program_for_admin_or_404(program_id)
    assignment = _kind_or_404(kind)
    form = AddPersonForm(prefix=assignment.value)
    if not form.validate():
        return _page(program, {assignment: form}), 422
    if form.person_id() is None:
        form.person.errors.append("Choose a person from the list")
        return _page(program, {assignment: form}), 422
    with transaction(form, render=lambda error: _page(program_for_admin_or_404(program_id), {assignment: form})):
        message = staff.change_program_people(program, assignment, add=form.person_id(), actor=current_user)
    flash(message, "success")
    return redirect(url_for("admin.program_people", program_id=program_id) + f"#{assignment.value}")


@bp.post("/programs/<int:program_id>/people/<kind>/remove")
@admin_required
def program_people_remove(program_id: int, kind: str):
    program = program_for_admin_or_404(program_id)
    assignment = _kind_or_404(kind)
    value = request.form.get("remove", "")
    if not RemoveForm().validate() or not (value.isascii() and value.isdigit() and len(value) < 10):
        abort(400)
    with transaction(render=lambda error: _page(program_for_admin_or_404(program_id), problem=error.message)):
        message = staff.change_program_people(program, assignment, remove=int(value), actor=current_user)
    flash(message, "success")
    return redirect(url_for("admin.program_people", program_id=program_id) + f"#{assignment.value}")
