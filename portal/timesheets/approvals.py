"""Approvals: the submitted weeks of a supervisor's interns, oldest first; approve or return them.

Several at once (tick, then approve or return with one note) or one by one (each row's button, or
the week page). All the chosen weeks change together or none does: a week someone else changed
since the page was loaded (optimistic locking) stops the whole batch with a 409 and says which.
Interns get 403 here; a week the user may not approve gets 404 (or 403 when they may see it).
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from portal.auth.permissions import staff_required
from portal.database import id_in_range
from portal.extensions import db
from portal.formatting import day_label
from portal.forms import page_number
from portal.models import Role
from portal.rules.weeks import is_short_week
from portal.services import timesheets
from portal.timesheets.blueprint import bp
from portal.timesheets.forms import BulkDecisionForm
from portal.web import transaction

WEEKS_PER_PAGE = 50
ACTIONS = ("approve", "return")


def _render(form: BulkDecisionForm | None = None, selected: frozenset[int] = frozenset()) -> str:
    page = db.paginate(
        timesheets.weeks_waiting_for(current_user),
        page=page_number(),
        per_page=WEEKS_PER_PAGE,
        max_per_page=WEEKS_PER_PAGE,
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
    return render_template(
        "timesheets/approvals.html",
        rows=rows,
        page=page,
        form=form or BulkDecisionForm(formdata=None),
        selected=selected,
        is_admin=current_user.role == Role.ADMIN,
        next_url=url_for("timesheets.approvals", page=page.next_num) if page.has_next else None,
        prev_url=url_for("timesheets.approvals", page=page.prev_num) if page.has_prev else None,
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


def _version(week_id: int) -> int | None:
    try:
        return int(request.form.get(f"version-{week_id}", ""))
    except ValueError:
        return None


def _chosen() -> tuple[str, list[int]]:
    """The decision asked for and the weeks it is for: one row's Approve button, or the ticked rows."""
    one = request.form.get("approve_one")
    if one is not None:
        return "approve", _ids([one])
    return request.form.get("action", ""), _ids(request.form.getlist("week"))


def _problem(form: BulkDecisionForm, action: str, ids: list[int]) -> str | None:
    if action not in ACTIONS:
        return "That decision could not be read; please try again."
    if not ids:
        return "Tick at least one week first."
    return None


@bp.route("/approvals", methods=["GET", "POST"])
@staff_required
def approvals():
    if request.method == "GET":
        return _render()
    form = BulkDecisionForm()
    action, ids = _chosen()
    selected = frozenset(ids)
    if form.validate() and (problem := _problem(form, action, ids)):
        form.form_errors.append(problem)
    if form.errors:
        return _render(form, selected), 422
    weeks = timesheets.weeks_to_decide_or_404(ids, current_user)
    versions = {week.id: _version(week.id) for week in weeks}
    if any(version is None for version in versions.values()):
        form.form_errors.append("The page was incomplete; reload it and try again.")
        return _render(form, selected), 422
    with transaction(form, render=lambda error: _render(form, selected)):
        timesheets.decide_weeks(
            weeks, approve=action == "approve", actor=current_user, note=form.note.data or "", versions=versions
        )
    count, plural = len(weeks), "s" if len(weeks) != 1 else ""
    if action == "approve":
        flash(f"Approved {count} week{plural}.", "success")
    else:
        who = "each intern was" if count != 1 else "the intern was"
        flash(f"Returned {count} week{plural}; {who} emailed your note.", "success")
    return redirect(url_for("timesheets.approvals"))
