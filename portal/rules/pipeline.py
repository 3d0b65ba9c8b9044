"""The application status pipeline: which transitions exist and who may make them.

submitted → in review → interview → accepted | waitlisted | declined; withdrawn by the applicant at
any point before a final decision. Services call ``can_transition`` before every change.
"""

from __future__ import annotations

import enum


class ApplicationStatus(str, enum.Enum):
    SUBMITTED = "submitted"
    IN_REVIEW = "in_review"
    INTERVIEW = "interview"
    ACCEPTED = "accepted"
    WAITLISTED = "waitlisted"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]

    @property
    def explanation(self) -> str:
        return STATUS_EXPLANATIONS[self]


STATUS_LABELS: dict[ApplicationStatus, str] = {
    ApplicationStatus.SUBMITTED: "Submitted",
    ApplicationStatus.IN_REVIEW: "In review",
    ApplicationStatus.INTERVIEW: "Invited to interview",
    ApplicationStatus.ACCEPTED: "Accepted",
    ApplicationStatus.WAITLISTED: "On the waitlist",
    ApplicationStatus.DECLINED: "Not selected",
    ApplicationStatus.WITHDRAWN: "Withdrawn",
}

STATUS_EXPLANATIONS: dict[ApplicationStatus, str] = {
    ApplicationStatus.SUBMITTED: "We have your application. A supervisor will read it soon.",
    ApplicationStatus.IN_REVIEW: "Supervisors are reading and scoring your application.",
    ApplicationStatus.INTERVIEW: "We would like to meet you. Look for an email from us about a time to talk.",
    ApplicationStatus.ACCEPTED: "Congratulations: you have a place. We have emailed you how to get started.",
    ApplicationStatus.WAITLISTED: (
        "All places are filled for now; you are on the waitlist and we will write if one opens up."
    ),
    ApplicationStatus.DECLINED: "We could not offer you a place this time. Thank you for applying.",
    ApplicationStatus.WITHDRAWN: "You withdrew this application. Nobody will review it any further.",
}

_S = ApplicationStatus
TRANSITIONS: dict[ApplicationStatus, frozenset[ApplicationStatus]] = {
    _S.SUBMITTED: frozenset({_S.IN_REVIEW, _S.INTERVIEW, _S.ACCEPTED, _S.WAITLISTED, _S.DECLINED, _S.WITHDRAWN}),
    _S.IN_REVIEW: frozenset({_S.INTERVIEW, _S.ACCEPTED, _S.WAITLISTED, _S.DECLINED, _S.WITHDRAWN}),
    _S.INTERVIEW: frozenset({_S.IN_REVIEW, _S.ACCEPTED, _S.WAITLISTED, _S.DECLINED, _S.WITHDRAWN}),
    _S.WAITLISTED: frozenset({_S.INTERVIEW, _S.ACCEPTED, _S.DECLINED, _S.WITHDRAWN}),
    _S.ACCEPTED: frozenset(),
    _S.DECLINED: frozenset(),
    _S.WITHDRAWN: frozenset(),
}

# Statuses in which the applicant's own "delete my data" is offered: after withdrawal or a decision.
DATA_DELETABLE: frozenset[ApplicationStatus] = frozenset({_S.WITHDRAWN, _S.ACCEPTED, _S.WAITLISTED, _S.DECLINED})


def can_transition(current: ApplicationStatus, target: ApplicationStatus) -> bool:
    """Whether the pipeline allows moving from ``current`` to ``target`` (decisions are final)."""
    return target in TRANSITIONS[current]


def applicant_can_withdraw(current: ApplicationStatus) -> bool:
    """Applicants may withdraw at any point before acceptance or a final no."""
    return can_transition(current, ApplicationStatus.WITHDRAWN)


def applicant_can_delete_data(current: ApplicationStatus) -> bool:
    """Deleting the answers is offered once nothing is pending: after withdrawal or a decision."""
    return current in DATA_DELETABLE
