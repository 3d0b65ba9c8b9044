"""The hours statement for school credit: a printable page, the same as a one-page PDF, and its public
verification page (by code, no sign-in, rate-limited per client).

Opening the statement issues it: an ``HoursStatement`` row keeps the figures shown and the code
printed on it (the same row again while the figures do not change).
"""

from __future__ import annotations

from datetime import date

from flask import current_app, render_template
from flask_login import current_user

from portal.auth.permissions import signed_in
from portal.database import utcnow
from portal.extensions import limiter
from portal.services import progress as progress_service
from portal.services import statements as service
from portal.services.audit import record_event
from portal.services.timesheets import viewable_placement_or_404
from portal.timesheets.blueprint import bp
from portal.web import no_store, transaction

VERIFY_LIMIT = "30 per minute;300 per day"


def _issued(placement_id: int):
    """Opening the statement records it as issued (the figures shown and their code): a record of a read."""
    placement = viewable_placement_or_404(placement_id, current_user)
    with transaction():
        progress = progress_service.placement_progress(placement, today=date.today(), now=utcnow())
        statement = service.issue_statement(progress)
    return placement, statement


def _render_statement(placement, statement, *, for_pdf: bool) -> str:
    return render_template(
        "timesheets/hours_statement.html",
        placement=placement,
        statement=statement,
        view=service.StatementView.from_figures(statement.figures),
        verify_url=service.verify_url(statement.code),
        for_pdf=for_pdf,
        own=current_user.id == placement.intern_id,
    )


@bp.get("/placements/<int:placement_id>/statement")
@signed_in
def hours_statement(placement_id: int):
    placement, statement = _issued(placement_id)
    return no_store(_render_statement(placement, statement, for_pdf=False))


@bp.get("/placements/<int:placement_id>/statement.pdf")
@signed_in
def hours_statement_pdf(placement_id: int):
    placement, statement = _issued(placement_id)
    try:
        pdf = service.render_pdf(_render_statement(placement, statement, for_pdf=True))
    except service.PdfUnavailable as error:
        current_app.logger.error("hours statement PDF unavailable: %s", error)
        return render_template("timesheets/pdf_unavailable.html", placement=placement), 503
    with transaction():  # a download of an intern's hours is recorded: who took it, which statement
        record_event(
            "statement.downloaded",
            target_type="placement",
            target_id=placement.id,
            actor=current_user,
            details={"code": statement.code},
        )
    response = current_app.response_class(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="hours-statement-{statement.code}.pdf"'
    return no_store(response)


@bp.get("/verify/<code>")
@limiter.limit(VERIFY_LIMIT)
def verify_statement(code: str):
    statement = service.find_statement(code)
    if statement is None:
        return render_template("timesheets/verify_unknown.html", code=code[:40]), 404
    return render_template(
        "timesheets/verify.html",
        statement=statement,
        view=service.StatementView.from_figures(statement.figures),
        verify_url=service.verify_url(statement.code),
    )
