"""Approvals: the submitted weeks of a supervisor's interns, oldest first; approve or return them.

Several at once (tick, then approve or return with one note) or one by one (each row's button, or
the week page). All the chosen weeks change together or none does: a week someone else changed
since the page was loaded (optimistic locking) stops the whole batch with a 409 and says which.
Interns get 403 here; a week the user may not approve gets 404 (or 403 when they may see it).
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from portal.auth.permissions import staff_required
from portal.database import id_in_range
from portal.extensions import db
from portal.models import Placement, Role, TimesheetWeek, WeekStatus
from portal.rules.weeks import is_short_week
from portal.services import timesheets
from portal.services.timesheets import STATUS_LABELS, TimesheetRefused, WeekChanged, day_label
from portal.timesheets.forms import BulkDecisionForm
from portal.timesheets.routes import bp

WEEKS_PER_PAGE = 50
ACTIONS = ("approve", "return")


def _render(form: BulkDecisionForm | None = None, selected: frozenset[int] = frozenset(), status: int = 200):
    page = db.paginate(
        timesheets.weeks_waiting_for(current_user), per_page=WEEKS_PER_PAGE, max_per_page=WEEKS_PER_PAGE, count=True
    )
    weeks = list(page.items)
    totals = timesheets.totals_for([week.id for week in weeks])
    rows = [
        {
            "week": week,
            "intern": week.placement.intern,
            "program": week.placement.program,
            "minutes": totals.get(week.id, 0),
            "short": is_short_week(totals.get(week.id, 0), week.placement.program.rules()),
            "label": f"{day_label(week.week_start)} {week.week_start.year}",
            "url": url_for("timesheets.week", placement_id=week.placement_id, monday=week.week_start.isoformat()),
        }
        for week in weeks
    ]
    return (
        render_template(
            "timesheets/approvals.html",
            rows=rows,
            page=page,
            form=form or BulkDecisionForm(formdata=None),
            selected=selected,
            is_admin=current_user.role == Role.ADMIN,
            next_url=url_for("timesheets.approvals", page=page.next_num) if page.has_next else None,
            prev_url=url_for("timesheets.approvals", page=page.prev_num) if page.has_prev else None,
        ),
        status,
    )


def _ids(values: list[str]) -> list[int]:
    ids = []
    for value in values:
        try:
            ids.append(int(value))
        except ValueError:
            abort(400)
        if not id_in_range(ids[-1]):
            abort(404)
    return list(dict.fromkeys(ids))


def _weeks_or_404(ids: list[int]) -> list[TimesheetWeek]:
    """The chosen weeks, each one checked: unseen → 404, seen but not the user's to decide → 403."""
    weeks = db.session.scalars(
        select(TimesheetWeek)
        .where(TimesheetWeek.id.in_(ids))
        .options(
            selectinload(TimesheetWeek.placement).selectinload(Placement.intern),
            selectinload(TimesheetWeek.placement).selectinload(Placement.program),
            selectinload(TimesheetWeek.entries),
        )
        .order_by(TimesheetWeek.submitted_at, TimesheetWeek.id)
    ).all()
    if len(weeks) != len(ids) or any(not week.placement.can_view(current_user) for week in weeks):
        abort(404)
    if any(not week.placement.can_approve(current_user) for week in weeks):
        abort(403)
    return list(weeks)


def _version(week_id: int) -> int | None:
    try:
        return int(request.form.get(f"version-{week_id}", ""))
    except ValueError:
        return None


@bp.route("/approvals", methods=["GET", "POST"])
@staff_required
def approvals():
    if request.method == "GET":
        return _render()
    form = BulkDecisionForm()
    one = request.form.get("approve_one")
    if one is not None:
        action, ids = "approve", _ids([one])
    else:
        action, ids = request.form.get("action", ""), _ids(request.form.getlist("week"))
    selected = frozenset(ids)
    if not form.validate():
        return _render(form, selected, status=422)
    if action not in ACTIONS:
        form.form_errors.append("That decision could not be read; please try again.")
        return _render(form, selected, status=422)
    if not ids:
        form.form_errors.append("Tick at least one week first.")
        return _render(form, selected, status=422)
    weeks = _weeks_or_404(ids)
    versions = {week.id: _version(week.id) for week in weeks}
    if any(version is None for version in versions.values()):
        form.form_errors.append("The page was incomplete; reload it and try again.")
        return _render(form, selected, status=422)
    try:
        for week in weeks:
            if action == "approve":
                timesheets.approve_week(week, actor=current_user, expected_version=versions[week.id])
            else:
                timesheets.return_week(
                    week, actor=current_user, note=form.note.data or "", expected_version=versions[week.id]
                )
        db.session.commit()
    except (WeekChanged, StaleDataError):
        db.session.rollback()
        changed = [
            week
            for week in db.session.scalars(select(TimesheetWeek).where(TimesheetWeek.id.in_(ids))).all()
            if week.version != versions.get(week.id) or week.status != WeekStatus.SUBMITTED
        ]
        names = "; ".join(
            f"{week.placement.intern.full_name or week.placement.intern.email}, week of {day_label(week.week_start)} "
            f"(now “{STATUS_LABELS[week.status]}”)"
            for week in changed
        )
        form.form_errors.append(
            "The intern changed a week while you were looking at it"
            + (f": {names}" if names else "")
            + ". Nothing was approved or returned; check the weeks again and decide."
        )
        return _render(form, selected, status=409)
    except TimesheetRefused as refusal:
        db.session.rollback()
        if refusal.field == "note":
            form.note.errors = [*form.note.errors, str(refusal)]
        else:
            form.form_errors.append(str(refusal))
        return _render(form, selected, status=422)
    count = len(weeks)
    plural = "s" if count != 1 else ""
    if action == "approve":
        flash(f"Approved {count} week{plural}.", "success")
    else:
        who = "each intern was" if count != 1 else "the intern was"
        flash(f"Returned {count} week{plural}; {who} emailed your note.", "success")
    return redirect(url_for("timesheets.approvals"))
