"""Monthly stipends: tier from the average approved hours per active week, prorated, in cents."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction

from portal.formatting import long_date, month_label
from portal.rules.hours import format_minutes
from portal.rules.settings import ProgramRules, StipendTier
from portal.rules.weeks import month_weeks

_NO_TIER = StipendTier(min_average_minutes=0, monthly_cents=0)


def format_cents(cents: int) -> str:
    """Show money as "$1,000.00"; amounts are integer cents so nothing is lost on the way."""
    sign = "-" if cents < 0 else ""
    dollars, rest = divmod(abs(cents), 100)
    return f"{sign}${dollars:,}.{rest:02d}"


def _format_tier_amount(cents: int) -> str:
    """Tier amounts read as "$500" when whole dollars, as on the posting."""
    if cents % 100 == 0:
        sign = "-" if cents < 0 else ""
        return f"{sign}${abs(cents) // 100:,}"
    return format_cents(cents)


def tier_for_average(
    total_minutes: int, active_weeks: int, tiers: Iterable[StipendTier]
) -> StipendTier:
    """Highest tier the weekly average reaches, compared exactly in integers so 24 h 59 is not 25 h.

    With no active weeks, or when no tier is reached, the lowest tier (or a $0 tier) applies.
    """
    ordered = sorted(tiers, key=lambda tier: tier.min_average_minutes)
    if not ordered:
        return _NO_TIER
    if active_weeks <= 0:
        return ordered[0] if ordered[0].min_average_minutes <= 0 else _NO_TIER
    reached = _NO_TIER
    for tier in ordered:
        if total_minutes >= tier.min_average_minutes * active_weeks:
            reached = tier
    return reached


def _round_half_up(value: Fraction) -> int:
    """Round to the nearest integer, halves away from zero (money is never negative here)."""
    if value < 0:
        return -_round_half_up(-value)
    return (2 * value.numerator + value.denominator) // (2 * value.denominator)


def format_average_hours(average_minutes: Fraction | int) -> str:
    """A weekly average in hours with two decimals, rounded half-up once from the exact value.

    74 h over 3 weeks is "24.67" (not "24.66"). The ONE way the average is written: the stipend
    statement, its steps and the stipend CSV all use it.
    """
    hundredths = _round_half_up(Fraction(average_minutes) * 100 / 60)
    whole, rest = divmod(hundredths, 100)
    return f"{whole}.{rest:02d}"


@dataclass(frozen=True)
class MonthStipend:
    """A month's stipend with every intermediate figure, so an intern can check it by hand."""

    year: int
    month: int
    weeks_in_month: list[date]
    active_weeks: list[date]
    minutes_by_week: dict[date, int]
    total_minutes: int
    average_minutes: Fraction
    tier: StipendTier
    proration: Fraction
    amount_cents: int

    @property
    def average_hours(self) -> str:
        """The weekly average as the statement and the CSV write it: "24.67"."""
        return format_average_hours(self.average_minutes)

    def steps(self) -> list[str]:
        """The calculation as plain lines, in the order a person would redo it."""
        month_name = month_label(self.year, self.month)
        lines = [f"Weeks in {month_name}: {len(self.weeks_in_month)}"]
        for monday in self.active_weeks:
            lines.append(
                f"Week of {long_date(monday)}: "
                f"{format_minutes(self.minutes_by_week.get(monday, 0))}"
            )
        lines.append(f"Weeks counted: {len(self.active_weeks)} of {len(self.weeks_in_month)}")
        if not self.active_weeks:
            lines.append("No weeks of the placement fall in this month")
            lines.append(f"Stipend: {format_cents(self.amount_cents)}")
            return lines
        lines.append(f"Total: {format_minutes(self.total_minutes)}")
        weeks = len(self.active_weeks)
        lines.append(
            f"Average: {format_minutes(self.total_minutes)} ÷ {weeks} week{'' if weeks == 1 else 's'}"
            f" = {self.average_hours} h a week"
        )
        lines.append(f"Tier: {_format_tier_amount(self.tier.monthly_cents)} a month")
        lines.append(f"Prorated: {len(self.active_weeks)}/{len(self.weeks_in_month)}")
        lines.append(f"Stipend: {format_cents(self.amount_cents)}")
        return lines


def month_stipend(
    year: int,
    month: int,
    *,
    placement_start: date,
    placement_end: date | None,
    approved_minutes_by_monday: Mapping[date, int],
    rules: ProgramRules,
) -> MonthStipend:
    """Work out one month's stipend the way the posting promises, keeping each step to show.

    Only weeks overlapping the placement count; weeks without approved hours count as 0;
    the tier amount is prorated by active weeks / weeks in month and rounded half-up once.
    Eligibility (25+ committed hours) is not checked here: see ``stipend_eligible``.
    """
    weeks = month_weeks(year, month)
    active = [
        monday
        for monday in weeks
        if monday + timedelta(days=6) >= placement_start
        and (placement_end is None or monday <= placement_end)
    ]
    minutes_by_week = {monday: approved_minutes_by_monday.get(monday, 0) for monday in active}
    total = sum(minutes_by_week.values())
    if active:
        average = Fraction(total, len(active))
        tier = tier_for_average(total, len(active), rules.stipend_tiers)
        proration = Fraction(len(active), len(weeks))
        amount = _round_half_up(tier.monthly_cents * proration)
    else:
        average = Fraction(0)
        tier = tier_for_average(0, 0, rules.stipend_tiers)
        proration = Fraction(0)
        amount = 0
    return MonthStipend(
        year=year,
        month=month,
        weeks_in_month=weeks,
        active_weeks=active,
        minutes_by_week=minutes_by_week,
        total_minutes=total,
        average_minutes=average,
        tier=tier,
        proration=proration,
        amount_cents=amount,
    )
