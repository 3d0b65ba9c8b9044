"""Every table of the portal, one module per aggregate; importing this registers them all."""

from portal.models.application import Application, ApplicationStatus, Resume, SelfIdentification
from portal.models.audit import AuditEvent
from portal.models.concern import Concern, ConcernKind
from portal.models.outbox import OutboxMessage, OutboxStatus
from portal.models.placement import Placement
from portal.models.program import ActivityCategory, Program, RubricCriterion, StipendTierSetting, program_reviewers
from portal.models.reminder import ReminderLog
from portal.models.review import Review, Score
from portal.models.statement import HoursStatement
from portal.models.timesheet import TimesheetEntry, TimesheetWeek, WeekStatus
from portal.models.user import Role, TokenPurpose, User, UserToken

__all__ = [
    "HoursStatement",
    "ReminderLog",
    "ConcernKind",
    "Concern",
    "ActivityCategory",
    "Application",
    "ApplicationStatus",
    "AuditEvent",
    "OutboxMessage",
    "OutboxStatus",
    "Placement",
    "Program",
    "Resume",
    "Review",
    "Role",
    "RubricCriterion",
    "Score",
    "SelfIdentification",
    "StipendTierSetting",
    "TimesheetEntry",
    "TimesheetWeek",
    "TokenPurpose",
    "User",
    "UserToken",
    "WeekStatus",
    "program_reviewers",
]
