"""Stipends: a month's statement with every step shown, and the bookkeeper's monthly CSV."""

from __future__ import annotations

from datetime import date

from flask import abort, render_template, request
from flask_login import current_user

from portal.auth.permissions import signed_in, staff_required
from portal.database import utcnow
from portal.formatting import month_label
from portal.services import progress as service
from portal.services.audit import record_event
from portal.services.timesheets import viewable_placement_or_404
from portal.timesheets.blueprint import bp
from portal.web import csv_download, transaction


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
    with transaction():  # an export of interns' pay is recorded: who took it, for which month
        record_event(
            "stipends.exported",
            target_type="stipends",
            target_id=None,
            actor=current_user,
            details={"month": f"{year:04d}-{month:02d}", "rows": len(rows) - 1},
        )
    return csv_download(rows, f"stipends-{year:04d}-{month:02d}")
