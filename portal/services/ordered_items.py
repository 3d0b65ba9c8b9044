"""Adding, changing, moving, retiring, restoring and deleting the items of a program's ordered lists.

A program's rubric criteria and activity categories behave alike (``portal.rules.ordered_items``):
each list's ``ItemList`` (``RUBRIC`` in ``portal.services.rubric``, ``CATEGORIES`` in
``portal.services.categories``) says what it is called, how its items are audited and which rows use
an item (scores, timesheet entries). Every change is audited; nothing here commits.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import abort
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from portal.extensions import db
from portal.models import Program, User
from portal.rules.ordered_items import DOWN, UP, moved, name_problem
from portal.services.audit import record_event
from portal.services.errors import Refused


@dataclass(frozen=True)
class ItemList:
    """One kind of list: its model, its words, its audit names and the column of the rows that use an item."""

    model: type  # RubricCriterion
    noun: str  # "criterion"
    action_prefix: str  # "rubric.criterion" → "rubric.criterion_added"
    target_type: str  # the audit's target type
    items: Callable[[Program], list]  # the program's items, in position order (retired ones too)
    fields: tuple[str, ...]  # what the admin edits, shown in the audit's before → after
    used_by: Any  # the foreign key of the rows that use an item (Score.criterion_id)
    in_use: str  # why a used item cannot be deleted
    last_active: str  # why the last active item cannot go
    retired_note: str  # what retiring means, after "Retired “name”: "
    fixed_once_used: tuple[str, ...] = ()  # fields that cannot change once rows use the item (their meaning)
    fixed_message: str = ""  # why, beside the field

    def action(self, verb: str) -> str:
        """The audit action: "rubric.criterion_added", "category.added"."""
        separator = "_" if "." in self.action_prefix else "."
        return f"{self.action_prefix}{separator}{verb}"

    def snapshot(self, item: Any) -> dict[str, Any]:
        """The item's editable fields, for the audit's before → after."""
        return {name: getattr(item, name) for name in self.fields}

    def uses(self, item: Any) -> int:
        """How many rows use the item (scores, timesheet entries)."""
        if item.id is None:
            return 0
        return db.session.scalar(select(func.count()).where(self.used_by == item.id)) or 0


def use_counts(kind: ItemList, program: Program) -> dict[int, int]:
    """How many rows use each of the program's items (one query): an item with none can be deleted."""
    rows = db.session.execute(
        select(kind.used_by, func.count())
        .join(kind.model, kind.model.id == kind.used_by)
        .where(kind.model.program_id == program.id)
        .group_by(kind.used_by)
    )
    return {item_id: count for item_id, count in rows}


def item_or_404(kind: ItemList, program: Program, item_id: int) -> Any:
    """One item of this program's list, or 404 (an item of another program is not found either)."""
    item = next((item for item in kind.items(program) if item.id == item_id), None)
    if item is None:
        abort(404)
    return item


def active(kind: ItemList, program: Program) -> list:
    """The items asked or offered now, in order."""
    return [item for item in kind.items(program) if item.retired_at is None]


def _audit(kind: ItemList, verb: str, item: Any, program: Program, actor: User, **details: Any) -> None:
    record_event(
        kind.action(verb),
        target_type=kind.target_type,
        target_id=item.id,
        actor=actor,
        details={"program_id": program.id, "name": item.name, **details},
    )


def check_name(kind: ItemList, program: Program, name: str, *, editing: Any = None) -> None:
    """Refuse a name that is empty, too long, or another item's (retired ones included), beside the name field."""
    others = [(item.name, item.retired_at is not None) for item in kind.items(program) if item is not editing]
    problem = name_problem(name, others, noun=kind.noun)
    if problem:
        raise Refused(problem, field="name")


def _flush_name(kind: ItemList, name: str) -> None:
    """Flush; the same name saved at the same moment by another request (a double click) is refused, not a 500."""
    try:
        db.session.flush()
    except IntegrityError:  # the caller's transaction rolls back
        raise Refused(f"There is already a {kind.noun} called “{name}”: choose another name", field="name") from None


def add(kind: ItemList, program: Program, values: dict[str, Any], *, actor: User) -> Any:
    """A new item at the end of the list: asked or offered from now on."""
    check_name(kind, program, values["name"])
    items = kind.items(program)
    item = kind.model(**values, position=max((other.position for other in items), default=-1) + 1)
    items.append(item)
    _flush_name(kind, item.name)
    _audit(kind, "added", item, program, actor, after=kind.snapshot(item))
    return item


def change(kind: ItemList, program: Program, item: Any, values: dict[str, Any], *, actor: User) -> bool:
    """Apply ``values`` to the item; audits before → after and returns whether anything changed."""
    check_name(kind, program, values["name"], editing=item)
    for name in kind.fixed_once_used:
        if name in values and values[name] != getattr(item, name) and kind.uses(item):
            raise Refused(kind.fixed_message, field=name)
    before = kind.snapshot(item)
    for name, value in values.items():
        setattr(item, name, value)
    after = kind.snapshot(item)
    if before == after:
        return False
    _flush_name(kind, item.name)
    _audit(kind, "changed", item, program, actor, before=before, after=after)
    return True


def move(kind: ItemList, program: Program, item: Any, step: int, *, actor: User) -> bool:
    """Move an active item one place up or down among the active ones; False at either end."""
    if item.retired_at is not None or step not in (UP, DOWN):
        raise Refused(f"Only an active {kind.noun} can be moved.")
    current = active(kind, program)
    order = moved([other.id for other in current], item.id, step)
    if order == [other.id for other in current]:
        return False
    positions = sorted(other.position for other in current)
    by_id = {other.id: other for other in current}
    for position, item_id in zip(positions, order, strict=True):
        by_id[item_id].position = position
    if len(set(positions)) < len(positions):  # old rows may share a position: number them afresh
        for position, item_id in enumerate(order, start=min(positions)):
            by_id[item_id].position = position
    kind.items(program).sort(key=lambda other: other.position)
    db.session.flush()
    _audit(kind, "moved", item, program, actor, to_position=order.index(item.id) + 1)
    return True


def retire(kind: ItemList, program: Program, item: Any, *, actor: User, now: datetime) -> None:
    """Retire an item: no longer asked or offered, kept wherever it was used. The last active one stays."""
    if item.retired_at is not None:
        return
    if len(active(kind, program)) <= 1:
        raise Refused(kind.last_active)
    item.retired_at = now
    db.session.flush()
    _audit(kind, "retired", item, program, actor, uses=kind.uses(item))


def restore(kind: ItemList, program: Program, item: Any, *, actor: User) -> None:
    """Bring a retired item back, at the end of the active ones (refused if an active one took its name)."""
    if item.retired_at is None:
        return
    check_name(kind, program, item.name, editing=item)
    item.retired_at = None
    item.position = max((other.position for other in kind.items(program)), default=-1) + 1
    kind.items(program).sort(key=lambda other: other.position)
    db.session.flush()
    _audit(kind, "restored", item, program, actor)


def delete(kind: ItemList, program: Program, item: Any, *, actor: User) -> None:
    """Delete an item nothing uses; a used item is refused (retire it instead), and so is the last active one."""
    if kind.uses(item):
        raise Refused(kind.in_use)
    if item.retired_at is None and len(active(kind, program)) <= 1:
        raise Refused(kind.last_active)
    snapshot = kind.snapshot(item)
    _audit(kind, "deleted", item, program, actor, before=snapshot)
    kind.items(program).remove(item)
    db.session.flush()


#: The buttons beside an item: the action's name in the address → what is done.
ACTIONS = ("up", "down", "retire", "restore", "delete")


def apply(kind: ItemList, program: Program, item: Any, action: str, *, actor: User, now: datetime) -> str:
    """Run one of ``ACTIONS`` on an item; returns the message for the page (a refusal raises ``Refused``)."""
    name = f"“{item.name}”"
    if action in ("up", "down"):
        done = move(kind, program, item, UP if action == "up" else DOWN, actor=actor)
        return f"Moved {name} {action}." if done else f"{name} is already at the {'top' if action == 'up' else 'end'}."
    if action == "retire":
        retire(kind, program, item, actor=actor, now=now)
        return f"Retired {name}: {kind.retired_note}"
    if action == "restore":
        restore(kind, program, item, actor=actor)
        return f"Restored {name}, at the end of the list."
    if action == "delete":
        delete(kind, program, item, actor=actor)
        return f"Deleted {name}."
    abort(404)
