"""The timesheet week's status machine (``portal.rules.week_status``): no app, no database."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from portal.rules.week_status import (
    WeekStatus,
    can_decide,
    can_reopen,
    can_submit,
    can_transition,
    is_editable,
)

MONDAY = date(2026, 3, 2)


@pytest.mark.parametrize(
    ("current", "target", "allowed"),
    [
        (WeekStatus.DRAFT, WeekStatus.SUBMITTED, True),
        (WeekStatus.SUBMITTED, WeekStatus.APPROVED, True),
        (WeekStatus.SUBMITTED, WeekStatus.RETURNED, True),
        (WeekStatus.RETURNED, WeekStatus.SUBMITTED, True),
        (WeekStatus.APPROVED, WeekStatus.DRAFT, True),  # an admin's reopen
        (WeekStatus.DRAFT, WeekStatus.APPROVED, False),  # nothing is approved unseen
        (WeekStatus.APPROVED, WeekStatus.SUBMITTED, False),
        (WeekStatus.RETURNED, WeekStatus.APPROVED, False),
    ],
)
def test_which_changes_the_week_allows(current, target, allowed):
    assert can_transition(current, target) is allowed


def test_edits_are_possible_until_approval():
    assert [status for status in WeekStatus if is_editable(status)] == [
        WeekStatus.DRAFT,
        WeekStatus.SUBMITTED,
        WeekStatus.RETURNED,
    ]


def test_a_week_is_submitted_once_it_has_started_from_draft_or_returned():
    assert can_submit(WeekStatus.DRAFT, MONDAY, today=MONDAY)
    assert can_submit(WeekStatus.RETURNED, MONDAY, today=MONDAY + timedelta(days=20))
    assert not can_submit(WeekStatus.DRAFT, MONDAY, today=MONDAY - timedelta(days=1))
    assert not can_submit(WeekStatus.SUBMITTED, MONDAY, today=MONDAY)
    assert not can_submit(WeekStatus.APPROVED, MONDAY, today=MONDAY)


def test_only_a_submitted_week_is_decided_and_only_an_approved_one_reopened():
    assert [status for status in WeekStatus if can_decide(status)] == [WeekStatus.SUBMITTED]
    assert [status for status in WeekStatus if can_reopen(status)] == [WeekStatus.APPROVED]


def test_each_status_has_the_label_the_week_page_shows():
    assert WeekStatus.SUBMITTED.label == "Submitted, waiting for approval"
    assert WeekStatus.RETURNED.label == "Returned to the intern"
