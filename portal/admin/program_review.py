"""Admin: the rubric, blind review and retention of a program (the Review and privacy tab)."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from portal.admin.blueprint import bp
from portal.admin.list_tabs import ListTab, editing_item, item_action, save_item
from portal.auth.permissions import admin_required
from portal.forms import WholeNumberField, strip
from portal.models import Program
from portal.rules.ordered_items import MAX_NAME_CHARS
from portal.services import ordered_items, rubric
from portal.services.programs import program_for_admin_or_404
from portal.web import transaction

_MONTHS = f"Enter a whole number of months from {rubric.MIN_RETENTION_MONTHS} to {rubric.MAX_RETENTION_MONTHS}"


class CriterionForm(FlaskForm):
    """One rubric criterion: what reviewers score from 1 to 5."""

    name = StringField(
        "Criterion name",
        filters=[strip],
        validators=[
            InputRequired("Give the criterion a name"),
            Length(max=MAX_NAME_CHARS, message=f"Keep the name under {MAX_NAME_CHARS} characters"),
        ],
    )
    description = TextAreaField(
        "Description",
        filters=[strip],
        validators=[Optional(), Length(max=2000, message="Keep the description under 2,000 characters")],
        description="What reviewers look for; shown beside the score.",
    )


class ReviewSettingsForm(FlaskForm):
    """Blind review and how long declined and withdrawn applications are kept."""

    blind_review = BooleanField("Blind review")
    retention_months = WholeNumberField(
        "Keep declined and withdrawn applications for (months)",
        parse_message=_MONTHS,
        validators=[InputRequired(_MONTHS)],
        description="After this many months their answers and resumes are deleted (1 to 120).",
    )

    def validate_retention_months(self, field: WholeNumberField) -> None:
        in_range = rubric.MIN_RETENTION_MONTHS <= (field.data or 0) <= rubric.MAX_RETENTION_MONTHS
        if field.data is not None and not in_range:
            raise ValidationError(_MONTHS)


def _page(program: Program, *, item_form=None, editing=None, problem=None, settings_form=None):
    if item_form is None:
        item_form = CriterionForm(formdata=None, obj=editing)
    return render_template(
        "admin/programs/review.html",
        program=program,
        tab="review",
        item_form=item_form,
        editing=editing,
        problem=problem,
        settings_form=settings_form or ReviewSettingsForm(formdata=None, obj=program),
        activity=rubric.review_activity(program),
        uses=ordered_items.use_counts(rubric.RUBRIC, program),
        list_tab=RUBRIC_TAB,
    )


RUBRIC_TAB = ListTab(
    endpoint="admin.program_review",
    save_endpoint="admin.program_criterion_save",
    action_endpoint="admin.program_criterion_action",
    anchor="rubric",
    kind=rubric.RUBRIC,
    form=CriterionForm,
    page=_page,
)


@bp.get("/programs/<int:program_id>/review")
@admin_required
def program_review(program_id: int):
    program = program_for_admin_or_404(program_id)
    return _page(program, editing=editing_item(RUBRIC_TAB, program))


@bp.post("/programs/<int:program_id>/review/criteria", defaults={"item_id": None})
@bp.post("/programs/<int:program_id>/review/criteria/<int:item_id>")
@admin_required
def program_criterion_save(program_id: int, item_id: int | None):
    return save_item(RUBRIC_TAB, program_id, item_id)


@bp.post("/programs/<int:program_id>/review/criteria/<int:item_id>/<action>")
@admin_required
def program_criterion_action(program_id: int, item_id: int, action: str):
    return item_action(RUBRIC_TAB, program_id, item_id, action)


@bp.post("/programs/<int:program_id>/review/settings")
@admin_required
def program_review_settings(program_id: int):
    program = program_for_admin_or_404(program_id)
    form = ReviewSettingsForm()
    if not form.validate():
        return _page(program, settings_form=form), 422
    with transaction(form, render=lambda error: _page(program, settings_form=form)):
        change = rubric.update_review_settings(
            program,
            blind_review=bool(form.blind_review.data),
            retention_months=form.retention_months.data,
            actor=current_user,
        )
    flash(change.message(), "success")
    return redirect(url_for("admin.program_review", program_id=program.id) + "#settings")
