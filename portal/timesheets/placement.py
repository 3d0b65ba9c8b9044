"""Managing a placement (``/hours/placements/<id>/manage``): change its terms, extend it, end it, and
resend the intern's invitation or show a fresh link to copy.

For admins and the program's supervisors (``Placement.can_manage``); anyone else, the intern
included, gets a 404. The checks are ``portal.rules.placements``; the changes
``portal.services.placements`` (audited, and the intern emailed when their dates change).
"""

from __future__ import annotations

from datetime import date

from flask import flash, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, SelectChoice, SelectField, StringField, TextAreaField

from portal.auth.permissions import signed_in
from portal.database import utcnow
from portal.formatting import long_date
from portal.forms import strip
from portal.models import Placement
from portal.rules.placements import MAX_PLACEMENT_WEEKS, MAX_REASON_LENGTH, Outcome, PlacementInput, outcome_for
from portal.rules.program_settings import hours_text
from portal.services import placements as service
from portal.services import progress as progress_service
from portal.services.accounts import INVITATION_LIFETIME
from portal.timesheets.blueprint import bp
from portal.web import no_store, transaction

NO_SUPERVISOR = ""


class ChangeForm(FlaskForm):
    """The placement's terms, checked together by ``portal.rules.placements.check_terms``."""

    supervisor = SelectField("Supervisor", choices=[], validate_choice=False)
    start_date = StringField("Start date", filters=[strip])
    end_date = StringField("Planned end date", filters=[strip])
    committed_hours = StringField("Committed hours a week", filters=[strip])
    stipend_eligible = BooleanField("Stipend-eligible")

    def typed(self) -> PlacementInput:
        return PlacementInput(
            self.supervisor.data or "",
            self.start_date.data or "",
            self.end_date.data or "",
            self.committed_hours.data or "",
            bool(self.stipend_eligible.data),
        )


class ExtendForm(FlaskForm):
    end_date = StringField("New planned end date", filters=[strip])


class Needed:
    """Marks a field required on the page (no "(optional)") while ``portal.rules.placements`` checks it."""

    field_flags = {"required": True}

    def __call__(self, form, field) -> None:
        return None


class EndForm(FlaskForm):
    outcome = RadioField(
        "How did the placement end?",
        choices=[SelectChoice(o.value, o.label) for o in Outcome],
        validate_choice=False,
        validators=[Needed()],
    )
    end_date = StringField("End date", filters=[strip])
    reason = TextAreaField("Reason", filters=[strip])


class ButtonForm(FlaskForm):
    """The invitation buttons: only a CSRF token."""


def _change_form(placement: Placement, formdata=None) -> ChangeForm:
    data = {
        "supervisor": str(placement.supervisor_id or NO_SUPERVISOR),
        "start_date": placement.start_date.isoformat(),
        "end_date": placement.end_date.isoformat() if placement.end_date else "",
        "committed_hours": hours_text(placement.committed_minutes_per_week),
        "stipend_eligible": placement.stipend_eligible,
    }
    # A form not sent in this request shows the stored values (never another form's request data).
    form = ChangeForm(prefix="change") if formdata else ChangeForm(formdata=None, prefix="change", data=data)
    people = service.supervisor_choices(placement)
    none = [SelectChoice(NO_SUPERVISOR, "No supervisor")] if placement.supervisor_id is None else []
    form.supervisor.choices = none + [
        SelectChoice(str(person.id), f"{person.full_name or person.email} ({person.role.value})") for person in people
    ]
    return form


def _page(placement: Placement, *, posted: FlaskForm | None = None, link: str | None = None, **forms):
    today = date.today()
    progress = progress_service.placement_progress(placement, today=today, now=utcnow())
    suggested = outcome_for(progress.standing.qualifying_weeks, progress.rules)
    ending = {"outcome": suggested.value, "end_date": today.isoformat()}
    return render_template(
        "timesheets/placement_manage.html",
        placement=placement,
        progress=progress,
        posted=posted,
        link=link,
        days=INVITATION_LIFETIME.days,
        today=today,
        max_weeks=MAX_PLACEMENT_WEEKS,
        max_reason=MAX_REASON_LENGTH,
        reinvite=service.can_reinvite(placement),
        change=forms.get("change") or _change_form(placement),
        extend=forms.get("extend") or ExtendForm(formdata=None, prefix="extend"),
        end=forms.get("end") or EndForm(formdata=None, prefix="end", data=ending),
        buttons=ButtonForm(formdata=None, prefix="invitation"),
    )


def _refused(placement: Placement, form: FlaskForm, name: str, errors: dict[str, str]):
    """Each message beside its field (or at the top of the form); the page again with what was typed, 422."""
    for field_name, message in errors.items():
        target = getattr(form, field_name, None)
        if target is not None and hasattr(target, "errors"):
            target.errors = [*target.errors, message]
        else:
            form.form_errors.append(message)
    return no_store(_page(placement, posted=form, **{name: form})), 422


def _done(placement: Placement, message: str):
    flash(message, "success")
    return redirect(url_for("timesheets.manage_placement", placement_id=placement.id))


@bp.get("/placements/<int:placement_id>/manage")
@signed_in
def manage_placement(placement_id: int):
    placement = service.manageable_placement_or_404(placement_id, current_user)
    return no_store(_page(placement))


@bp.post("/placements/<int:placement_id>/manage")
@signed_in
def change_placement(placement_id: int):
    placement = service.manageable_placement_or_404(placement_id, current_user)
    form = _change_form(placement, formdata=True)
    if not form.validate():  # the CSRF token; the values are checked together below
        return _refused(placement, form, "change", {})
    terms, errors = service.check_change(placement, form.typed(), today=date.today())
    if errors or terms is None:
        return _refused(placement, form, "change", errors)
    with transaction(form, render=lambda error: _page(placement, posted=form, change=form)):
        changes = service.change_placement(placement, terms, actor=current_user)
    if not changes:
        return _done(placement, "Nothing changed.")
    return _done(placement, "Saved. " + "; ".join(change.text for change in changes) + ".")


@bp.post("/placements/<int:placement_id>/extend")
@signed_in
def extend_placement(placement_id: int):
    placement = service.manageable_placement_or_404(placement_id, current_user)
    form = ExtendForm(prefix="extend")
    if not form.validate():
        return _refused(placement, form, "extend", {})
    new_end, errors = service.check_extension(placement, form.end_date.data or "", today=date.today())
    if errors or new_end is None:
        return _refused(placement, form, "extend", errors)
    with transaction(form, render=lambda error: _page(placement, posted=form, extend=form)):
        service.extend_placement(placement, new_end, actor=current_user)
    return _done(placement, f"Extended: the placement now ends on {long_date(new_end)}. The intern was emailed.")


@bp.post("/placements/<int:placement_id>/end")
@signed_in
def end_placement(placement_id: int):
    placement = service.manageable_placement_or_404(placement_id, current_user)
    form = EndForm(prefix="end")
    if not form.validate():
        return _refused(placement, form, "end", {})
    today = date.today()
    ending, errors = service.check_ending(
        placement, form.outcome.data or "", form.end_date.data or "", form.reason.data or "", today=today
    )
    if errors or ending is None:
        return _refused(placement, form, "end", errors)
    with transaction(form, render=lambda error: _page(placement, posted=form, end=form)):
        sentence = service.end_placement(placement, ending, actor=current_user, today=today)
    return _done(placement, f"{sentence}. The intern was emailed.")


@bp.post("/placements/<int:placement_id>/invitation")
@signed_in
def resend_placement_invitation(placement_id: int):
    placement = service.manageable_placement_or_404(placement_id, current_user)
    form = ButtonForm(prefix="invitation")
    if not form.validate():
        return _refused(placement, form, "buttons", {})
    with transaction(form, render=lambda error: _page(placement, posted=form)):
        service.resend_invitation(placement, actor=current_user)
    email = placement.intern.email
    return _done(placement, f"A new invitation was emailed to {email}; the earlier link no longer works.")


@bp.post("/placements/<int:placement_id>/invitation-link")
@signed_in
def placement_invitation_link(placement_id: int):
    placement = service.manageable_placement_or_404(placement_id, current_user)
    form = ButtonForm(prefix="invitation")
    if not form.validate():
        return _refused(placement, form, "buttons", {})
    with transaction(form, render=lambda error: _page(placement, posted=form)):
        link = service.invitation_link(placement, actor=current_user)
    return no_store(_page(placement, link=link))
