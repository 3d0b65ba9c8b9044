"""The internships report: interns' standing, approved hours, qualifying weeks, stipends, learning share
and (for admins) concerns, over a program and a date range; the page's tables are also its CSV."""

from __future__ import annotations

from datetime import date

from flask import abort, render_template, request, url_for
from flask_login import current_user

from portal.auth.permissions import staff_required
from portal.database import utcnow
from portal.models import Role
from portal.reports.blueprint import bp
from portal.reports.forms import ReportFilterForm
from portal.services import report_internships as service
from portal.services.report_filters import ReportFilters, report_programs
from portal.web import csv_download, no_store


def _filters() -> tuple[ReportFilterForm, ReportFilters, str]:
    """The filter form read from the address; a program the person may not see is a 404."""
    programs = report_programs(current_user)
    all_label = "All programs" if current_user.role == Role.ADMIN else "All your programs"
    form = ReportFilterForm(request.args, programs, all_label=all_label)
    form.validate()
    if form.asks_for_another_program:
        abort(404)
    filters = form.filters()
    chosen = next((program.title for program in programs if program.id == filters.program_id), None)
    return form, filters, chosen or all_label


def _report(filters: ReportFilters) -> service.InternshipReport:
    return service.internship_report(
        filters.program_ids,
        filters.date_from,
        filters.date_to,
        today=date.today(),
        now=utcnow(),
        with_concerns=current_user.role == Role.ADMIN,
    )


@bp.get("/internships")
@staff_required
def internships():
    form, filters, programs = _filters()
    report = _report(filters)
    html = render_template(
        "reports/internships.html",
        form=form,
        filters=filters,
        programs=programs,
        report=report,
        tables=service.report_tables(report),
        charts=service.report_charts(report),
        period=service.period_label(report),
        csv_url=url_for("reports.internships_csv", **filters.query_args()),
    )
    return no_store((html, 422 if form.errors else 200))


@bp.get("/internships.csv")
@staff_required
def internships_csv():
    form, filters, programs = _filters()
    if form.errors:  # only a hand-edited address gets here: the page's link carries valid filters only
        return internships()
    report = _report(filters)
    return csv_download(service.csv_rows(report, programs), f"internships-{report.first}-{report.last}")
