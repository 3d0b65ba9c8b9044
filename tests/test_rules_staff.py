"""Staff rules, no app: what a status reads as, and when a change would leave no active admin."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from portal.rules.staff import LAST_ADMIN, LAST_ADMIN_SELF, StaffStatus, last_admin_problem, staff_status, unknown_ids

NOW = datetime(2026, 10, 14, 12, tzinfo=UTC)


def status(**facts):
    return staff_status(**{"active": True, "has_password": False, "invitation_expires_at": None, "now": NOW, **facts})


def test_statuses_read_as_the_people_pages_write_them():
    assert status(has_password=True).label == "Active"
    assert status(active=False, has_password=True).label == "Deactivated"
    assert status(active=False, invitation_expires_at=NOW + timedelta(days=3)).status == StaffStatus.DEACTIVATED
    pending = status(invitation_expires_at=NOW + timedelta(days=7))
    assert pending.label == "Invited — invitation pending, the link works until 21 October 2026" and pending.pending
    expired = status(invitation_expires_at=NOW - timedelta(seconds=1))
    assert expired.label == "Invited — the invitation expired on 14 October 2026" and expired.pending
    assert status().label == "Invited — no invitation link is valid"
    assert not status(has_password=True).pending


def test_the_last_active_admin_is_kept():
    def problem(admins, person, *, admin=True, active=True, actor=None):
        return last_admin_problem(admins, person, stays_admin=admin, stays_active=active, actor_id=actor)

    assert problem({1}, 1, admin=False) == LAST_ADMIN
    assert problem({1}, 1, active=False, actor=1) == LAST_ADMIN_SELF
    assert problem({1, 2}, 1, admin=False, actor=1) is None
    assert problem({1}, 2, admin=False) is None  # not an active admin: nothing to keep
    assert problem({1}, 1) is None  # stays an active admin
    assert problem(set(), 3, active=False) is None


def test_unknown_ids_are_those_not_on_offer():
    assert unknown_ids([1, 2, 5], [1, 2, 3]) == {5}
    assert unknown_ids([], [1]) == set()
