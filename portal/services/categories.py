"""A program's activity categories, each learning or operational (the admin's Activity categories tab).

Changes go through ``portal.services.ordered_items`` with ``CATEGORIES``: a retired category is no
longer offered on the timesheet, but hours already logged in it keep it (and its kind, so the
learning share of past weeks does not move). A category with entries cannot be deleted.
"""

from __future__ import annotations

from portal.models import ActivityCategory, TimesheetEntry
from portal.services.ordered_items import ItemList

CATEGORIES = ItemList(
    model=ActivityCategory,
    noun="category",
    action_prefix="category",
    target_type="activity_category",
    items=lambda program: program.categories,
    fields=("name", "is_learning"),
    used_by=TimesheetEntry.category_id,
    in_use="Interns have logged hours in this category; retire it instead so their hours keep it",
    last_active="Interns need at least one category to log hours in: add another before retiring or deleting this one",
    retired_note="no longer offered on timesheets; hours already logged in it keep it.",
    fixed_once_used=("is_learning",),
    fixed_message=(
        "Interns have logged hours in this category, so it stays learning or operational as it was (their "
        "weeks' learning share must not move): retire it and add a new category instead"
    ),
)
