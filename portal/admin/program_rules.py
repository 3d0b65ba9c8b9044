"""Admin: the program's hours rules and stipend tiers, validated together."""

from __future__ import annotations

from datetime import date

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, FieldList, Form, FormField, StringField

from portal.admin.blueprint import bp
from portal.auth.permissions import admin_required
from portal.database import utcnow
from portal.forms import strip
from portal.models import Program
from portal.rules.program_settings import (
    RulesInput,
    TierRow,
    amount_text,
    check_rules,
    check_tiers,
    hours_text,
    pay_table,
)
from portal.services.program_settings import update_rules
from portal.services.programs import program_for_admin_or_404
from portal.web import transaction

#: Empty tier rows offered under the program's tiers, for adding new ones.
BLANK_TIER_ROWS = 3


class TierRowForm(Form):
    """One row of the tier editor: from this weekly average, this monthly amount."""

    from_hours = StringField("From hours a week", filters=[strip])
    amount = StringField("Monthly amount in dollars", filters=[strip])
    remove = BooleanField("Remove this tier")


class RulesForm(FlaskForm):
    """The Rules tab: the hours rules and the stipend tiers, checked together by portal.rules.program_settings."""

    weekly_min = StringField("Weekly minimum (hours)", filters=[strip])
    weekly_max = StringField("Weekly maximum (hours)", filters=[strip])
    daily_max = StringField("Daily maximum (hours)", filters=[strip])
    min_weeks = StringField("Minimum weeks", filters=[strip])
    stipend_threshold = StringField("Stipend eligibility (hours a week)", filters=[strip])
    tiers = FieldList(FormField(TierRowForm), min_entries=1, max_entries=40)

    def typed(self) -> RulesInput:
        rows = tuple(
            TierRow(row.from_hours.data or "", row.amount.data or "", bool(row.remove.data)) for row in self.tiers
        )
        return RulesInput(
            *(self[name].data or "" for name in ("weekly_min", "weekly_max", "daily_max", "min_weeks")),
            stipend_threshold=self.stipend_threshold.data or "",
            tiers=rows,
        )


def _initial(program: Program) -> dict:
    rules = program.rules()
    return {
        "weekly_min": hours_text(rules.min_week_minutes),
        "weekly_max": hours_text(rules.max_week_minutes),
        "daily_max": hours_text(rules.max_day_minutes),
        "min_weeks": str(rules.min_weeks),
        "stipend_threshold": hours_text(rules.stipend_min_week_minutes),
        "tiers": [
            {"from_hours": hours_text(t.min_average_minutes), "amount": amount_text(t.monthly_cents)}
            for t in rules.stipend_tiers
        ],
    }


def _show_errors(form: RulesForm, errors: dict[str, str]) -> list[tuple[str, str]]:
    """Each message beside its field; returns (field id, message) pairs for the error summary."""
    for name, message in errors.items():
        if name.startswith("tiers-"):
            _, index, part = name.split("-", 2)
            target = form.tiers[int(index)].form[part]
        else:
            target = form.tiers if name == "tiers" else form[name]
        target.errors = [*(target.errors if isinstance(target.errors, list) else []), message]
    return list(errors.items())


def _page(program: Program, form: RulesForm, problems: list[tuple[str, str]] | None = None):
    tiers, _ = check_tiers(form.typed().tiers)
    return render_template(
        "admin/programs/rules.html",
        program=program,
        form=form,
        tab="rules",
        problems=problems or [],
        pay=pay_table(tiers),
    )


@bp.route("/programs/<int:program_id>/rules", methods=["GET", "POST"])
@admin_required
def program_rules(program_id: int):
    program = program_for_admin_or_404(program_id)
    form = RulesForm() if request.method == "POST" else RulesForm(data=_initial(program))
    if request.method == "GET":
        for _ in range(BLANK_TIER_ROWS):
            form.tiers.append_entry()
        return _page(program, form)
    form.validate()  # the CSRF token; every value is checked together by check_rules
    parsed, errors = check_rules(form.typed())
    csrf = getattr(form, "csrf_token", None)
    if csrf is not None and csrf.errors:
        errors, csrf.errors = {**errors, "csrf_token": csrf.errors[0]}, []
    if errors or parsed is None:
        return _page(program, form, _show_errors(form, errors)), 422
    with transaction(form, render=lambda error: _page(program, form)):
        impact = update_rules(program, parsed, actor=current_user, today=date.today(), now=utcnow())
    flash(impact.message() if impact else "Nothing changed.", "success")
    return redirect(url_for("admin.program_rules", program_id=program.id))
