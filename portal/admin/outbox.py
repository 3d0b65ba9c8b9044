"""Admin: The outbox: queued, sending, sent and failed email; failed messages can be retried.

No message body is shown or even loaded here: bodies hold private links (status pages, invitations).
"""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm

from portal.admin.blueprint import bp
from portal.auth.permissions import admin_required
from portal.extensions import db
from portal.forms import page_number
from portal.services import outbox as service
from portal.web import no_store, transaction

FAILED_PER_PAGE = 25


class RetryForm(FlaskForm):
    """A failed message's Retry button: only the CSRF token."""


def _render(error: str | None = None) -> str:
    page = db.paginate(
        service.failed_messages_query(),
        page=page_number(),
        error_out=False,
        per_page=FAILED_PER_PAGE,
        max_per_page=FAILED_PER_PAGE,
        count=True,
    )
    return render_template(
        "admin/outbox.html",
        counts={status.value: count for status, count in service.outbox_counts().items()},
        failed=list(page.items),
        page=page,
        error=error,
        transport=current_app.config["MAIL_TRANSPORT"],
        next_url=url_for("admin.outbox", page=page.next_num) if page.has_next else None,
        prev_url=url_for("admin.outbox", page=page.prev_num) if page.has_prev else None,
    )


@bp.get("/outbox")
@admin_required
def outbox():
    return no_store(_render())


@bp.post("/outbox/<int:message_id>/retry")
@admin_required
def outbox_retry(message_id: int):
    service.message_or_404(message_id)
    form = RetryForm()
    if not form.validate():
        return no_store((_render(error="The page had expired. Nothing was changed; press Retry again."), 400))
    with transaction(form, render=lambda error: no_store(_render(error=error.message))):
        service.retry_failed(message_id, actor=current_user)
    flash("The email is queued again and will be sent on the outbox's next run.", "success")
    return redirect(url_for("admin.outbox"))
