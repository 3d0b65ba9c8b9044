"""Staff accounts as pure rules: what a person's status reads as, and the last active admin.

Pure: no Flask, no database; "now" and the facts are passed in. ``portal.services.staff`` applies them.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from portal.formatting import long_date

LAST_ADMIN = (
    "There must be at least one active admin, and this is the last one. Make someone else an admin first."
)
LAST_ADMIN_SELF = (
    "There must be at least one active admin, and you are the last one. Make someone else an admin first."
)


class StaffStatus(enum.StrEnum):
    """Where an account stands: able to sign in, waiting for its first password, or switched off."""

    ACTIVE = "active"
    INVITED = "invited"  # no password yet; the invitation link is still valid
    INVITATION_EXPIRED = "invitation_expired"  # no password yet and no valid link: resend it
    DEACTIVATED = "deactivated"


@dataclass(frozen=True)
class StatusView:
    """A status as the people pages write it: the kind (for a badge) and its words."""

    status: StaffStatus
    label: str

    @property
    def pending(self) -> bool:
        """Whether an invitation can be resent or its link copied."""
        return self.status in (StaffStatus.INVITED, StaffStatus.INVITATION_EXPIRED)


def staff_status(
    *, active: bool, has_password: bool, invitation_expires_at: datetime | None, now: datetime
) -> StatusView:
    """The status of an account from its facts; an unused invitation's expiry is said with its date."""
    if not active:
        return StatusView(StaffStatus.DEACTIVATED, "Deactivated")
    if has_password:
        return StatusView(StaffStatus.ACTIVE, "Active")
    if invitation_expires_at is not None and now < invitation_expires_at:
        until = long_date(invitation_expires_at.date())
        return StatusView(StaffStatus.INVITED, f"Invited — invitation pending, the link works until {until}")
    if invitation_expires_at is not None:
        expired = long_date(invitation_expires_at.date())
        return StatusView(StaffStatus.INVITATION_EXPIRED, f"Invited — the invitation expired on {expired}")
    return StatusView(StaffStatus.INVITATION_EXPIRED, "Invited — no invitation link is valid")


def last_admin_problem(
    active_admin_ids: Iterable[int], person_id: int, *, stays_admin: bool, stays_active: bool, actor_id: int | None
) -> str | None:
    """Why the change would leave no active admin (``LAST_ADMIN`` or, about oneself, ``LAST_ADMIN_SELF``), or
    None. ``active_admin_ids`` are the active admins now; the change keeps ``person_id`` an admin or not."""
    admins = set(active_admin_ids)
    if person_id not in admins or (stays_admin and stays_active):
        return None
    if admins - {person_id}:
        return None
    return LAST_ADMIN_SELF if person_id == actor_id else LAST_ADMIN


def unknown_ids(chosen: Iterable[int], allowed: Iterable[int]) -> set[int]:
    """The chosen ids that are not on offer (a program archived or deleted since the page was loaded)."""
    return set(chosen) - set(allowed)
