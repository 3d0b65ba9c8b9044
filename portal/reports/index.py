"""The reports index: the reports this person may open, each with a line on what it answers."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import current_app, render_template
from flask_login import current_user

from portal.auth.permissions import staff_required
from portal.models import Role, User
from portal.reports.blueprint import bp
from portal.web import no_store


def _staff(user: User) -> bool:
    return user.role in (Role.ADMIN, Role.SUPERVISOR)


def _self_identification(user: User) -> bool:
    """A flag an admin grants, not every admin (issue 13, point 3)."""
    return user.role == Role.ADMIN and bool(getattr(user, "can_view_self_identification", False))


@dataclass(frozen=True)
class ReportLink:
    title: str
    endpoint: str
    summary: str
    allowed: Callable[[User], bool]


REPORTS: tuple[ReportLink, ...] = (
    ReportLink(
        "Recruitment",
        "reports.recruitment",
        "The funnel from submitted to accepted, time to first review and to decision, applications per week, "
        "how applicants heard of the program, and each reviewer's scores.",
        _staff,
    ),
    ReportLink(
        "Internships",
        "reports.internships",
        "Interns active, completed and ended early, approved hours and stipends per month, qualifying weeks "
        "and the share of time spent learning.",
        _staff,
    ),
    ReportLink(
        "Voluntary self-identification",
        "reports.self_identification",
        "Counts per question and answer, in aggregate only: small groups are shown as “<5”.",
        _self_identification,
    ),
)


def reports_for(user: User) -> list[ReportLink]:
    """The reports ``user`` may open (and that this installation has)."""
    return [link for link in REPORTS if link.endpoint in current_app.view_functions and link.allowed(user)]


@bp.get("/")
@staff_required
def index():
    scope = "every program" if current_user.role == Role.ADMIN else "the programs you review or supervise"
    return no_store(render_template("reports/index.html", reports=reports_for(current_user), scope=scope))
