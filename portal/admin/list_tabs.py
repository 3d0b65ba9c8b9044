"""What the program tabs that edit an ordered list (rubric criteria, activity categories) do alike.

Each tab describes itself once in a ``ListTab`` (its list, its item form, whose fields are the list's
``fields``, and its page);
its routes call ``save_item`` (add or change, from the item form) and ``item_action`` (the buttons
beside each item: up, down, retire, restore, delete). Refusals are answered by ``transaction``: a
form's problem beside its field (422, what was typed kept), a button's beside its item.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import abort, flash, redirect, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm

from portal.database import utcnow
from portal.models import Program
from portal.services import ordered_items
from portal.services.ordered_items import ItemList
from portal.services.programs import program_for_admin_or_404
from portal.web import transaction


@dataclass(frozen=True)
class ListTab:
    """One tab's list and how its page is drawn: ``page(program, item_form=, editing=, problem=)``."""

    endpoint: str  # the tab's page, "admin.program_review"
    save_endpoint: str  # the item form's target (with item_id to change one)
    action_endpoint: str  # the buttons' target (item_id, action)
    anchor: str  # the list's id on the page, "rubric"
    kind: ItemList
    form: type[FlaskForm]
    page: Callable[..., Any]

    def url(self, program: Program, anchor: str | None = None, **args: Any) -> str:
        return url_for(self.endpoint, program_id=program.id, **args) + f"#{anchor or self.anchor}"


def editing_item(tab: ListTab, program: Program) -> Any:
    """The item named by ``?edit=<id>`` (its form is shown filled in), or None."""
    item_id = request.args.get("edit", type=int)
    return ordered_items.item_or_404(tab.kind, program, item_id) if item_id is not None else None


def save_item(tab: ListTab, program_id: int, item_id: int | None):
    """Add an item (``item_id`` None) or change one, from the tab's item form."""
    program = program_for_admin_or_404(program_id)
    editing = ordered_items.item_or_404(tab.kind, program, item_id) if item_id is not None else None
    form = tab.form()

    def again(error=None):
        return tab.page(program, item_form=form, editing=editing)

    if not form.validate():
        return again(), 422
    values = {name: form[name].data for name in tab.kind.fields}
    with transaction(form, render=again):
        if editing is None:
            item = ordered_items.add(tab.kind, program, values, actor=current_user)
            message = f"Added the {tab.kind.noun} “{item.name}”."
        else:
            item = editing
            changed = ordered_items.change(tab.kind, program, item, values, actor=current_user)
            message = f"Saved “{item.name}”." if changed else "Nothing changed."
    flash(message, "success")
    return redirect(tab.url(program, f"item-{item.id}"))


def item_action(tab: ListTab, program_id: int, item_id: int, action: str):
    """One of the buttons beside an item; a refusal is shown beside that item (422)."""
    if action not in ordered_items.ACTIONS:
        abort(404)
    program = program_for_admin_or_404(program_id)
    item = ordered_items.item_or_404(tab.kind, program, item_id)
    with transaction(render=lambda error: tab.page(program, problem=(item_id, error.message))):
        message = ordered_items.apply(tab.kind, program, item, action, actor=current_user, now=utcnow())
    flash(message, "success")
    return redirect(tab.url(program, None if action == "delete" else f"item-{item_id}"))
