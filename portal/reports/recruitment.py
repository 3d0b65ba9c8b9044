"""The recruitment report: the funnel, times to first review and to decision, applications per week, how
applicants heard of the program and each reviewer's scores, over a program and a date range; and its CSV."""

from __future__ import annotations

from datetime import date

from flask import abort, render_template, request, url_for
from flask_login import current_user

from portal.auth.permissions import staff_required
from portal.models import Program, Role
from portal.reports.blueprint import bp
from portal.reports.forms import ReportFilterForm
from portal.services import reports as service
from portal.services.report_filters import report_programs
from portal.web import csv_download, no_store


def _report() -> tuple[ReportFilterForm, service.RecruitmentReport, Program | None]:
    """The filters read from the address (a program the person may not see is a 404) and the figures."""
    programs = report_programs(current_user)
    all_label = "All programs" if current_user.role == Role.ADMIN else "All your programs"
    form = ReportFilterForm(request.args, programs, all_label=all_label)
    form.validate()
    if form.asks_for_another_program:
        abort(404)
    filters = form.filters()
    program = next((program for program in programs if program.id == filters.program_id), None)
    return form, service.recruitment_report(filters, program=program, today=date.today()), program


@bp.get("/recruitment")
@staff_required
def recruitment():
    form, report, program = _report()
    html = render_template(
        "reports/recruitment.html",
        form=form,
        filters=report.filters,
        report=report,
        program=program,
        tables=service.recruitment_tables(report),
        charts=service.recruitment_charts(report),
        csv_url=url_for("reports.recruitment_csv", **report.filters.query_args()),
    )
    return no_store((html, 422 if form.errors else 200))


@bp.get("/recruitment.csv")
@staff_required
def recruitment_csv():
    form, report, program = _report()
    if form.errors:  # only a hand-edited address gets here: the page's link carries valid filters only
        return recruitment()
    name = f"recruitment-{program.slug if program is not None else 'all-programs'}-{date.today().isoformat()}"
    return csv_download(service.recruitment_csv_rows(report), name)
