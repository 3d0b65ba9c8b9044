"""Admin: the data requests log (deletions, downloads, purges by date, program and count; no personal
data), with counts per kind, filters by kind, program and dates, pages and a CSV of the filtered list."""

from __future__ import annotations

from datetime import date

from flask import abort, render_template, request, url_for
from flask_login import current_user
from wtforms import SelectChoice

from portal.admin.blueprint import bp
from portal.auth.permissions import admin_required
from portal.extensions import db
from portal.forms import page_number
from portal.models import DataRequestKind
from portal.reports.forms import ReportFilterForm
from portal.review.forms import ChoiceField
from portal.services import data_request_log as service
from portal.services.report_filters import report_programs
from portal.web import csv_download, no_store

REQUESTS_PER_PAGE = 50


def _optional_kind(value: str | DataRequestKind | None) -> DataRequestKind | None:
    return None if value in (None, "") else DataRequestKind(value)


class DataRequestFilterForm(ReportFilterForm):
    """The reports' program and dates, and a kind; a bad value is shown beside its field and not applied."""

    kind = ChoiceField("Kind", coerce=_optional_kind, default=None)

    def __init__(self, formdata, programs) -> None:
        super().__init__(formdata, programs)
        self.kind.choices = [
            SelectChoice("", "Any kind"),
            *(SelectChoice(kind.value, service.KIND_WORDS[kind]) for kind in DataRequestKind),
        ]

    def chosen_kind(self) -> DataRequestKind | None:
        return None if self.kind.errors else self.kind.data

    def query_args(self) -> dict[str, str]:
        """The valid filters as GET parameters, for the CSV link and the pages."""
        kind = self.chosen_kind()
        return {**self.filters().query_args(), **({"kind": kind.value} if kind else {})}


def _filter_form() -> DataRequestFilterForm:
    form = DataRequestFilterForm(request.args, report_programs(current_user))
    form.validate()
    if form.asks_for_another_program:
        abort(404)
    return form


@bp.get("/data-requests")
@admin_required
def data_requests():
    form = _filter_form()
    filters, kind, args = form.filters(), form.chosen_kind(), form.query_args()
    page = db.paginate(
        service.requests_query(filters, kind),
        page=page_number(),
        error_out=False,
        per_page=REQUESTS_PER_PAGE,
        max_per_page=REQUESTS_PER_PAGE,
        count=True,
    )
    html = render_template(
        "admin/data_requests.html",
        form=form,
        filtered=bool(args),
        rows=list(page.items),
        titles=service.program_titles(),
        page=page,
        counts=service.counts_per_kind(filters),
        words=service.KIND_WORDS,
        export_url=url_for("admin.data_requests_export", **args),
        next_url=url_for("admin.data_requests", page=page.next_num, **args) if page.has_next else None,
        prev_url=url_for("admin.data_requests", page=page.prev_num, **args) if page.has_prev else None,
    )
    return no_store((html, 422 if form.errors else 200))


@bp.get("/data-requests/export.csv")
@admin_required
def data_requests_export():
    form = _filter_form()
    if form.errors:  # only a hand-edited address gets here: the page's link carries valid filters only
        return data_requests()
    rows = service.csv_rows(form.filters(), form.chosen_kind())
    return csv_download(rows, f"data-requests-{date.today().isoformat()}")
