"""The week page: an intern logs, changes and submits a week; staff view it, decide or reopen it.

Thin views: ``services.timesheets.week_page`` says what the page shows and who may do what, the
service functions check the rules and change the week, ``portal.web.transaction`` commits. The
intern of the placement, its supervisor and admins may see a week; anyone else gets 404. Only the
intern changes entries; only the supervisor (or an admin) decides; only an admin reopens.
"""

from __future__ import annotations

from dataclasses import fields
from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from portal.auth.permissions import role_required, signed_in
from portal.database import id_in_range
from portal.formatting import day_label
from portal.models import Placement, Role, TimesheetEntry
from portal.rules.hours import format_minutes
from portal.rules.weeks import week_monday
from portal.services import reflections, timesheets
from portal.services.progress import current_placement
from portal.services.timesheets import EntryInput
from portal.timesheets.blueprint import bp
from portal.timesheets.forms import DecisionForm, EntryForm, ReflectionForm, ReopenForm, VersionForm
from portal.web import transaction

# Weeks outside these years name no placement; the bound also keeps date arithmetic from overflowing.
_FIRST_DAY, _LAST_DAY = date(2000, 1, 1), date(2999, 12, 31)


def _parse_monday(text: str) -> date:
    try:
        day = date.fromisoformat(text)
    except ValueError:
        abort(404)
    if not _FIRST_DAY <= day <= _LAST_DAY:
        abort(404)
    return day


def _id_arg(name: str) -> int | None:
    value = request.args.get(name, type=int)
    if value is not None and not id_in_range(value):
        abort(404)
    return value


def _load(placement_id: int, monday: str) -> tuple[Placement, date]:
    """The placement the user may see and the Monday of the week asked for (any day of it is read)."""
    day = week_monday(_parse_monday(monday))
    return timesheets.viewable_placement_or_404(placement_id, current_user), day


def _intern_only(placement: Placement) -> None:
    """Staff who may view the week get 403 for the intern's own actions (others already got 404)."""
    if not placement.is_intern(current_user):
        abort(403)


def _own_week(placement_id: int, monday: str) -> tuple[Placement, date]:
    """The intern's own week for their actions on it: a week of the placement (else 404), and 403 for staff."""
    placement, day = _load(placement_id, monday)
    timesheets.week_of_placement_or_404(placement, day)
    _intern_only(placement)
    return placement, day


def week_url(placement: Placement, monday: date | None, **params) -> str | None:
    if monday is None:
        return None
    return url_for("timesheets.week", placement_id=placement.id, monday=monday.isoformat(), **params)


def offered_categories(program, editing: TimesheetEntry | None) -> list:
    """The program's active categories; an entry being changed keeps its own, even if retired since."""
    categories = program.active_categories()
    if editing is not None and editing.category not in categories:
        categories.append(editing.category)
    return categories


def _entry_form(editing: TimesheetEntry | None) -> EntryForm:
    """An empty entry form, or one filled with the entry being changed (hours as "2:30")."""
    if editing is None:
        return EntryForm(formdata=None)
    hours = f"{editing.minutes // 60}:{editing.minutes % 60:02d}"
    data = {"work_date": editing.work_date.isoformat(), "hours": hours, "category": str(editing.category_id)}
    return EntryForm(formdata=None, data={**data, "note": editing.note})


def _reflection_form(page, reflection, given: ReflectionForm | None) -> ReflectionForm | None:
    """The intern's reflection form, once the week has begun (filled with what is kept, or what was sent)."""
    if not page.is_intern or not page.started:
        return None
    return given or ReflectionForm(formdata=None, data={"reflection": reflection.text if reflection else ""})


def _render(placement: Placement, monday: date, *, entry_form=None, editing=None, deleting=None,
            decision_form=None, reopen_form=None, reflection_form=None, page_error: str | None = None) -> str:
    """The week page as it is in the database now, with the forms given (or fresh ones)."""
    today = date.today()
    page = timesheets.week_page(placement, monday, user=current_user, today=today)
    reflection = reflections.reflection_of(page.week)
    if page.can_edit and entry_form is None:
        entry_form = _entry_form(editing)
    if entry_form is not None:
        offered = page.loggable if editing is None or editing.work_date in page.loggable else sorted(
            [*page.loggable, editing.work_date])
        entry_form.set_choices(offered, offered_categories(placement.program, editing), today)
    version = {"version": page.version}
    for shown in (decision_form, reopen_form):  # the page shows the week as it is now: decide on that version
        if shown is not None:
            shown.version.data = page.version
    return render_template(
        "timesheets/week.html",
        **{field.name: getattr(page, field.name) for field in fields(page)},
        sunday=page.sunday, program=placement.program, intern=placement.intern, supervisor=placement.supervisor,
        entry_form=entry_form, editing=editing, deleting=deleting, page_error=page_error,
        submit_form=VersionForm(formdata=None, data=version),
        decision_form=decision_form or DecisionForm(formdata=None, data=version),
        reopen_form=reopen_form or ReopenForm(formdata=None, data=version),
        reflection=reflection, reflection_question=reflections.QUESTION,
        reflection_form=_reflection_form(page, reflection, reflection_form),
        previous_url=week_url(placement, page.previous_monday),
        next_url=week_url(placement, page.next_monday),
        this_week_url=week_url(placement, page.this_monday),
    )


# ------------------------------------------------------------------------------------------------
# Pages


@bp.get("/week")
@role_required(Role.INTERN)
def current_week():
    """The intern's start for logging: this week of their placement (or its nearest week)."""
    today = date.today()
    placement = current_placement(current_user, today)
    if placement is None:
        abort(404)
    day = min(today, placement.end_date) if placement.end_date is not None else today
    return redirect(week_url(placement, week_monday(max(day, placement.start_date))))


@bp.get("/placements/<int:placement_id>/weeks/<monday>")
@signed_in
def week(placement_id: int, monday: str):
    day = _parse_monday(monday)
    placement = timesheets.viewable_placement_or_404(placement_id, current_user)
    if day != week_monday(day):
        return redirect(week_url(placement, week_monday(day)))
    timesheets.week_of_placement_or_404(placement, day)
    editing = deleting = None
    if placement.is_intern(current_user):
        if (edit_id := _id_arg("edit")) is not None:
            editing = timesheets.entry_or_404(placement, day, edit_id)
        elif (delete_id := _id_arg("delete")) is not None:
            deleting = timesheets.entry_or_404(placement, day, delete_id)
    return _render(placement, day, editing=editing, deleting=deleting)


# ------------------------------------------------------------------------------------------------
# The intern's entries


def _save_entry(placement_id: int, monday: str, entry_id: int | None):
    placement, day = _own_week(placement_id, monday)
    entry = timesheets.entry_or_404(placement, day, entry_id) if entry_id is not None else None
    form = EntryForm()
    today = date.today()
    days = timesheets.loggable_days(placement, day, today)
    form.set_choices(days, offered_categories(placement.program, entry), today)
    if not form.validate():
        return _render(placement, day, entry_form=form, editing=entry), 422

    def refused(error):
        if error.field is None:  # the week itself refuses (locked): there may be no form to show
            return _render(placement, day, page_error=error.message)
        return _render(placement, day, entry_form=form, editing=entry)

    data = EntryInput(form.day, form.minutes, form.chosen_category, form.note.data or "")
    with transaction(form, render=refused):
        if entry is None:
            timesheets.add_entry(placement, day, data, actor=current_user, today=today)
        else:
            timesheets.update_entry(entry, data, actor=current_user, today=today)
    still_draft = timesheets.week_status(placement, day) == timesheets.WeekStatus.DRAFT
    note = " The week stays a draft until you submit it." if still_draft else ""
    verb = "Saved" if entry is None else "Changed"
    flash(f"{verb}: {format_minutes(data.minutes)} on {day_label(data.work_date)}.{note}", "success")
    return redirect(week_url(placement, day))


@bp.post("/placements/<int:placement_id>/weeks/<monday>/entries")
@signed_in
def add_entry(placement_id: int, monday: str):
    return _save_entry(placement_id, monday, None)


@bp.post("/placements/<int:placement_id>/weeks/<monday>/entries/<int:entry_id>")
@signed_in
def update_entry(placement_id: int, monday: str, entry_id: int):
    return _save_entry(placement_id, monday, entry_id)


@bp.post("/placements/<int:placement_id>/weeks/<monday>/entries/<int:entry_id>/delete")
@signed_in
def delete_entry(placement_id: int, monday: str, entry_id: int):
    placement, day = _load(placement_id, monday)
    _intern_only(placement)
    entry = timesheets.entry_or_404(placement, day, entry_id)
    back = redirect(week_url(placement, day))
    if not VersionForm().validate():
        flash("The entry could not be deleted; please try again.", "error")
        return back
    description = f"{format_minutes(entry.minutes)} on {day_label(entry.work_date)}"

    def refused(error):
        flash(error.message, "error")
        return back

    with transaction(render=refused):
        timesheets.delete_entry(entry, actor=current_user)
    flash(f"Deleted: {description}.", "success")
    return back


@bp.post("/placements/<int:placement_id>/weeks/<monday>/reflection")
@signed_in
def save_reflection(placement_id: int, monday: str):
    placement, day = _own_week(placement_id, monday)
    if day > date.today():  # a week that has not begun has nothing to write about yet (its page has no form)
        abort(404)
    form = ReflectionForm()
    if not form.validate():
        return _render(placement, day, reflection_form=form), 422
    with transaction(form, render=lambda error: _render(placement, day, reflection_form=form)):
        kept = reflections.save_reflection(
            placement, day, form.reflection.data or "", actor=current_user, today=date.today()
        )
    flash("Your reflection is saved." if kept else "Your reflection is removed.", "success")
    return redirect(f"{week_url(placement, day)}#week-reflection")


# ------------------------------------------------------------------------------------------------
# Submitting, deciding, reopening


@bp.post("/placements/<int:placement_id>/weeks/<monday>/submit")
@signed_in
def submit_week(placement_id: int, monday: str):
    placement, day = _own_week(placement_id, monday)
    form = VersionForm()
    if not form.validate():
        return _render(placement, day, page_error="The week could not be submitted; please try again."), 422
    resubmitted = timesheets.week_status(placement, day) == timesheets.WeekStatus.RETURNED
    with transaction(render=lambda error: _render(placement, day, page_error=error.message)):
        week = timesheets.submit_week(
            placement, day, actor=current_user, today=date.today(), expected_version=form.version.data
        )
        minutes = week.total_minutes
    who = placement.supervisor.full_name if placement.supervisor else "your supervisor"
    flash(
        f"{'Submitted again' if resubmitted else 'Submitted'}: {format_minutes(minutes)} for the week of "
        f"{day_label(day)}. {who} will be asked to approve it; you can change entries until then.",
        "success",
    )
    return redirect(week_url(placement, day))


@bp.post("/placements/<int:placement_id>/weeks/<monday>/decision")
@role_required(Role.SUPERVISOR, Role.ADMIN)
def decide_week(placement_id: int, monday: str):
    """One week, from its page: approve, or return with a note (the intern is emailed the note)."""
    placement, day = _load(placement_id, monday)
    if not placement.can_approve(current_user):
        abort(403)
    week = timesheets.existing_week_or_404(placement, day)
    form = DecisionForm()
    if not form.validate() or form.action.data not in ("approve", "return") or form.version.data is None:
        if not form.errors:
            form.form_errors.append("That decision could not be read; please try again.")
        return _render(placement, day, decision_form=form), 422
    approve = form.action.data == "approve"
    with transaction(form, render=lambda error: _render(placement, day, decision_form=form)):
        if approve:
            timesheets.approve_week(week, actor=current_user, expected_version=form.version.data)
        else:
            timesheets.return_week(
                week, actor=current_user, note=form.note.data or "", expected_version=form.version.data
            )
    who = placement.intern.full_name or "the intern"
    flash(f"Approved the week of {day_label(day)} for {who}." if approve
          else "Returned the week to the intern; they were emailed your note.", "success")
    return redirect(url_for("timesheets.approvals"))


@bp.post("/placements/<int:placement_id>/weeks/<monday>/reopen")
@role_required(Role.ADMIN)
def reopen_week(placement_id: int, monday: str):
    placement, day = _load(placement_id, monday)
    week = timesheets.existing_week_or_404(placement, day)
    form = ReopenForm()
    if not form.validate():
        return _render(placement, day, reopen_form=form), 422
    with transaction(form, render=lambda error: _render(placement, day, reopen_form=form)):
        timesheets.reopen_week(
            week, actor=current_user, reason=form.reason.data or "", expected_version=form.version.data
        )
    flash(
        "Reopened: the week is a draft again, for the intern to correct and submit. The reason is in the audit log.",
        "success",
    )
    return redirect(week_url(placement, day))
