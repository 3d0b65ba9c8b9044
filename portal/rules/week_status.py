"""The timesheet week's status machine, beside the application pipeline (``rules.pipeline``).

draft → submitted → approved, or submitted → returned → submitted again; an approved week is locked
until an admin reopens it (back to draft). The intern may change entries of any week that is not
approved: "edits are possible until approval". Pure: no Flask, no database.
"""

from __future__ import annotations

import enum
from datetime import date


class WeekStatus(str, enum.Enum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    RETURNED = "returned"

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]


STATUS_LABELS: dict[WeekStatus, str] = {
    WeekStatus.DRAFT: "Draft",
    WeekStatus.SUBMITTED: "Submitted, waiting for approval",
    WeekStatus.APPROVED: "Approved",
    WeekStatus.RETURNED: "Returned to the intern",
}

_W = WeekStatus
TRANSITIONS: dict[WeekStatus, frozenset[WeekStatus]] = {
    _W.DRAFT: frozenset({_W.SUBMITTED}),
    _W.SUBMITTED: frozenset({_W.APPROVED, _W.RETURNED}),
    _W.RETURNED: frozenset({_W.SUBMITTED}),
    _W.APPROVED: frozenset({_W.DRAFT}),  # an admin's reopen
}

#: Statuses in which the intern may still change entries ("edits are possible until approval").
EDITABLE: frozenset[WeekStatus] = frozenset({_W.DRAFT, _W.SUBMITTED, _W.RETURNED})


def can_transition(current: WeekStatus, target: WeekStatus) -> bool:
    return target in TRANSITIONS[current]


def is_editable(status: WeekStatus) -> bool:
    return status in EDITABLE


def can_submit(status: WeekStatus, monday: date, today: date) -> bool:
    """A week is submitted once it has started, from draft or (again) from returned."""
    return monday <= today and can_transition(status, _W.SUBMITTED)


def can_decide(status: WeekStatus) -> bool:
    """Only a submitted week waits for the supervisor's approve or return."""
    return can_transition(status, _W.APPROVED)


def can_reopen(status: WeekStatus) -> bool:
    """Only an approved week is reopened (by an admin, with a reason)."""
    return status == _W.APPROVED
