"""The review queue: the applications of the programs a supervisor reviews, and their CSV export."""

from __future__ import annotations

from datetime import date

from flask import current_app, render_template, request, url_for
from flask_login import current_user

from portal.auth.permissions import staff_required
from portal.extensions import db
from portal.models import User
from portal.review.queue_forms import SORT_LABELS, QueueFilterForm
from portal.review.routes import bp
from portal.services import queue as service
from portal.services.audit import record_event
from portal.services.spreadsheets import rows_to_csv


def _signed_in_user() -> User:
    return current_user._get_current_object()  # the User row, not Flask-Login's proxy


def _page_number() -> int:
    try:
        return max(1, int(request.args.get("page", "1")))
    except ValueError:
        return 1


def _no_store(response):
    """Applicants' personal data: never kept in a shared or browser cache."""
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/")
@staff_required
def queue():
    user = _signed_in_user()
    programs = service.visible_programs(user)
    form = QueueFilterForm(request.args, programs=programs)
    form.validate()
    sort = form.sort_order()
    result = service.build_queue(user, programs, form.filters(), sort, page=_page_number())
    args = form.query_args()

    def queue_url(**changes) -> str:
        """This queue with some parameters changed (None drops one); page 1 unless ``page`` is given."""
        merged = {**args, **changes}
        return url_for("review.queue", **{key: value for key, value in merged.items() if value not in (None, "")})

    def application_url(application_id: int) -> str | None:
        if "review.application" not in current_app.view_functions:
            return None  # the application page comes with its own issue
        return url_for("review.application", application_id=application_id)

    return _no_store(
        current_app.make_response(
            render_template(
                "review/queue.html",
                form=form,
                result=result,
                sort=sort.value,
                sort_label=SORT_LABELS[sort.value],
                queue_url=queue_url,
                application_url=application_url,
                export_url=url_for("review.export", **args),
                filtered=any(key != "sort" for key in args),
            )
        )
    )


@bp.get("/export.csv")
@staff_required
def export():
    user = _signed_in_user()
    programs = service.visible_programs(user)
    form = QueueFilterForm(request.args, programs=programs)
    form.validate()
    filters = form.filters()
    rows = service.export_rows(user, programs, filters, form.sort_order())
    # An export of personal data is recorded: who took it, with which filters.
    record_event(
        "applications.exported",
        target_type="program",
        target_id=filters.program_id,
        actor=user,
        details={"filters": form.query_args(), "rows": len(rows) - 1},
    )
    db.session.commit()
    response = current_app.response_class(rows_to_csv(rows), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="applications-{date.today().isoformat()}.csv"'
    return _no_store(response)
