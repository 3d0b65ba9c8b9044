"""The intern's weekly reflection ("What did you learn this week?"): written on the week page, read by the
supervisor beside the week's hours, counted on the dashboard. Schools that give credit often ask for one.

Only the intern writes theirs, for a week of the placement that has begun; it may be changed later (it
is not part of the hours a supervisor approves, and writing it does not touch the week's version).
Emptying it removes it. Nothing here commits.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from portal.extensions import db
from portal.models import Placement, TimesheetWeek, User, WeekReflection
from portal.services.errors import Refused
from portal.services.timesheets import find_week, get_or_create_week, in_placement

#: About a page of text: a reflection is a few sentences, not a report.
MAX_REFLECTION_LENGTH = 2000
QUESTION = "What did you learn this week?"


def reflection_for(placement: Placement, monday: date) -> WeekReflection | None:
    return reflection_of(find_week(placement, monday))


def reflection_of(week: TimesheetWeek | None) -> WeekReflection | None:
    """The week's reflection (None for a week without a row, or without a reflection)."""
    if week is None or week.id is None:
        return None
    return db.session.scalar(select(WeekReflection).where(WeekReflection.week_id == week.id))


def save_reflection(
    placement: Placement, monday: date, text: str, *, actor: User, today: date
) -> WeekReflection | None:
    """Keep the intern's reflection on the week of ``monday`` (None when the text is empty: nothing is kept)."""
    if actor.id != placement.intern_id:
        raise Refused("Only the intern writes their own reflection.")
    if not in_placement(placement, monday) or monday > today:
        raise Refused("You can write about a week of your placement once it has begun.", field="reflection")
    text = text.strip()
    if len(text) > MAX_REFLECTION_LENGTH:
        raise Refused(
            f"Keep the reflection under {MAX_REFLECTION_LENGTH:,} characters (it has {len(text):,}).",
            field="reflection",
        )
    existing = reflection_for(placement, monday)
    if not text:
        if existing is not None:
            db.session.delete(existing)
        return None
    if existing is None:
        week = get_or_create_week(placement, monday)  # flushed: a new week has its id
        try:
            with db.session.begin_nested():
                existing = WeekReflection(week_id=week.id, text=text)
                db.session.add(existing)
        except IntegrityError:  # the same form sent twice at once (a double click): the other one won
            existing = reflection_of(week)
            if existing is None:  # pragma: no cover - the unique week_id names the other row
                raise
    existing.text = text
    return existing


def reflection_count(placement: Placement) -> int:
    """How many of the placement's weeks have a reflection (for the dashboard)."""
    return db.session.scalar(
        select(func.count(WeekReflection.id))
        .join(TimesheetWeek, TimesheetWeek.id == WeekReflection.week_id)
        .where(TimesheetWeek.placement_id == placement.id)
    ) or 0
