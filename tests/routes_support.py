"""Every route of the app with real values in its URL: one small world of rows (a program with a rubric,
a question and categories, an application with its private link, a placement with a week and an entry,
a concern, a failed email, a statement, a staff member, reset and invitation links) and, for each URL
variable, the row it names. Used by the route × role policy table and by the never-5xx property tests.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from documents import MINIMAL_PDF
from factories import (
    ApplicationFactory,
    ApplicationQuestionFactory,
    ConcernFactory,
    InternFactory,
    OutboxMessageFactory,
    ResumeFactory,
    RubricCriterionFactory,
    TimesheetEntryFactory,
    TimesheetWeekFactory,
    UserFactory,
    UserTokenFactory,
)
from flask import Flask, current_app
from session_support import sign_in

from portal.database import utcnow
from portal.extensions import db
from portal.models import OutboxStatus, Placement, TokenPurpose, User
from portal.models.user import hash_token
from portal.services.progress import placement_progress
from portal.services.statements import issue_statement
from portal.services.uploads import resume_path

METHODS = ("GET", "POST")
#: Who visits: nobody signed in; the placement's intern and the program's supervisor (its reviewer too); an admin;
#: and, for the owner checks, an intern and a supervisor who have nothing to do with the program.
ROLES = ("anonymous", "intern", "supervisor", "admin", "other intern", "other supervisor")


@dataclass(frozen=True)
class Route:
    endpoint: str
    method: str
    rule: str

    @property
    def name(self) -> str:
        return f"{self.method} {self.rule}"


def app_routes(app: Flask) -> list[Route]:
    """Every (endpoint, method, rule) the URL map answers, without HEAD and OPTIONS."""
    routes = {
        Route(rule.endpoint, method, rule.rule)
        for rule in app.url_map.iter_rules()
        for method in rule.methods & set(METHODS)
    }
    return sorted(routes, key=lambda route: (route.rule, route.method))


@dataclass
class World:
    """The rows the routes act on, the people who visit them and each URL variable's value."""

    users: dict[str, User | None]
    values: dict[str, str]
    by_endpoint: dict[str, dict[str, str]] = field(default_factory=dict)

    def url(self, route: Route) -> str:
        values = {**self.values, **self.by_endpoint.get(route.endpoint, {})}

        def value(match: re.Match) -> str:
            return values[match.group(1)]

        return re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", value, route.rule)

    def client(self, app: Flask, role: str):
        client = app.test_client()
        user = self.users[role]
        if user is not None:
            db.session.refresh(user)  # an earlier request may have ended its sessions (sign-out, deactivation)
            sign_in(client, user)
        return client


def build_world(program, supervisor, intern, admin, placement: Placement) -> World:
    """The shared fixtures' people and program, with one row of everything a URL can name."""
    program.supervisors.append(supervisor)
    criterion = RubricCriterionFactory(program=program, name="Organised")
    question = ApplicationQuestionFactory(program=program)
    application = ApplicationFactory(program=program, full_name="Ana Applicant")
    resume = ResumeFactory(application=application)
    path = resume_path(resume, current_app.config["UPLOAD_FOLDER"])
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(MINIMAL_PDF)
    placement.stipend_eligible = True
    status_token = application.issue_status_token()
    week = TimesheetWeekFactory(placement=placement)
    entry = TimesheetEntryFactory(week=week, category=program.categories[0])
    concern = ConcernFactory(placement=placement)
    failed = OutboxMessageFactory(status=OutboxStatus.FAILED)
    colleague = UserFactory(full_name="Chris Colleague")
    invited = UserFactory(full_name="Ivy Invited", password_hash=None)
    UserTokenFactory(user=intern, purpose=TokenPurpose.PASSWORD_RESET, token_hash=hash_token("reset-token"))
    UserTokenFactory(user=invited, purpose=TokenPurpose.INVITATION, token_hash=hash_token("invitation-token"))
    other_intern, other_supervisor = InternFactory(full_name="Omar Other"), UserFactory(full_name="Olga Other")
    statement = issue_statement(placement_progress(placement, today=date.today(), now=utcnow()))
    db.session.commit()
    today = date.today()
    last_month = today.replace(day=1) - timedelta(days=1)
    return World(
        users={
            "anonymous": None,
            "intern": intern,
            "supervisor": supervisor,
            "admin": admin,
            "other intern": other_intern,
            "other supervisor": other_supervisor,
        },
        values={
            "program_id": str(program.id),
            "application_id": str(application.id),
            "placement_id": str(placement.id),
            "monday": week.week_start.isoformat(),
            "entry_id": str(entry.id),
            "concern_id": str(concern.id),
            "message_id": str(failed.id),
            "user_id": str(colleague.id),
            "question_id": str(question.id),
            "kind": "reviewers",
            "action": "down",
            "slug": program.slug,
            "token": status_token,
            "code": statement.code,
            "year": str(last_month.year),
            "month": str(last_month.month),
            "filename": "css/portal.css",
        },
        by_endpoint={
            "admin.program_category_save": {"item_id": str(program.categories[0].id)},
            "admin.program_category_action": {"item_id": str(program.categories[0].id)},
            "admin.program_criterion_save": {"item_id": str(criterion.id)},
            "admin.program_criterion_action": {"item_id": str(criterion.id)},
            "auth.reset_password": {"token": "reset-token"},
            "auth.accept_invitation": {"token": "invitation-token"},
        },
    )
