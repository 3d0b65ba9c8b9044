"""Per-program settings that every rule reads; defaults come from the Fall posting."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class StipendTier:
    """One stipend step: a weekly average at or above ``min_average_minutes`` pays ``monthly_cents``."""

    min_average_minutes: int
    monthly_cents: int


DEFAULT_TIERS: tuple[StipendTier, ...] = (
    StipendTier(min_average_minutes=0, monthly_cents=0),
    StipendTier(min_average_minutes=25 * 60, monthly_cents=50_000),
    StipendTier(min_average_minutes=30 * 60, monthly_cents=75_000),
    StipendTier(min_average_minutes=35 * 60, monthly_cents=100_000),
)


@dataclass(frozen=True)
class ProgramRules:
    """Every number the rules use, so a program can change them without touching code."""

    min_week_minutes: int = 15 * 60
    max_week_minutes: int = 40 * 60
    max_day_minutes: int = 12 * 60
    min_weeks: int = 12
    stipend_min_week_minutes: int = 25 * 60
    stipend_tiers: tuple[StipendTier, ...] = DEFAULT_TIERS
    start_window: tuple[date, date] | None = None


DEFAULT_RULES = ProgramRules()
