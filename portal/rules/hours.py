"""Reading and showing durations, and the daily/weekly caps on logged hours."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from portal.rules.settings import ProgramRules

DURATION_HELP = "Enter hours like 2:30, 2.5 or 2h30"
_ZERO_MESSAGE = "Enter a time longer than zero, like 2:30, 2.5 or 2h30"
_MINUTES_MESSAGE = "Minutes must be under 60: enter hours like 2:30, 2.5 or 2h30"

_NUMBER = r"[0-9]+(?:[.,][0-9]+)?|[.,][0-9]+"
_HOURS_UNIT = r"h|hr|hrs|hour|hours"
_MINUTES_UNIT = r"m|min|mins|minute|minutes"

_COLON = re.compile(r"([0-9]+):([0-9]{1,2})")
_DECIMAL_HOURS = re.compile(rf"({_NUMBER})(?:\s*(?:{_HOURS_UNIT}))?")
_HOURS_AND_MINUTES = re.compile(
    rf"([0-9]+)\s*(?:{_HOURS_UNIT})\s*([0-9]+)(?:\s*(?:{_MINUTES_UNIT}))?"
)
_MINUTES_ONLY = re.compile(rf"([0-9]+)\s*(?:{_MINUTES_UNIT})")


def format_minutes(minutes: int) -> str:
    """Show a duration the way people say it ("1 h 30 min"), for messages and statements."""
    if minutes < 0:
        return "-" + format_minutes(-minutes)
    hours, rest = divmod(minutes, 60)
    if rest == 0:
        return f"{hours} h"
    if hours == 0:
        return f"{rest} min"
    return f"{hours} h {rest} min"


def _decimal_hours_to_minutes(text: str) -> int:
    hours = Decimal(text.replace(",", "."))
    return int((hours * 60).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def parse_duration(text: str) -> int:
    """Read what people type in an hours box (2:30, 2.5, 2,5, 2h30, 90m) as minutes.

    Raises ValueError with a message fit to show next to the field; zero is refused.
    """
    cleaned = " ".join(text.strip().lower().split())
    if (match := _COLON.fullmatch(cleaned)) or (match := _HOURS_AND_MINUTES.fullmatch(cleaned)):
        hours, minutes = int(match[1]), int(match[2])
        if minutes >= 60:
            raise ValueError(_MINUTES_MESSAGE)
        total = hours * 60 + minutes
    elif match := _MINUTES_ONLY.fullmatch(cleaned):
        total = int(match[1])
    elif match := _DECIMAL_HOURS.fullmatch(cleaned):
        total = _decimal_hours_to_minutes(match[1])
    else:
        raise ValueError(DURATION_HELP)
    if total <= 0:
        raise ValueError(_ZERO_MESSAGE)
    return total


@dataclass(frozen=True)
class CapCheck:
    """Whether an entry fits the caps; ``minutes_left`` is the most that could be added before it."""

    ok: bool
    message: str | None
    minutes_left: int


def check_entry_caps(
    new_minutes: int,
    day_minutes_already: int,
    week_minutes_already: int,
    rules: ProgramRules,
) -> CapCheck:
    """Refuse an entry that would push the day or week past its cap, saying how much time is left.

    Reaching a cap exactly is allowed. When editing an entry, leave its old minutes out of the totals.
    """
    day_left = max(rules.max_day_minutes - day_minutes_already, 0)
    week_left = max(rules.max_week_minutes - week_minutes_already, 0)
    minutes_left = min(day_left, week_left)
    if new_minutes <= minutes_left:
        return CapCheck(ok=True, message=None, minutes_left=minutes_left)
    if week_left <= day_left:
        period, cap = "week", rules.max_week_minutes
    else:
        period, cap = "day", rules.max_day_minutes
    message = (
        f"This entry would take the {period} over {format_minutes(cap)}: "
        f"{format_minutes(minutes_left)} left."
    )
    return CapCheck(ok=False, message=message, minutes_left=minutes_left)
