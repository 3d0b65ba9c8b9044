"""A program's settings checked together: hours rules, stipend tiers and the posting's windows.

Pure functions (no Flask, no database): the admin's typed text in, ``{field: message}`` out, so
every message can be shown beside its own field and nothing typed is lost.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from portal.rules.settings import StipendTier
from portal.rules.stipends import tier_for_average

HOURS_IN_WEEK = 168
HOURS_IN_DAY = 24
MAX_BODY_CHARS = 100_000
#: Ceilings that keep typed numbers inside the database's integers (and inside reason).
MAX_PLACES = 10_000
MAX_MONTHLY_CENTS = 100_000_00
#: The hours shown in "What each weekly average pays".
PREVIEW_HOURS = (15, 20, 25, 30, 35, 40)

_HOURS = re.compile(r"^\d{1,3}(\.(0|00|5|50))?$")
_AMOUNT = re.compile(r"^\$?\s*(\d{1,3}(,\d{3})+|\d+)(\.\d{1,2})?$")


@dataclass(frozen=True)
class TierRow:
    """One row of the tier editor as typed: from-hours and the monthly amount (both text)."""

    from_hours: str
    amount: str
    remove: bool = False

    @property
    def is_blank(self) -> bool:
        return not self.from_hours.strip() and not self.amount.strip()


@dataclass(frozen=True)
class RulesInput:
    """The Rules tab as typed."""

    weekly_min: str
    weekly_max: str
    daily_max: str
    min_weeks: str
    stipend_threshold: str
    tiers: tuple[TierRow, ...]


@dataclass(frozen=True)
class ParsedRules:
    """The Rules tab in the units the program stores: minutes, weeks and integer cents."""

    min_week_minutes: int
    max_week_minutes: int
    max_day_minutes: int
    min_weeks: int
    stipend_min_week_minutes: int
    tiers: tuple[StipendTier, ...]


def parse_hours(text: str) -> int | None:
    """Hours typed as "15" or "12.5" (whole or half hours) as minutes; None for anything else."""
    text = (text or "").strip()
    if not _HOURS.match(text):
        return None
    whole, _, fraction = text.partition(".")
    return int(whole) * 60 + (30 if fraction.startswith("5") else 0)


def parse_amount(text: str) -> int | None:
    """Dollars typed as "500", "750.50" or "$1,000" as integer cents; None for anything else."""
    text = (text or "").strip()
    if not _AMOUNT.match(text):
        return None
    text = text.lstrip("$").strip().replace(",", "")
    dollars, _, cents = text.partition(".")
    return int(dollars) * 100 + int((cents + "00")[:2])


def hours_text(minutes: int) -> str:
    """Minutes as the hours an admin types: 900 → "15", 750 → "12.5"."""
    whole, rest = divmod(minutes, 60)
    return f"{whole}" if rest == 0 else f"{minutes / 60:g}"


def amount_text(cents: int) -> str:
    """Cents as the amount an admin types: 50000 → "500", 75050 → "750.50"."""
    dollars, rest = divmod(cents, 100)
    return f"{dollars}" if rest == 0 else f"{dollars}.{rest:02d}"


_HOURS_MESSAGE = "Enter hours as a whole or half number, like 15 or 12.5"


def _hours(value: str, field: str, label: str, errors: dict[str, str]) -> int | None:
    minutes = parse_hours(value)
    if minutes is None:
        errors[field] = f"{label}: {_HOURS_MESSAGE[0].lower()}{_HOURS_MESSAGE[1:]}"
    return minutes


def check_tiers(rows: tuple[TierRow, ...] | list[TierRow]) -> tuple[tuple[StipendTier, ...], dict[str, str]]:
    """Tiers kept (blank and removed rows dropped), sorted by hours, and messages keyed "tiers-N-field"."""
    errors: dict[str, str] = {}
    kept: list[tuple[int, StipendTier]] = []
    first_row_for: dict[int, int] = {}
    for index, row in enumerate(rows):
        if row.remove or row.is_blank:
            continue
        minutes = parse_hours(row.from_hours)
        cents = parse_amount(row.amount)
        if minutes is None:
            errors[f"tiers-{index}-from_hours"] = f"Tier {index + 1}: {_HOURS_MESSAGE[0].lower()}{_HOURS_MESSAGE[1:]}"
        elif minutes > HOURS_IN_WEEK * 60:
            errors[f"tiers-{index}-from_hours"] = f"Tier {index + 1}: a week has only {HOURS_IN_WEEK} hours"
        elif minutes in first_row_for:
            errors[f"tiers-{index}-from_hours"] = (
                f"Tier {index + 1} starts at {hours_text(minutes)} h, like tier {first_row_for[minutes] + 1}: "
                "two tiers cannot start at the same hours"
            )
        if cents is None:
            errors[f"tiers-{index}-amount"] = (
                f"Tier {index + 1}: enter the monthly amount in dollars and cents, like 500 or 750.50"
            )
        elif cents > MAX_MONTHLY_CENTS:
            errors[f"tiers-{index}-amount"] = f"Tier {index + 1}: at most ${MAX_MONTHLY_CENTS // 100:,} a month"
            cents = None
        if minutes is not None and cents is not None and f"tiers-{index}-from_hours" not in errors:
            first_row_for[minutes] = index
            kept.append((index, StipendTier(minutes, cents)))
    kept.sort(key=lambda pair: pair[1].min_average_minutes)
    if not kept and not errors:
        errors["tiers"] = "Add at least one tier (from 0 h, even if it pays $0)"
    elif kept and kept[0][1].min_average_minutes > 0:
        first = hours_text(kept[0][1].min_average_minutes)
        errors["tiers"] = f"Averages under {first} h pay nothing: add a tier from 0 h"
    for (_, lower), (index, higher) in zip(kept, kept[1:], strict=False):
        if higher.monthly_cents < lower.monthly_cents:
            errors.setdefault(
                f"tiers-{index}-amount",
                f"Tier {index + 1} pays less than the tier below it: more hours cannot pay less",
            )
    return tuple(tier for _, tier in kept), errors


def pay_table(tiers: tuple[StipendTier, ...] | list[StipendTier]) -> list[tuple[int, int]]:
    """What each weekly average in ``PREVIEW_HOURS`` pays a month, by the statements' own tier rule."""
    return [(hours, tier_for_average(hours * 60, 1, tiers).monthly_cents) for hours in PREVIEW_HOURS]


def check_rules(typed: RulesInput) -> tuple[ParsedRules | None, dict[str, str]]:
    """The Rules tab's values as stored settings, or every problem at once beside its field."""
    errors: dict[str, str] = {}
    weekly_min = _hours(typed.weekly_min, "weekly_min", "Weekly minimum", errors)
    weekly_max = _hours(typed.weekly_max, "weekly_max", "Weekly maximum", errors)
    daily_max = _hours(typed.daily_max, "daily_max", "Daily maximum", errors)
    threshold = _hours(typed.stipend_threshold, "stipend_threshold", "Stipend threshold", errors)
    min_weeks = int(typed.min_weeks) if re.fullmatch(r"[0-9]{1,4}", typed.min_weeks.strip()) else None
    if min_weeks is None or min_weeks < 1:
        errors["min_weeks"] = "Minimum weeks: enter a whole number of weeks, at least 1"
    if weekly_min is not None and weekly_min <= 0:
        errors["weekly_min"] = "The weekly minimum must be more than 0 h"
    if weekly_max is not None and weekly_max > HOURS_IN_WEEK * 60:
        errors["weekly_max"] = f"The weekly maximum cannot be more than {HOURS_IN_WEEK} h (the hours in a week)"
    if weekly_min is not None and weekly_max is not None and weekly_min > weekly_max and "weekly_max" not in errors:
        errors["weekly_min"] = (
            f"The weekly minimum ({hours_text(weekly_min)} h) is above the weekly maximum ({hours_text(weekly_max)} h)"
        )
    if daily_max is not None:
        if daily_max <= 0 or daily_max > HOURS_IN_DAY * 60:
            errors["daily_max"] = f"The daily maximum must be more than 0 h and at most {HOURS_IN_DAY} h"
        elif weekly_max is not None and daily_max > weekly_max:
            errors["daily_max"] = (
                f"The daily maximum ({hours_text(daily_max)} h) is above "
                f"the weekly maximum ({hours_text(weekly_max)} h)"
            )
    if threshold is not None and threshold > HOURS_IN_WEEK * 60:
        errors["stipend_threshold"] = f"The stipend threshold cannot be more than {HOURS_IN_WEEK} h"
    tiers, tier_errors = check_tiers(typed.tiers)
    errors.update(tier_errors)
    if errors:
        return None, errors
    assert weekly_min is not None and weekly_max is not None and daily_max is not None  # noqa: S101
    assert threshold is not None and min_weeks is not None  # noqa: S101
    return ParsedRules(weekly_min, weekly_max, daily_max, min_weeks, threshold, tiers), {}


def check_windows(
    *,
    applications_open: date | None,
    applications_close: date | None,
    start_window_start: date | None,
    start_window_end: date | None,
    places: int | None,
    places_taken: int,
) -> dict[str, str]:
    """The posting's dates and places checked together: windows in order, places not below those taken."""
    errors: dict[str, str] = {}
    if applications_open and applications_close and applications_close < applications_open:
        errors["applications_close"] = "Applications cannot close before they open"
    if start_window_start and start_window_end and start_window_end < start_window_start:
        errors["start_window_end"] = "The start window cannot end before it starts"
    if places is not None:
        if places < 0:
            errors["places"] = "Places cannot be negative"
        elif places > MAX_PLACES:
            errors["places"] = f"Places: at most {MAX_PLACES:,}"
        elif places < places_taken:
            errors["places"] = (
                f"{places_taken} place{'' if places_taken == 1 else 's'} already taken: places cannot be fewer"
            )
    return errors
