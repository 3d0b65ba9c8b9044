"""Concerns raised by interns, for admins only: read them and answer (the intern is emailed a link)."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from portal.admin.blueprint import bp
from portal.auth.permissions import role_required
from portal.extensions import db
from portal.forms import AnswerForm, page_number
from portal.models import Concern, Role
from portal.services import concerns as concern_service
from portal.web import transaction

CONCERNS_PER_PAGE = 25


def answer_form(concern: Concern, **kwargs) -> AnswerForm:
    """One answer form per concern on the page; the prefix keeps their field ids apart."""
    return AnswerForm(prefix=f"concern-{concern.id}", **kwargs)


def _render(failed: tuple[int, AnswerForm] | None = None) -> str:
    page = db.paginate(
        concern_service.all_concerns(), page=page_number(), per_page=CONCERNS_PER_PAGE, max_per_page=CONCERNS_PER_PAGE
    )
    forms = {concern.id: answer_form(concern, formdata=None, data={"answer": concern.answer}) for concern in page.items}
    if failed is not None:
        forms[failed[0]] = failed[1]
    return render_template(
        "admin/concerns.html",
        concerns=list(page.items),
        forms=forms,
        page=page,
        open_count=concern_service.open_concerns_count(),
        next_url=url_for("admin.concerns", page=page.next_num) if page.has_next else None,
        prev_url=url_for("admin.concerns", page=page.prev_num) if page.has_prev else None,
    )


@bp.get("/concerns")
@role_required(Role.ADMIN)
def concerns():
    return _render()


@bp.post("/concerns/<int:concern_id>/answer")
@role_required(Role.ADMIN)
def answer_concern(concern_id: int):
    concern = concern_service.concern_or_404(concern_id)
    form = answer_form(concern)
    if not form.validate():
        return _render((concern.id, form)), 422
    with transaction(form, render=lambda error: _render((concern_id, form))):
        concern_service.answer_concern(concern, admin=current_user, answer=form.answer.data or "")
    who = concern.raised_by.full_name or concern.raised_by.email
    flash(f"Answer saved: {who} was emailed that you answered.", "success")
    return redirect(url_for("admin.concerns") + f"#concern-{concern.id}")
