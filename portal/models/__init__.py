"""Every table of the portal, one module per aggregate; importing this registers them all."""

from portal.models.application import (
    Application,
    ApplicationAnswer,
    ApplicationStatus,
    Resume,
    SelfIdentification,
)
from portal.models.application_search import include_in_comparison  # noqa: F401 - its DDL events, for create_all
from portal.models.application_tally import ApplicationTally
from portal.models.audit import AuditEvent
from portal.models.concern import Concern, ConcernKind
from portal.models.data_request import DataRequest, DataRequestKind
from portal.models.outbox import OutboxMessage, OutboxStatus
from portal.models.placement import Placement
from portal.models.program import (
    ActivityCategory,
    ApplicationQuestion,
    Program,
    ProgramState,
    QuestionKind,
    RubricCriterion,
    StipendTierSetting,
    program_reviewers,
    program_supervisors,
)
from portal.models.reminder import ReminderLog
from portal.models.review import Review, Score
from portal.models.review_statistics import ReviewerStatistics, ReviewFigure, ScorePool
from portal.models.statement import HoursStatement
from portal.models.timesheet import TimesheetEntry, TimesheetWeek, WeekReflection, WeekStatus
from portal.models.user import RecoveryCode, Role, TokenPurpose, User, UserToken

__all__ = [
    "ApplicationTally",
    "DataRequest",
    "DataRequestKind",
    "HoursStatement",
    "ReminderLog",
    "ConcernKind",
    "Concern",
    "ActivityCategory",
    "Application",
    "ApplicationAnswer",
    "ApplicationQuestion",
    "ApplicationStatus",
    "AuditEvent",
    "OutboxMessage",
    "OutboxStatus",
    "Placement",
    "Program",
    "ProgramState",
    "QuestionKind",
    "Resume",
    "Review",
    "ReviewerStatistics",
    "ReviewFigure",
    "RecoveryCode",
    "Role",
    "RubricCriterion",
    "Score",
    "ScorePool",
    "SelfIdentification",
    "StipendTierSetting",
    "TimesheetEntry",
    "TimesheetWeek",
    "WeekReflection",
    "TokenPurpose",
    "User",
    "UserToken",
    "WeekStatus",
    "program_reviewers",
    "program_supervisors",
]
