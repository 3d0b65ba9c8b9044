"""Stipends: a month's statement with every step shown, and the bookkeeper's monthly CSV."""

from __future__ import annotations

from datetime import date

from flask import abort, current_app, render_template, request
from flask_login import current_user

from portal.auth.permissions import signed_in, staff_required
from portal.database import utcnow
from portal.formatting import month_label
from portal.services import progress as service
from portal.services.spreadsheets import rows_to_csv
from portal.services.timesheets import viewable_placement_or_404
from portal.timesheets.blueprint import bp


@bp.get("/placements/<int:placement_id>/stipends/<int:year>/<int:month>")
@signed_in
def stipend_statement(placement_id: int, year: int, month: int):
    placement = viewable_placement_or_404(placement_id, current_user)
    if not placement.stipend_eligible or not 1 <= month <= 12:
        abort(404)
    progress = service.placement_progress(placement, today=date.today(), now=utcnow())
    figures = progress.stipend(year, month)
    if figures is None:
        abort(404)
    months = [(m.year, m.month) for m in progress.stipend_months()]
    index = months.index((year, month))
    return render_template(
        "timesheets/stipend_statement.html",
        placement=placement,
        figures=figures,
        stipend=figures.stipend,
        previous=months[index - 1] if index > 0 else None,
        following=months[index + 1] if index + 1 < len(months) else None,
        month_label=month_label,
        weeks={week.monday: week for week in progress.standing.weeks},
    )


@bp.get("/stipends.csv")
@staff_required
def stipend_csv():
    parsed = service.parse_month(request.args.get("month"))
    if parsed is None:
        return render_template("errors/400.html", reason="Choose a month written as YYYY-MM, like 2025-10."), 400
    year, month = parsed
    rows = service.stipend_rows(current_user, year, month, today=date.today(), now=utcnow())
    response = current_app.response_class(rows_to_csv(rows), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="stipends-{year:04d}-{month:02d}.csv"'
    response.headers["Cache-Control"] = "no-store"
    return response
