"""Lists an admin names, orders and retires: a program's rubric criteria and its activity categories.

Both follow one rule set: names are unique within the program (ignoring case and repeated spaces,
and counting retired items, which keep their name on old scores and hours), the order moves one
place at a time, and an item that is used is retired rather than deleted. No Flask, no database.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

#: Longest name of a criterion or a category.
MAX_NAME_CHARS = 120
UP, DOWN = -1, 1


def name_key(name: str) -> str:
    """The form two names are compared in: "Event  Planning" and "event planning" are the same name."""
    return " ".join(name.split()).casefold()


def name_problem(name: str, others: Iterable[tuple[str, bool]], *, noun: str) -> str | None:
    """Why ``name`` cannot be used beside ``others`` ((name, retired) pairs of the same list), or None."""
    key = name_key(name)
    if not key:
        return f"Give the {noun} a name"
    if len(name) > MAX_NAME_CHARS:
        return f"Keep the name under {MAX_NAME_CHARS} characters"
    for other, retired in others:
        if name_key(other) == key:
            if retired:
                return f"A retired {noun} is called “{other}”: restore it, or choose another name"
            return f"There is already a {noun} called “{other}”: choose another name"
    return None


def moved(ids: Sequence[int], item_id: int, step: int) -> list[int]:
    """``ids`` with ``item_id`` moved one place up (``UP``) or down (``DOWN``); unchanged at either end."""
    order = list(ids)
    index = order.index(item_id)
    target = index + step
    if step not in (UP, DOWN) or not 0 <= target < len(order):
        return order
    order[index], order[target] = order[target], order[index]
    return order
