"""Intern hours; importing the package registers every route on the ``timesheets`` blueprint.

week, approvals, concerns: logging, submitting and approving weeks, and raising concerns.
dashboard, compliance, stipends, statement: where interns stand, stipends and the hours statement.
placement: staff change, extend and end a placement, and re-invite its intern.
"""

from portal.timesheets import (  # noqa: F401
    approvals,
    blueprint,
    compliance,
    concerns,
    dashboard,
    placement,
    statement,
    stipends,
    week,
)
