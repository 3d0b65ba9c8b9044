"""The week page: an intern logs, changes and submits a week; staff view it, decide or reopen it.

Thin views: ``portal.services.timesheets`` checks the rules and changes the week, the view commits.
The intern of the placement, its supervisor and admins may see a week; anyone else gets 404. Only
the intern changes entries; only the supervisor (or an admin) decides; only an admin reopens.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from portal.auth.permissions import role_required
from portal.database import id_in_range
from portal.extensions import db
from portal.models import Placement, Program, Role, TimesheetEntry, TimesheetWeek, WeekStatus
from portal.rules.hours import format_minutes
from portal.rules.weeks import is_short_week, week_monday
from portal.services import timesheets
from portal.services.progress import current_placement
from portal.services.timesheets import STATUS_LABELS, EntryInput, TimesheetRefused, WeekChanged, day_label
from portal.timesheets.forms import DecisionForm, EntryForm, ReopenForm, VersionForm
from portal.timesheets.routes import bp

ANY_ROLE = tuple(Role)
CHANGED_WHILE_SAVING = (
    "This week changed at the same moment (perhaps it was just approved). Nothing was saved; check it and try again."
)
STALE_MESSAGE = (
    "This week changed while you were looking at it: it is now “{status}”. "
    "Nothing was changed; check the entries below and decide again."
)


@dataclass(frozen=True)
class Day:
    day: date
    label: str
    entries: list[TimesheetEntry]
    minutes: int


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


def _placement_or_404(placement_id: int) -> Placement:
    placement = db.session.scalar(
        select(Placement)
        .where(Placement.id == placement_id)
        .options(
            selectinload(Placement.program).selectinload(Program.categories),
            selectinload(Placement.program).selectinload(Program.stipend_tiers),
            selectinload(Placement.intern),
            selectinload(Placement.supervisor),
        )
    )
    if placement is None or not placement.can_view(current_user):
        abort(404)
    return placement


def _week_in_placement_or_404(placement: Placement, monday: date) -> None:
    if not timesheets.in_placement(placement, monday):
        abort(404)


def _is_intern(placement: Placement) -> bool:
    return current_user.id == placement.intern_id


def _intern_only(placement: Placement) -> None:
    """Staff who may view the week get 403 for the intern's own actions (others already got 404)."""
    if not _is_intern(placement):
        abort(403)


def week_url(placement: Placement, monday: date, **params) -> str:
    return url_for("timesheets.week", placement_id=placement.id, monday=monday.isoformat(), **params)


def _hours_text(minutes: int) -> str:
    """An entry's minutes as the edit box shows them again ("2:30"), which parse_duration reads back."""
    return f"{minutes // 60}:{minutes % 60:02d}"


def _render(
    placement: Placement,
    monday: date,
    *,
    entry_form: EntryForm | None = None,
    editing: TimesheetEntry | None = None,
    deleting: TimesheetEntry | None = None,
    decision_form: DecisionForm | None = None,
    reopen_form: ReopenForm | None = None,
    page_error: str | None = None,
    status: int = 200,
):
    today = date.today()
    week = timesheets.find_week(placement, monday)
    entries = list(week.entries) if week else []
    week_status = week.status if week else WeekStatus.DRAFT
    rules = placement.program.rules()
    days = [
        Day(
            day,
            day_label(day),
            [e for e in entries if e.work_date == day],
            sum(e.minutes for e in entries if e.work_date == day),
        )
        for day in timesheets.week_days(monday)
    ]
    total = sum(e.minutes for e in entries)
    is_intern = _is_intern(placement)
    can_edit = is_intern and week_status in timesheets.EDITABLE
    loggable = timesheets.loggable_days(placement, monday, today)
    if can_edit and entry_form is None:
        if editing is not None:
            entry_form = EntryForm(
                formdata=None,
                data={
                    "work_date": editing.work_date.isoformat(),
                    "hours": _hours_text(editing.minutes),
                    "category": str(editing.category_id),
                    "note": editing.note,
                }
            )
        else:
            entry_form = EntryForm(formdata=None)
    if entry_form is not None:
        days_offered = loggable
        if editing is not None and editing.work_date not in days_offered:
            days_offered = sorted([*days_offered, editing.work_date])
        entry_form.set_choices(days_offered, placement.program.categories, today)
    version = week.version if week else None
    previous_monday, next_monday = monday - timedelta(days=7), monday + timedelta(days=7)
    return (
        render_template(
            "timesheets/week.html",
            placement=placement,
            program=placement.program,
            intern=placement.intern,
            supervisor=placement.supervisor,
            week=week,
            monday=monday,
            sunday=monday + timedelta(days=6),
            days=days,
            total=total,
            rules=rules,
            short=is_short_week(total, rules),
            week_status=week_status,
            status_label=STATUS_LABELS[week_status],
            is_intern=is_intern,
            can_edit=can_edit,
            can_decide=week_status == WeekStatus.SUBMITTED and placement.can_approve(current_user),
            can_reopen=week_status == WeekStatus.APPROVED and current_user.role == Role.ADMIN
            and current_user.id != placement.intern_id,
            started=monday <= today,
            loggable=loggable,
            entry_form=entry_form,
            editing=editing,
            deleting=deleting,
            submit_form=VersionForm(formdata=None, data={"version": version}),
            decision_form=decision_form or DecisionForm(formdata=None, data={"version": version}),
            reopen_form=reopen_form or ReopenForm(formdata=None, data={"version": version}),
            previous_url=week_url(placement, previous_monday)
            if timesheets.in_placement(placement, previous_monday)
            else None,
            next_url=week_url(placement, next_monday)
            if timesheets.in_placement(placement, next_monday) and next_monday <= week_monday(today)
            else None,
            this_week_url=week_url(placement, week_monday(today))
            if timesheets.in_placement(placement, week_monday(today)) and monday != week_monday(today)
            else None,
            page_error=page_error,
        ),
        status,
    )


def _entry_or_404(placement: Placement, monday: date, entry_id: int) -> TimesheetEntry:
    entry = db.session.scalar(
        select(TimesheetEntry)
        .join(TimesheetEntry.week)
        .where(
            TimesheetEntry.id == entry_id,
            TimesheetWeek.placement_id == placement.id,
            TimesheetWeek.week_start == monday,
        )
    )
    if entry is None:
        abort(404)
    return entry


def _field_error(form, refusal: TimesheetRefused) -> None:
    """Put a service's refusal beside its field, or at the top of the form."""
    target = getattr(form, refusal.field, None) if refusal.field else None
    if target is not None:
        target.errors = [*target.errors, str(refusal)]
    else:
        form.form_errors.append(str(refusal))


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
    day = today
    if placement.end_date is not None and day > placement.end_date:
        day = placement.end_date
    day = max(day, placement.start_date)
    return redirect(week_url(placement, week_monday(day)))


@bp.get("/placements/<int:placement_id>/weeks/<monday>")
@role_required(*ANY_ROLE)
def week(placement_id: int, monday: str):
    day = _parse_monday(monday)
    placement = _placement_or_404(placement_id)
    if day != week_monday(day):
        return redirect(week_url(placement, week_monday(day)))
    _week_in_placement_or_404(placement, day)
    editing = deleting = None
    if _is_intern(placement):
        if (edit_id := _id_arg("edit")) is not None:
            editing = _entry_or_404(placement, day, edit_id)
        elif (delete_id := _id_arg("delete")) is not None:
            deleting = _entry_or_404(placement, day, delete_id)
    return _render(placement, day, editing=editing, deleting=deleting)


# ------------------------------------------------------------------------------------------------
# The intern's entries


def _save_entry(placement_id: int, monday: str, entry_id: int | None):
    day = week_monday(_parse_monday(monday))
    placement = _placement_or_404(placement_id)
    _week_in_placement_or_404(placement, day)
    _intern_only(placement)
    entry = _entry_or_404(placement, day, entry_id) if entry_id is not None else None
    form = EntryForm()
    today = date.today()
    form.set_choices(timesheets.loggable_days(placement, day, today), placement.program.categories, today)
    if not form.validate():
        return _render(placement, day, entry_form=form, editing=entry, status=422)
    data = EntryInput(form.day, form.minutes, form.chosen_category, form.note.data or "")
    try:
        if entry is None:
            timesheets.add_entry(placement, day, data, actor=current_user, today=date.today())
        else:
            timesheets.update_entry(entry, data, actor=current_user, today=date.today())
        db.session.commit()
    except TimesheetRefused as refusal:
        db.session.rollback()
        placement = _placement_or_404(placement_id)
        entry = _entry_or_404(placement, day, entry_id) if entry_id is not None else None
        if refusal.field is None:  # the week itself refuses (locked): there may be no form to show
            return _render(placement, day, page_error=str(refusal), status=422)
        _field_error(form, refusal)
        return _render(placement, day, entry_form=form, editing=entry, status=422)
    except StaleDataError:
        db.session.rollback()
        flash(CHANGED_WHILE_SAVING, "error")
        return redirect(week_url(placement, day))
    verb = "Saved" if entry is None else "Changed"
    still_draft = _week_status(placement, day) == WeekStatus.DRAFT
    note = " The week stays a draft until you submit it." if still_draft else ""
    flash(f"{verb}: {format_minutes(data.minutes)} on {day_label(data.work_date)}.{note}", "success")
    return redirect(week_url(placement, day))


def _week_status(placement: Placement, monday: date) -> WeekStatus | None:
    return db.session.scalar(
        select(TimesheetWeek.status).where(
            TimesheetWeek.placement_id == placement.id, TimesheetWeek.week_start == monday
        )
    )


@bp.post("/placements/<int:placement_id>/weeks/<monday>/entries")
@role_required(*ANY_ROLE)
def add_entry(placement_id: int, monday: str):
    return _save_entry(placement_id, monday, None)


@bp.post("/placements/<int:placement_id>/weeks/<monday>/entries/<int:entry_id>")
@role_required(*ANY_ROLE)
def update_entry(placement_id: int, monday: str, entry_id: int):
    return _save_entry(placement_id, monday, entry_id)


@bp.post("/placements/<int:placement_id>/weeks/<monday>/entries/<int:entry_id>/delete")
@role_required(*ANY_ROLE)
def delete_entry(placement_id: int, monday: str, entry_id: int):
    day = week_monday(_parse_monday(monday))
    placement = _placement_or_404(placement_id)
    _intern_only(placement)
    entry = _entry_or_404(placement, day, entry_id)
    form = VersionForm()
    if not form.validate():
        flash("The entry could not be deleted; please try again.", "error")
        return redirect(week_url(placement, day))
    description = f"{format_minutes(entry.minutes)} on {day_label(entry.work_date)}"
    try:
        timesheets.delete_entry(entry, actor=current_user)
        db.session.commit()
    except TimesheetRefused as refusal:
        db.session.rollback()
        flash(str(refusal), "error")
        return redirect(week_url(placement, day))
    except StaleDataError:
        db.session.rollback()
        flash(CHANGED_WHILE_SAVING, "error")
        return redirect(week_url(placement, day))
    flash(f"Deleted: {description}.", "success")
    return redirect(week_url(placement, day))


# ------------------------------------------------------------------------------------------------
# Submitting, deciding, reopening


@bp.post("/placements/<int:placement_id>/weeks/<monday>/submit")
@role_required(*ANY_ROLE)
def submit_week(placement_id: int, monday: str):
    day = week_monday(_parse_monday(monday))
    placement = _placement_or_404(placement_id)
    _week_in_placement_or_404(placement, day)
    _intern_only(placement)
    form = VersionForm()
    if not form.validate():
        return _render(placement, day, page_error="The week could not be submitted; please try again.", status=422)
    resubmitted = _week_status(placement, day) == WeekStatus.RETURNED
    try:
        week = timesheets.submit_week(
            placement, day, actor=current_user, today=date.today(), expected_version=form.version.data
        )
        minutes = week.total_minutes
        db.session.commit()
    except (WeekChanged, StaleDataError):
        db.session.rollback()
        placement = _placement_or_404(placement_id)
        status = _week_status(placement, day) or WeekStatus.DRAFT
        message = (
            f"This week changed while you were looking at it: it is now “{STATUS_LABELS[status]}”. "
            "Nothing was submitted; check it and try again."
        )
        return _render(placement, day, page_error=message, status=409)
    except TimesheetRefused as refusal:
        db.session.rollback()
        placement = _placement_or_404(placement_id)
        return _render(placement, day, page_error=str(refusal), status=422)
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
    day = week_monday(_parse_monday(monday))
    placement = _placement_or_404(placement_id)
    if not placement.can_approve(current_user):
        abort(403)
    form = DecisionForm()
    week = timesheets.find_week(placement, day)
    if week is None:
        abort(404)
    if not form.validate() or form.action.data not in ("approve", "return") or form.version.data is None:
        if not form.errors:
            form.form_errors.append("That decision could not be read; please try again.")
        return _render(placement, day, decision_form=form, status=422)
    try:
        if form.action.data == "approve":
            timesheets.approve_week(week, actor=current_user, expected_version=form.version.data)
            message = f"Approved the week of {day_label(day)} for {placement.intern.full_name or 'the intern'}."
        else:
            timesheets.return_week(
                week, actor=current_user, note=form.note.data or "", expected_version=form.version.data
            )
            message = "Returned the week to the intern; they were emailed your note."
        db.session.commit()
    except (WeekChanged, StaleDataError):
        db.session.rollback()
        placement = _placement_or_404(placement_id)
        status = _week_status(placement, day) or WeekStatus.DRAFT
        fresh = timesheets.find_week(placement, day)
        form = DecisionForm(formdata=None, data={"version": fresh.version if fresh else None, "note": form.note.data})
        form.form_errors.append(STALE_MESSAGE.format(status=STATUS_LABELS[status]))
        return _render(placement, day, decision_form=form, status=409)
    except TimesheetRefused as refusal:
        db.session.rollback()
        placement = _placement_or_404(placement_id)
        _field_error(form, refusal)
        return _render(placement, day, decision_form=form, status=422)
    flash(message, "success")
    return redirect(url_for("timesheets.approvals"))


@bp.post("/placements/<int:placement_id>/weeks/<monday>/reopen")
@role_required(Role.ADMIN)
def reopen_week(placement_id: int, monday: str):
    day = week_monday(_parse_monday(monday))
    placement = _placement_or_404(placement_id)
    week = timesheets.find_week(placement, day)
    if week is None:
        abort(404)
    form = ReopenForm()
    if not form.validate():
        return _render(placement, day, reopen_form=form, status=422)
    try:
        timesheets.reopen_week(
            week, actor=current_user, reason=form.reason.data or "", expected_version=form.version.data
        )
        db.session.commit()
    except (WeekChanged, StaleDataError):
        db.session.rollback()
        placement = _placement_or_404(placement_id)
        status = _week_status(placement, day) or WeekStatus.DRAFT
        form.form_errors.append(STALE_MESSAGE.format(status=STATUS_LABELS[status]))
        fresh = timesheets.find_week(placement, day)
        form.version.data = fresh.version if fresh else None
        return _render(placement, day, reopen_form=form, status=409)
    except TimesheetRefused as refusal:
        db.session.rollback()
        placement = _placement_or_404(placement_id)
        _field_error(form, refusal)
        return _render(placement, day, reopen_form=form, status=422)
    flash(
        "Reopened: the week is a draft again, for the intern to correct and submit. The reason is in the audit log.",
        "success",
    )
    return redirect(week_url(placement, day))
