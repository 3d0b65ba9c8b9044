"""Where an intern stands: this week, the 12-week minimum, short and missing weeks, learning share, chart.

Interns see their own current placement; staff pass ``?placement=<id>`` for one they may view.
Every figure comes from ``portal.services.progress`` (which calls ``portal.rules``).
"""

from __future__ import annotations

from datetime import date

from flask import abort, redirect, render_template, request, url_for
from flask_login import current_user

from portal.auth.permissions import signed_in
from portal.database import id_in_range, utcnow
from portal.models import Role
from portal.rules.compliance import stipend_threshold_minutes
from portal.services import progress as service
from portal.services.charts import weekly_hours_chart
from portal.services.reflections import reflection_count
from portal.services.timesheets import viewable_placement_or_404
from portal.timesheets.blueprint import bp


def _placement_arg() -> int | None:
    value = request.args.get("placement", "")
    if not (value.isascii() and value.isdigit() and len(value) < 12):  # "²" is a digit to isdigit()
        return None
    return int(value) if id_in_range(int(value)) else None


def _manage_url(placement) -> str | None:
    """Staff who may change, extend or end the placement get a link to do it."""
    if not placement.can_manage(current_user):
        return None
    return url_for("timesheets.manage_placement", placement_id=placement.id)


@bp.get("/")
@signed_in
def dashboard():
    today = date.today()
    placement_id = _placement_arg()
    if placement_id is not None:
        placement = viewable_placement_or_404(placement_id, current_user)
    elif request.args.get("placement"):
        abort(404)
    elif current_user.role != Role.INTERN:
        return redirect(url_for("timesheets.compliance"))
    elif (placement := service.current_placement(current_user, today)) is None:
        return render_template("timesheets/dashboard.html", progress=None)
    progress = service.placement_progress(placement, today=today, now=utcnow())
    rules = progress.rules
    chart = weekly_hours_chart(
        progress.standing.weeks,
        minimum_minutes=rules.min_week_minutes,
        stipend_minutes=stipend_threshold_minutes(rules) if placement.stipend_eligible else None,
    )
    own = current_user.id == placement.intern_id
    this_monday = progress.standing.this_week.monday.isoformat() if progress.standing.this_week else None
    return render_template(
        "timesheets/dashboard.html",
        progress=progress,
        placement=placement,
        standing=progress.standing,
        rules=rules,
        chart=chart,
        stipends=progress.stipends(),
        reflections=reflection_count(placement),
        own=own,
        week_url=lambda monday: url_for("timesheets.week", placement_id=placement.id, monday=monday.isoformat()),
        this_week_url=(
            url_for("timesheets.week", placement_id=placement.id, monday=this_monday) if this_monday else None
        ),
        concern_url=url_for("timesheets.concerns") if own else None,
        approvals_url=url_for("timesheets.approvals") if not own else None,
        manage_url=_manage_url(placement),
    )
