"""Compliance for supervisors and admins: each intern's weeks, risks and waiting approvals on one page.

Supervisors see their own interns, admins everyone. The page costs the same few queries whatever the
number of interns and weeks (``services.progress.compliance_page``).
"""

from __future__ import annotations

from datetime import date

from flask import render_template, url_for
from flask_login import current_user

from portal.auth.permissions import staff_required
from portal.database import utcnow
from portal.forms import page_number
from portal.models import Role
from portal.rules.compliance import APPROVAL_WAIT_DAYS, LEARNING_WINDOW_WEEKS, RISK_RUN_WEEKS, RISK_WINDOW_WEEKS
from portal.services import progress as service
from portal.timesheets.blueprint import bp


@bp.get("/compliance")
@staff_required
def compliance():
    today = date.today()
    page = service.compliance_page(current_user, today=today, now=utcnow(), page=page_number())
    previous_month = (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
    return render_template(
        "timesheets/compliance.html",
        page=page,
        today=today,
        show_supervisor=current_user.role == Role.ADMIN,
        approval_wait_days=APPROVAL_WAIT_DAYS,
        risk_run_weeks=RISK_RUN_WEEKS,
        risk_window_weeks=RISK_WINDOW_WEEKS,
        learning_window_weeks=LEARNING_WINDOW_WEEKS,
        default_month=f"{previous_month[0]:04d}-{previous_month[1]:02d}",
        approvals_url=url_for("timesheets.approvals"),
    )
