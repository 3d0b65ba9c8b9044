"""The review queue: the applications of the programs a supervisor reviews, and their CSV export."""

from __future__ import annotations

from datetime import date

from flask import render_template, request, url_for
from flask_login import current_user

from portal.auth.permissions import staff_required
from portal.forms import page_number
from portal.review.blueprint import bp
from portal.review.forms import SORT_LABELS, QueueFilterForm
from portal.services import queue as service
from portal.services.audit import record_event
from portal.web import csv_download, no_store, transaction


def _filter_form() -> tuple[list, QueueFilterForm]:
    """The programs the signed-in reviewer sees and the queue's filters read from the address."""
    programs = service.visible_programs(current_user)
    form = QueueFilterForm(request.args, programs=programs)
    form.validate()
    return programs, form


@bp.get("/")
@staff_required
def queue():
    programs, form = _filter_form()
    sort = form.sort_order()
    result = service.build_queue(current_user, programs, form.filters(), sort, page=page_number())
    args = form.query_args()

    def queue_url(**changes) -> str:
        """This queue with some parameters changed (None drops one); page 1 unless ``page`` is given."""
        merged = {**args, **changes}
        return url_for("review.queue", **{key: value for key, value in merged.items() if value not in (None, "")})

    return no_store(
        render_template(
            "review/queue.html",
            form=form,
            result=result,
            sort=sort.value,
            sort_label=SORT_LABELS[sort.value],
            queue_url=queue_url,
            export_url=url_for("review.export", **args),
            filtered=any(key != "sort" for key in args),
        )
    )


@bp.get("/export.csv")
@staff_required
def export():
    programs, form = _filter_form()
    filters = form.filters()
    rows = service.export_rows(current_user, programs, filters, form.sort_order())
    with transaction():  # an export of personal data is recorded: who took it, with which filters
        record_event(
            "applications.exported",
            target_type="program",
            target_id=filters.program_id,
            actor=current_user,
            details={"filters": form.query_args(), "rows": len(rows) - 1},
        )
    return csv_download(rows, f"applications-{date.today().isoformat()}")
