"""Raise a concern (intern rights): the form, and the intern's own concerns with admins' answers.

Only interns come here (staff get 403); supervisors never see a concern, anywhere. The concern is
about the intern's current placement. ``portal.services.concerns`` saves and audits it.
"""

from __future__ import annotations

from datetime import date

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user

from portal.auth.permissions import role_required
from portal.models import ConcernKind, Role
from portal.services import concerns as concern_service
from portal.services.progress import current_placement
from portal.timesheets.blueprint import bp
from portal.timesheets.forms import ConcernForm
from portal.web import transaction


def _placement_or_404(today: date):
    placement = current_placement(current_user, today)
    if placement is None:
        abort(404)
    return placement


def _render(form: ConcernForm | None = None) -> str:
    return render_template(
        "timesheets/concerns.html",
        form=form or ConcernForm(formdata=None),
        placement=_placement_or_404(date.today()),
        concerns=concern_service.concerns_of(current_user),
    )


@bp.route("/concerns", methods=["GET", "POST"])
@role_required(Role.INTERN)
def concerns():
    placement = _placement_or_404(date.today())
    form = ConcernForm()
    if not form.is_submitted():
        return _render()
    if not form.validate():
        return _render(form), 422
    with transaction(form, render=lambda error: _render(form)):
        concern = concern_service.raise_concern(
            placement, intern=current_user, kind=ConcernKind(form.kind.data), details=form.details.data or ""
        )
    flash(
        "Your concern was sent to the program's admins. Their answer will appear below, and we will email you.",
        "success",
    )
    return redirect(url_for("timesheets.concerns") + f"#concern-{concern.id}")
