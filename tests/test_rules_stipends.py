"""Monthly stipend: tier from the exact weekly average, proration, half-up cents (no app needed)."""

from datetime import date
from fractions import Fraction

import pytest

from portal.rules.settings import (
    DEFAULT_RULES,
    DEFAULT_TIERS,
    ProgramRules,
    StipendTier,
)
from portal.rules.stipends import format_average_hours, format_cents, month_stipend, tier_for_average

H = 60  # minutes in an hour

OCTOBER_2025 = [
    date(2025, 9, 29), date(2025, 10, 6), date(2025, 10, 13), date(2025, 10, 20),
    date(2025, 10, 27),
]
SEPTEMBER_2025 = [date(2025, 9, 1), date(2025, 9, 8), date(2025, 9, 15), date(2025, 9, 22)]


def every_week(mondays: list[date], minutes: int) -> dict[date, int]:
    return dict.fromkeys(mondays, minutes)


@pytest.mark.parametrize(
    ("average_minutes", "monthly_cents"),
    [
        (0, 0),
        (24 * H + 59, 0),
        (25 * H, 50_000),
        (29 * H + 59, 50_000),
        (30 * H, 75_000),
        (34 * H + 59, 75_000),
        (35 * H, 100_000),
        (40 * H, 100_000),
    ],
)
@pytest.mark.parametrize("active_weeks", [1, 3, 5])
def test_tier_boundaries(average_minutes: int, monthly_cents: int, active_weeks: int) -> None:
    tier = tier_for_average(average_minutes * active_weeks, active_weeks, DEFAULT_TIERS)
    assert tier.monthly_cents == monthly_cents


@pytest.mark.parametrize(
    ("total_minutes", "monthly_cents"),
    [
        (3 * 25 * H - 1, 0),  # average 24 h 59.67 min: not yet 25 h
        (3 * 25 * H, 50_000),
        (3 * 35 * H - 1, 75_000),
        (3 * 35 * H, 100_000),
    ],
)
def test_tier_compares_a_fractional_average_exactly(total_minutes: int, monthly_cents: int) -> None:
    assert tier_for_average(total_minutes, 3, DEFAULT_TIERS).monthly_cents == monthly_cents


def test_tier_order_in_settings_does_not_matter() -> None:
    shuffled = tuple(reversed(DEFAULT_TIERS))
    assert tier_for_average(31 * H, 1, shuffled).monthly_cents == 75_000


def test_below_every_configured_tier_pays_nothing() -> None:
    tiers = (StipendTier(min_average_minutes=20 * H, monthly_cents=40_000),)
    assert tier_for_average(19 * H, 1, tiers).monthly_cents == 0
    assert tier_for_average(20 * H, 1, tiers).monthly_cents == 40_000


@pytest.mark.parametrize(
    ("weekly_minutes", "amount_cents"),
    [
        (24 * H + 59, 0),
        (25 * H, 50_000),
        (30 * H, 75_000),
        (35 * H, 100_000),
    ],
)
def test_full_month_pays_the_tier(weekly_minutes: int, amount_cents: int) -> None:
    result = month_stipend(
        2025, 10,
        placement_start=date(2025, 9, 1),
        placement_end=None,
        approved_minutes_by_monday=every_week(OCTOBER_2025, weekly_minutes),
        rules=DEFAULT_RULES,
    )
    assert result.proration == 1
    assert result.amount_cents == amount_cents


def test_start_on_the_third_thursday_is_prorated_by_active_weeks() -> None:
    result = month_stipend(
        2025, 10,
        placement_start=date(2025, 10, 16),  # Thursday of the third week
        placement_end=None,
        approved_minutes_by_monday=every_week(OCTOBER_2025[2:], 26 * H + 20),
        rules=DEFAULT_RULES,
    )
    assert result.weeks_in_month == OCTOBER_2025
    assert result.active_weeks == [date(2025, 10, 13), date(2025, 10, 20), date(2025, 10, 27)]
    assert result.average_minutes == 26 * H + 20
    assert result.tier.monthly_cents == 50_000
    assert result.proration == Fraction(3, 5)
    assert result.amount_cents == 30_000


def test_placement_ending_mid_month_is_prorated() -> None:
    result = month_stipend(
        2025, 10,
        placement_start=date(2025, 9, 1),
        placement_end=date(2025, 10, 15),  # Wednesday of the third week
        approved_minutes_by_monday=every_week(OCTOBER_2025, 30 * H),
        rules=DEFAULT_RULES,
    )
    assert result.active_weeks == [date(2025, 9, 29), date(2025, 10, 6), date(2025, 10, 13)]
    # Hours logged after the placement ended do not count.
    assert result.total_minutes == 3 * 30 * H
    assert result.amount_cents == 45_000  # $750 x 3/5


def test_placement_inside_one_month_counts_only_its_weeks() -> None:
    result = month_stipend(
        2025, 9,
        placement_start=date(2025, 9, 14),  # a Sunday: the week of 8 Sep is active
        placement_end=date(2025, 9, 15),
        approved_minutes_by_monday=every_week(SEPTEMBER_2025, 35 * H),
        rules=DEFAULT_RULES,
    )
    assert result.active_weeks == [date(2025, 9, 8), date(2025, 9, 15)]
    assert result.amount_cents == 50_000  # $1,000 x 2/4


def test_week_starting_29_september_is_paid_in_october_not_september() -> None:
    approved = {date(2025, 9, 29): 40 * H}
    september = month_stipend(
        2025, 9,
        placement_start=date(2025, 9, 29),
        placement_end=None,
        approved_minutes_by_monday=approved,
        rules=DEFAULT_RULES,
    )
    october = month_stipend(
        2025, 10,
        placement_start=date(2025, 9, 29),
        placement_end=date(2025, 10, 5),
        approved_minutes_by_monday=approved,
        rules=DEFAULT_RULES,
    )
    assert september.active_weeks == []
    assert september.amount_cents == 0
    assert october.active_weeks == [date(2025, 9, 29)]
    assert october.total_minutes == 40 * H
    assert october.amount_cents == 20_000  # $1,000 x 1/5


def test_missing_week_counts_as_zero_and_pulls_the_tier_down() -> None:
    approved = every_week(OCTOBER_2025, 35 * H)
    del approved[date(2025, 10, 13)]  # no timesheet that week
    result = month_stipend(
        2025, 10,
        placement_start=date(2025, 9, 1),
        placement_end=None,
        approved_minutes_by_monday=approved,
        rules=DEFAULT_RULES,
    )
    assert result.minutes_by_week[date(2025, 10, 13)] == 0
    assert result.average_minutes == 28 * H  # 140 h over 5 weeks, not 35 h over 4
    assert result.tier.monthly_cents == 50_000
    assert result.amount_cents == 50_000


def test_hours_from_other_months_are_ignored() -> None:
    approved = every_week(SEPTEMBER_2025, 40 * H) | {date(2025, 10, 6): 25 * H}
    result = month_stipend(
        2025, 10,
        placement_start=date(2025, 10, 6),
        placement_end=date(2025, 10, 12),
        approved_minutes_by_monday=approved,
        rules=DEFAULT_RULES,
    )
    assert result.total_minutes == 25 * H
    assert result.amount_cents == 10_000  # $500 x 1/5


@pytest.mark.parametrize(
    ("monthly_cents", "year", "month", "start", "amount_cents"),
    [
        # 2 of 4 weeks of 50,001 cents is 25,000.5: half a cent rounds up.
        (50_001, 2025, 9, date(2025, 9, 15), 25_001),
        (50_001, 2025, 9, date(2025, 9, 22), 12_500),  # 12,500.25 rounds down
        (50_001, 2025, 9, date(2025, 9, 8), 37_501),  # 37,500.75 rounds up
        (33_333, 2025, 10, date(2025, 10, 27), 6_667),  # 6,666.6
        (33_333, 2025, 10, date(2025, 10, 20), 13_333),  # 13,333.2
        (33_333, 2025, 10, date(2025, 10, 13), 20_000),  # 19,999.8
        (100_000, 2025, 10, date(2025, 10, 27), 20_000),
    ],
)
def test_proration_rounds_half_up_to_the_cent_once(
    monthly_cents: int, year: int, month: int, start: date, amount_cents: int
) -> None:
    rules = ProgramRules(stipend_tiers=(StipendTier(0, monthly_cents),))
    result = month_stipend(
        year, month,
        placement_start=start,
        placement_end=None,
        approved_minutes_by_monday={},
        rules=rules,
    )
    assert result.amount_cents == amount_cents


def test_custom_tiers_from_the_program_are_used() -> None:
    rules = ProgramRules(
        stipend_tiers=(StipendTier(0, 0), StipendTier(20 * H, 30_000)),
    )
    result = month_stipend(
        2025, 9,
        placement_start=date(2025, 9, 1),
        placement_end=None,
        approved_minutes_by_monday=every_week(SEPTEMBER_2025, 20 * H),
        rules=rules,
    )
    assert result.amount_cents == 30_000


def test_no_active_weeks_pays_nothing() -> None:
    result = month_stipend(
        2025, 11,
        placement_start=date(2025, 9, 1),
        placement_end=date(2025, 10, 31),
        approved_minutes_by_monday=every_week(OCTOBER_2025, 40 * H),
        rules=DEFAULT_RULES,
    )
    assert result.active_weeks == []
    assert result.amount_cents == 0
    assert result.average_minutes == 0
    assert "Weeks counted: 0 of 4" in result.steps()
    assert result.steps()[-1] == "Stipend: $0.00"


def test_steps_let_an_intern_redo_the_sum() -> None:
    result = month_stipend(
        2025, 10,
        placement_start=date(2025, 10, 16),
        placement_end=None,
        approved_minutes_by_monday={
            date(2025, 10, 13): 25 * H,
            date(2025, 10, 20): 27 * H,
            date(2025, 10, 27): 27 * H,
        },
        rules=DEFAULT_RULES,
    )
    assert result.steps() == [
        "Weeks in October 2025: 5",
        "Week of 13 October 2025: 25 h",
        "Week of 20 October 2025: 27 h",
        "Week of 27 October 2025: 27 h",
        "Weeks counted: 3 of 5",
        "Total: 79 h",
        "Average: 79 h ÷ 3 weeks = 26.33 h a week",
        "Tier: $500 a month",
        "Prorated: 3/5",
        "Stipend: $300.00",
    ]


def test_steps_show_an_inexact_average_to_the_hundredth_beside_its_tier() -> None:
    result = month_stipend(
        2025, 10,
        placement_start=date(2025, 10, 13),
        placement_end=None,
        approved_minutes_by_monday={
            date(2025, 10, 13): 25 * H,
            date(2025, 10, 20): 25 * H,
            date(2025, 10, 27): 25 * H - 1,
        },
        rules=DEFAULT_RULES,
    )
    assert result.tier.monthly_cents == 0
    assert "Average: 74 h 59 min ÷ 3 weeks = 24.99 h a week" in result.steps()
    assert "Tier: $0 a month" in result.steps()


@pytest.mark.parametrize(
    ("cents", "text"),
    [
        (0, "$0.00"),
        (5, "$0.05"),
        (30_000, "$300.00"),
        (33_333, "$333.33"),
        (100_000, "$1,000.00"),
        (123_456_789, "$1,234,567.89"),
    ],
)
def test_format_cents(cents: int, text: str) -> None:
    assert format_cents(cents) == text


@pytest.mark.parametrize(
    ("average_minutes", "text"),
    [
        (Fraction(74 * H, 3), "24.67"),  # 24.666… rounds up, not down to 24.66
        (Fraction(73 * H, 3), "24.33"),  # 24.333… rounds down
        (25 * H, "25.00"),
        (25 * H + 30, "25.50"),
        (25 * H - 1, "24.98"),  # 24.9833…: an average one minute short never reads 25.00
        (Fraction(3, 10), "0.01"),  # 0.005 h exactly: a half goes up
        (Fraction(29, 100), "0.00"),  # 0.00483… h
        (0, "0.00"),
        (100 * H, "100.00"),
    ],
)
def test_format_average_hours_rounds_half_up_to_the_hundredth(average_minutes, text) -> None:
    assert format_average_hours(average_minutes) == text


def test_a_month_shows_its_average_with_the_same_function() -> None:
    result = month_stipend(
        2025, 9,
        placement_start=date(2025, 9, 8),
        placement_end=None,
        approved_minutes_by_monday={date(2025, 9, 8): 25 * H, date(2025, 9, 15): 25 * H, date(2025, 9, 22): 24 * H},
        rules=DEFAULT_RULES,
    )
    assert result.average_minutes == Fraction(74 * H, 3)
    assert result.average_hours == "24.67"
    assert "Average: 74 h ÷ 3 weeks = 24.67 h a week" in result.steps()
