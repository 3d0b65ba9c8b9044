"""The main navigation: one table of who sees which link, in the order base.html shows them.

Each row names its label, its endpoint and the audiences that see it: the roles, and ``ANONYMOUS``
for visitors who are not signed in. A row may add a condition on the app's settings (the "Sent
mail" page exists only in development). Sign-out is not a link but a form, so base.html adds its
button after the links for anyone signed in.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from portal.models import Role

#: The audience of a visitor who is not signed in.
ANONYMOUS = "anonymous"
SIGNED_IN = frozenset(Role)
EVERYONE = SIGNED_IN | {ANONYMOUS}
STAFF = frozenset({Role.SUPERVISOR, Role.ADMIN})


def in_development(config: Mapping[str, Any]) -> bool:
    return config.get("ENV") == "development"


@dataclass(frozen=True)
class NavLink:
    label: str
    endpoint: str
    audiences: frozenset
    #: Shown only when this returns True for the app's config (None: always).
    when: Callable[[Mapping[str, Any]], bool] | None = None


NAVIGATION: tuple[NavLink, ...] = (
    NavLink("Open internships", "public.home", EVERYONE),
    NavLink("Review", "review.queue", STAFF),
    NavLink("Approvals", "timesheets.approvals", STAFF),
    NavLink("Interns", "timesheets.compliance", STAFF),
    NavLink("Reports", "reports.index", STAFF),
    NavLink("Programs", "admin.programs", frozenset({Role.ADMIN})),
    NavLink("People", "admin.people", frozenset({Role.ADMIN})),
    NavLink("Concerns", "admin.concerns", frozenset({Role.ADMIN})),
    NavLink("Audit log", "admin.audit_log", frozenset({Role.ADMIN})),
    NavLink("Data requests", "admin.data_requests", frozenset({Role.ADMIN})),
    NavLink("Outbox", "admin.outbox", frozenset({Role.ADMIN})),
    NavLink("Sent mail", "admin.sent_mail", frozenset({Role.ADMIN}), when=in_development),
    NavLink("Your hours", "timesheets.dashboard", frozenset({Role.INTERN})),
    NavLink("Your account", "auth.account", SIGNED_IN),
    NavLink("Sign in", "auth.login", frozenset({ANONYMOUS})),
)


def audience_of(user: Any) -> Role | str:
    """The user's role, or ``ANONYMOUS`` when nobody is signed in (Flask-Login's anonymous user, or None)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return ANONYMOUS
    return user.role


def navigation_for(user: Any, config: Mapping[str, Any]) -> list[NavLink]:
    """The links ``user`` sees, in table order."""
    audience = audience_of(user)
    return [link for link in NAVIGATION if audience in link.audiences and (link.when is None or link.when(config))]
