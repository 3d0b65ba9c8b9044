"""Development mail: the "Sent mail" page, and the hook that prints mail instead of sending it.

With ``MAIL_TRANSPORT = "dev"`` (the development default) the app itself delivers the outbox after
each request that queued mail: to the server's terminal (see ``outbox.install_dev_delivery``). This
page shows the same messages in full, links clickable, to admins; it exists only in development.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import abort, current_app, render_template, url_for
from sqlalchemy import select

from portal.admin.blueprint import bp
from portal.auth.permissions import role_required
from portal.extensions import db
from portal.forms import page_number
from portal.models import OutboxMessage, Role
from portal.services.outbox import install_dev_delivery

MESSAGES_PER_PAGE = 50

bp.record_once(lambda state: install_dev_delivery(state.app))


def development_only(view: Callable) -> Callable:
    """Outside development the page does not exist, for everyone (signed in or not)."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        if current_app.config["ENV"] != "development":
            abort(404)
        return view(*args, **kwargs)

    return wrapper


@bp.get("/mail")
@development_only
@role_required(Role.ADMIN)
def sent_mail():
    page = db.paginate(
        select(OutboxMessage).order_by(OutboxMessage.id.desc()),
        page=page_number(),
        per_page=MESSAGES_PER_PAGE,
        max_per_page=MESSAGES_PER_PAGE,
        count=True,
    )
    return render_template(
        "admin/mail.html",
        messages=list(page.items),
        page=page,
        transport=current_app.config["MAIL_TRANSPORT"],
        next_url=url_for("admin.sent_mail", page=page.next_num) if page.has_next else None,
        prev_url=url_for("admin.sent_mail", page=page.prev_num) if page.has_prev else None,
    )
