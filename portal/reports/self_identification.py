"""The self-identification report: voluntary answers counted per question, small groups shown as "<5".

Only admins who were granted the permission (``user.may_see_self_identification_report``) open it; every
other admin and every supervisor gets 403. Each view and each CSV download is one audit event.
"""

from __future__ import annotations

from flask import abort, render_template, request, url_for
from flask_login import current_user

from portal.auth.permissions import admin_required
from portal.formatting import long_date
from portal.reports.blueprint import bp
from portal.reports.forms import ReportFilterForm
from portal.services import self_identification_report as service
from portal.services.report_filters import ReportFilters, report_programs
from portal.web import csv_download, no_store, transaction


def _filters() -> tuple[ReportFilterForm, ReportFilters, str]:
    """The permission, then the filters read from the address (an unknown program is a 404)."""
    if not current_user.may_see_self_identification_report:
        abort(403)
    programs = report_programs(current_user)
    form = ReportFilterForm(request.args, programs)
    form.validate()
    if form.asks_for_another_program:
        abort(404)
    filters = form.filters()
    chosen = next((program.title for program in programs if program.id == filters.program_id), None)
    return form, filters, chosen or "All programs"


def _period(filters: ReportFilters) -> str:
    if filters.date_from and filters.date_to:
        return f"applications submitted from {long_date(filters.date_from)} to {long_date(filters.date_to)}"
    if filters.date_from:
        return f"applications submitted from {long_date(filters.date_from)}"
    if filters.date_to:
        return f"applications submitted up to {long_date(filters.date_to)}"
    return "every application"


@bp.get("/self-identification")
@admin_required
def self_identification():
    form, filters, programs = _filters()
    with transaction():  # the view is audited, so it commits
        report = service.self_identification_report(filters, actor=current_user)
    html = render_template(
        "reports/self_identification.html",
        form=form,
        filters=filters,
        programs=programs,
        period=_period(filters),
        report=report,
        csv_url=url_for("reports.self_identification_csv", **filters.query_args()),
    )
    return no_store((html, 422 if form.errors else 200))


@bp.get("/self-identification.csv")
@admin_required
def self_identification_csv():
    form, filters, programs = _filters()
    if form.errors:  # only a hand-edited address gets here: the page's link carries valid filters only
        return self_identification()
    with transaction():
        report = service.self_identification_report(filters, actor=current_user, action=service.EXPORTED)
    return csv_download(service.csv_rows(report, programs, _period(filters)), "self-identification-report")
