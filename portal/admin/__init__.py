"""Admin pages; importing the package registers every route on the ``admin`` blueprint."""

from portal.admin import (  # noqa: F401
    audit_log,
    blueprint,
    concerns,
    data_requests,
    mail,
    outbox,
    people,
    program_categories,
    program_people,
    program_posting,
    program_questions,
    program_review,
    program_rules,
    programs,
)
