"""Raise a concern (intern rights): the form, and the intern's own concerns with admins' answers.

Only interns come here (staff get 403); supervisors never see a concern, anywhere. The concern is
about the intern's current placement. ``portal.services.concerns`` saves and audits it.
"""

from __future__ import annotations

from datetime import date

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user

from portal.auth.permissions import role_required
from portal.extensions import db
from portal.models import ConcernKind, Role
from portal.services import concerns as concern_service
from portal.services.progress import current_placement
from portal.timesheets.forms import ConcernForm
from portal.timesheets.routes import bp


def _render(form: ConcernForm | None = None, status: int = 200):
    placement = current_placement(current_user, date.today())
    if placement is None:
        abort(404)
    return (
        render_template(
            "timesheets/concerns.html",
            form=form or ConcernForm(formdata=None),
            placement=placement,
            concerns=concern_service.concerns_of(current_user),
        ),
        status,
    )


@bp.route("/concerns", methods=["GET", "POST"])
@role_required(Role.INTERN)
def concerns():
    placement = current_placement(current_user, date.today())
    if placement is None:
        abort(404)
    form = ConcernForm()
    if not form.is_submitted():
        return _render()
    if not form.validate():
        return _render(form, status=422)
    try:
        concern = concern_service.raise_concern(
            placement, intern=current_user, kind=ConcernKind(form.kind.data), details=form.details.data or ""
        )
        db.session.commit()
    except concern_service.ConcernRefused as refusal:
        db.session.rollback()
        target = getattr(form, refusal.field or "", None)
        if target is not None:
            target.errors = [*target.errors, str(refusal)]
        else:
            form.form_errors.append(str(refusal))
        return _render(form, status=422)
    flash(
        "Your concern was sent to the program's admins. Their answer will appear below, and we will email you.",
        "success",
    )
    return redirect(url_for("timesheets.concerns") + f"#concern-{concern.id}")
