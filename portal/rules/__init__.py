"""The portal's business rules as pure functions: weeks, hours, stipends, availability, pipeline, scores.

Nothing here imports Flask or touches the database, and nothing reads the clock: "today" is
always a parameter. Time is integer minutes and money integer cents. Every threshold comes from
a ``ProgramRules`` so views, templates, CLI and exports call these functions instead of
re-deriving a number.
"""

from portal.rules.availability import (
    WindowState,
    application_window,
    check_availability,
    stipend_eligible,
)
from portal.rules.hours import (
    DURATION_HELP,
    CapCheck,
    check_entry_caps,
    format_minutes,
    parse_duration,
)
from portal.rules.pipeline import ApplicationStatus, can_transition
from portal.rules.scores import (
    MIN_REVIEWS_FOR_NORMALISING,
    ApplicationScore,
    ReviewContribution,
    ReviewScore,
    fair_scores,
    review_contributions,
    review_score,
    round_score,
    sort_key_normalised,
    sort_key_raw,
)
from portal.rules.settings import (
    DEFAULT_RULES,
    DEFAULT_TIERS,
    ProgramRules,
    StipendTier,
)
from portal.rules.stipends import (
    MonthStipend,
    format_cents,
    month_stipend,
    tier_for_average,
)
from portal.rules.weeks import (
    Completion,
    CompletionState,
    WeekSummary,
    completion,
    is_short_week,
    month_weeks,
    placement_weeks,
    summarise_weeks,
    week_monday,
    week_month,
)

__all__ = [
    "MIN_REVIEWS_FOR_NORMALISING",
    "ApplicationScore",
    "ReviewContribution",
    "ReviewScore",
    "fair_scores",
    "review_contributions",
    "review_score",
    "round_score",
    "sort_key_normalised",
    "sort_key_raw",
    "ApplicationStatus",
    "can_transition",
    "DEFAULT_RULES",
    "DEFAULT_TIERS",
    "DURATION_HELP",
    "CapCheck",
    "Completion",
    "CompletionState",
    "MonthStipend",
    "ProgramRules",
    "StipendTier",
    "WeekSummary",
    "WindowState",
    "application_window",
    "check_availability",
    "check_entry_caps",
    "completion",
    "format_cents",
    "format_minutes",
    "is_short_week",
    "month_stipend",
    "month_weeks",
    "parse_duration",
    "placement_weeks",
    "stipend_eligible",
    "summarise_weeks",
    "tier_for_average",
    "week_monday",
    "week_month",
]
