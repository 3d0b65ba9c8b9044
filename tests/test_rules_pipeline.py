"""The status pipeline's transitions (pure)."""

import pytest

from portal.rules.pipeline import (
    ApplicationStatus as S,
)
from portal.rules.pipeline import (
    applicant_can_delete_data,
    applicant_can_withdraw,
    can_transition,
)


@pytest.mark.parametrize(
    "current, target, allowed",
    [
        (S.SUBMITTED, S.IN_REVIEW, True),
        (S.IN_REVIEW, S.INTERVIEW, True),
        (S.INTERVIEW, S.ACCEPTED, True),
        (S.INTERVIEW, S.WAITLISTED, True),
        (S.WAITLISTED, S.ACCEPTED, True),
        (S.IN_REVIEW, S.DECLINED, True),
        (S.ACCEPTED, S.DECLINED, False),
        (S.DECLINED, S.ACCEPTED, False),
        (S.WITHDRAWN, S.SUBMITTED, False),
        (S.SUBMITTED, S.SUBMITTED, False),
    ],
)
def test_transitions(current, target, allowed):
    assert can_transition(current, target) is allowed


@pytest.mark.parametrize("status", [S.SUBMITTED, S.IN_REVIEW, S.INTERVIEW, S.WAITLISTED])
def test_applicants_can_withdraw_before_a_final_decision(status):
    assert applicant_can_withdraw(status)
    assert not applicant_can_delete_data(status) or status == S.WAITLISTED


@pytest.mark.parametrize("status", [S.ACCEPTED, S.DECLINED, S.WITHDRAWN])
def test_after_a_final_decision_only_deletion_is_offered(status):
    assert not applicant_can_withdraw(status)
    assert applicant_can_delete_data(status)
