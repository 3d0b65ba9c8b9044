"""How many school credits an intern's approved hours support.

Schools count credit in hours of work per credit (45 is common: a 3-credit internship asks 135 hours),
a program setting. Only whole credits are supported: 134 approved hours at 45 an hour support 2 credits,
with 1 hour to go for the third. Minutes are the unit everywhere, as in the timesheets.
"""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_HOURS_PER_CREDIT = 45


@dataclass(frozen=True)
class CreditSupport:
    credits: int
    minutes_to_next: int  # approved minutes still needed for one more credit


def credits_supported(approved_minutes: int, hours_per_credit: int = DEFAULT_HOURS_PER_CREDIT) -> CreditSupport:
    """Whole credits the approved minutes support, and how far the next one is."""
    if hours_per_credit <= 0:
        raise ValueError("hours per credit must be a positive number")
    minutes_per_credit = hours_per_credit * 60
    approved = max(0, approved_minutes)
    credits, into_next = divmod(approved, minutes_per_credit)
    return CreditSupport(credits=credits, minutes_to_next=minutes_per_credit - into_next)


def hours_required_met(approved_minutes: int, hours_required: int | None) -> bool | None:
    """Whether the approved hours reach what the school requires; None when the school named no number."""
    if hours_required is None or hours_required <= 0:
        return None
    return approved_minutes >= hours_required * 60
