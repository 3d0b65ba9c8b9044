"""Reading the audit log (the admin page and its CSV) and recording the events of signing in and reading it.

The page and the export share one filtered query (``events_query``), newest first. The CSV is streamed
in chunks of ``EXPORT_CHUNK`` rows read by keyset (``at``, ``id``), so every matching row is exported
with a bounded amount of memory and one query per chunk, and every cell is formula-safe.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Engine, Select, and_, func, or_, select
from sqlalchemy.orm import Session, joinedload

from portal.extensions import db
from portal.models import AuditEvent, TimesheetWeek, User
from portal.services.audit import record_event
from portal.services.spreadsheets import neutralise_cell, rows_to_csv

#: Rows read per query while streaming the CSV.
EXPORT_CHUNK = 1000
#: Longest text of one value in the page's details summary (the CSV has the details in full).
SUMMARY_VALUE_LENGTH = 80
#: Most lines of a details summary on the page.
SUMMARY_LINES = 6
#: What the log's own reads are recorded under.
TARGET = "audit_log"

#: Actions whose words read better than their name split at dots and underscores.
ACTION_LABELS = {
    "auth.signed_in": "Signed in",
    "auth.sign_in_failed": "Sign-in failed",
    "user.signed_out": "Signed out everywhere",
    "audit.viewed": "Audit log viewed",
    "audit.exported": "Audit log exported",
    "applications.exported": "Applications exported (CSV)",
    "stipends.exported": "Stipends exported (CSV)",
    "statement.downloaded": "Hours statement downloaded (PDF)",
    "application.resume_downloaded": "Resume downloaded",
    "resume.scan_rejected": "Resume failed the virus check (file deleted)",
    "outbox.retried": "Email retried",
}
#: Object types as the page names them.
TARGET_LABELS = {
    "activity_category": "Activity category",
    "application": "Application",
    "application_question": "Application question",
    "audit_log": "Audit log",
    "concern": "Concern",
    "outbox_message": "Email",
    "placement": "Placement",
    "program": "Program",
    "rubric_criterion": "Rubric criterion",
    "stipends": "Stipends",
    "timesheet_week": "Timesheet week",
    "user": "Person",
}

CSV_HEADER = [
    "When (UTC)",
    "Who",
    "Account email",
    "Action",
    "Action name",
    "Object type",
    "Object id",
    "From",
    "To",
    "Why",
    "Details",
]


@dataclass(frozen=True)
class AuditFilters:
    """What the page is narrowed to; empty values filter nothing."""

    actor_id: int | None = None
    who: str = ""
    action: str = ""
    target_type: str = ""
    date_from: date | None = None
    date_to: date | None = None

    def query_args(self) -> dict[str, str]:
        """The filters as GET parameters (only those set), for page links, the CSV link and the audit details."""
        args = {
            "person": str(self.actor_id) if self.actor_id is not None else "",
            "who": self.who,
            "action": self.action,
            "object_type": self.target_type,
            "date_from": self.date_from.isoformat() if self.date_from else "",
            "date_to": self.date_to.isoformat() if self.date_to else "",
        }
        return {key: value for key, value in args.items() if value}

    @property
    def active(self) -> bool:
        return any(value not in (None, "") for value in asdict(self).values())


@dataclass(frozen=True)
class FilterChoices:
    """The options of the page's selects: only values that occur in the log."""

    actors: list[tuple[int, str]]
    actions: list[tuple[str, str]]
    target_types: list[tuple[str, str]]


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def _like(text: str) -> str:
    """A case-insensitive "contains" pattern with LIKE's wildcards taken literally."""
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _conditions(filters: AuditFilters) -> list:
    conditions = []
    if filters.actor_id is not None:
        conditions.append(AuditEvent.actor_id == filters.actor_id)
    if filters.who:
        conditions.append(func.lower(AuditEvent.actor_label).like(_like(filters.who), escape="\\"))
    if filters.action:
        conditions.append(AuditEvent.action == filters.action)
    if filters.target_type:
        conditions.append(AuditEvent.target_type == filters.target_type)
    if filters.date_from is not None:
        conditions.append(AuditEvent.at >= _start_of(filters.date_from))
    if filters.date_to is not None:
        conditions.append(AuditEvent.at < _start_of(filters.date_to + timedelta(days=1)))
    return conditions


def events_query(filters: AuditFilters) -> Select:
    """Every event matching ``filters``, newest first (ties by id), with the actor loaded in the same query."""
    return (
        select(AuditEvent)
        .options(joinedload(AuditEvent.actor))
        .where(*_conditions(filters))
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    )


#: What an action and an object type look like ("application.status_changed", "timesheet_week").
ACTION_NAME = re.compile(r"[a-z][a-z_]*(\.[a-z][a-z_]*)+")
TARGET_NAME = re.compile(r"[a-z][a-z_]*")


def with_requested(
    choices: FilterChoices, person: str | None, action: str | None, target_type: str | None
) -> FilterChoices:
    """The choices plus a well-formed value asked for that the log does not hold (yet): a bookmark, or the
    link from a person's page to their events, lists nothing rather than being refused."""
    actors, actions, types = list(choices.actors), list(choices.actions), list(choices.target_types)
    if person and person.isascii() and person.isdigit() and len(person) <= 9:
        if int(person) not in {actor_id for actor_id, _ in actors}:
            user = db.session.get(User, int(person))
            if user is not None:
                actors.append((user.id, person_label(user.full_name, user.email)))
    if action and len(action) <= 80 and ACTION_NAME.fullmatch(action) and action not in dict(actions):
        actions.append((action, action_label(action)))
    if target_type and len(target_type) <= 40 and TARGET_NAME.fullmatch(target_type) and target_type not in dict(types):
        types.append((target_type, target_label(target_type)))
    return FilterChoices(actors=actors, actions=actions, target_types=types)


def matching_count(filters: AuditFilters) -> int:
    """How many events match ``filters`` (the page's total and the export's audit record)."""
    return db.session.scalar(select(func.count(AuditEvent.id)).where(*_conditions(filters))) or 0


def filter_choices() -> FilterChoices:
    """The people who have events, and the actions and object types that occur (three queries)."""
    actors = db.session.execute(
        select(User.id, User.full_name, User.email)
        .where(User.id.in_(select(AuditEvent.actor_id).where(AuditEvent.actor_id.is_not(None)).distinct()))
        .order_by(func.lower(User.full_name), User.email)
    ).all()
    actions = db.session.scalars(select(AuditEvent.action).distinct().order_by(AuditEvent.action)).all()
    types = db.session.scalars(select(AuditEvent.target_type).distinct().order_by(AuditEvent.target_type)).all()
    return FilterChoices(
        actors=[(row.id, person_label(row.full_name, row.email)) for row in actors],
        actions=[(action, action_label(action)) for action in actions],
        target_types=[(kind, target_label(kind)) for kind in types],
    )


# ------------------------------------------------------------------------------------------------
# How an event reads


def action_label(action: str) -> str:
    """ "application.status_changed" → "Application status changed" (or the wording in ACTION_LABELS)."""
    if action in ACTION_LABELS:
        return ACTION_LABELS[action]
    words = action.replace(".", " ").replace("_", " ").split()
    return " ".join(words).capitalize() if words else action


def target_label(target_type: str) -> str:
    """ "timesheet_week" → "Timesheet week"."""
    return TARGET_LABELS.get(target_type) or target_type.replace("_", " ").capitalize()


def person_label(full_name: str, email: str) -> str:
    """ "Sam Supervisor (sam@example.org)", or the email alone for an account without a name."""
    return f"{full_name} ({email})" if full_name else email


def actor_name(event: AuditEvent) -> str:
    """Who did it: the person's name (and email) when it was an account, else the label ("applicant")."""
    if event.actor is not None:
        return person_label(event.actor.full_name, event.actor.email)
    return event.actor_label or "system"


def _short(value: Any) -> str:
    if value is None or value == "":
        text = "none"
    elif isinstance(value, bool):
        text = "yes" if value else "no"
    elif isinstance(value, Mapping):
        text = ", ".join(f"{key} {_short(item)}" for key, item in value.items()) or "none"
    elif isinstance(value, (list, tuple)):
        text = ", ".join(_short(item) for item in value) or "none"
    else:
        text = str(value)
    text = " ".join(text.split())
    return text if len(text) <= SUMMARY_VALUE_LENGTH else text[: SUMMARY_VALUE_LENGTH - 1] + "…"


def _key_label(key: str) -> str:
    return str(key).replace("_", " ")


def summarise_details(details: Mapping[str, Any] | None) -> list[str]:
    """Compact lines for the page: each changed value as "name: before → after", then the other details."""
    if not details:
        return []
    lines: list[str] = []
    before, after = details.get("before"), details.get("after")
    if isinstance(before, Mapping) or isinstance(after, Mapping):
        before = before if isinstance(before, Mapping) else {}
        after = after if isinstance(after, Mapping) else {}
        keys = [*before, *(key for key in after if key not in before)]
        for key in keys:
            if before.get(key) != after.get(key):
                lines.append(f"{_key_label(key)}: {_short(before.get(key))} → {_short(after.get(key))}")
    elif "before" in details or "after" in details:
        lines.append(f"{_short(before)} → {_short(after)}")
    for key, value in details.items():
        if key not in ("before", "after"):
            lines.append(f"{_key_label(key)}: {_short(value)}")
    if len(lines) > SUMMARY_LINES:
        hidden = len(lines) - SUMMARY_LINES + 1
        lines = [*lines[: SUMMARY_LINES - 1], f"and {hidden} more (in the CSV export)"]
    return lines


def week_targets(events: Sequence[AuditEvent]) -> dict[int, tuple[int, date]]:
    """(placement id, Monday) of the timesheet weeks some events are about, in one query, for their links."""
    ids = {event.target_id for event in events if event.target_type == "timesheet_week" and event.target_id}
    if not ids:
        return {}
    rows = db.session.execute(
        select(TimesheetWeek.id, TimesheetWeek.placement_id, TimesheetWeek.week_start).where(TimesheetWeek.id.in_(ids))
    ).all()
    return {row.id: (row.placement_id, row.week_start) for row in rows}


# ------------------------------------------------------------------------------------------------
# The CSV export


def _csv_row(event: AuditEvent) -> list[str]:
    cells = [
        event.at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        actor_name(event),
        event.actor.email if event.actor is not None else "",
        action_label(event.action),
        event.action,
        event.target_type,
        "" if event.target_id is None else str(event.target_id),
        event.from_state,
        event.to_state,
        event.reason,
        json.dumps(event.details, ensure_ascii=False, sort_keys=True, default=str) if event.details else "",
    ]
    return [neutralise_cell(cell) for cell in cells]


def newest_event_id() -> int:
    """The id of the latest event so far: an export lists the log as it was when it was asked for."""
    return db.session.scalar(select(func.max(AuditEvent.id))) or 0


def export_events(
    filters: AuditFilters, *, up_to_id: int | None = None, chunk: int | None = None, session: Session | None = None
) -> Iterator[list[AuditEvent]]:
    """Every matching event, newest first, a chunk at a time (keyset on ``at`` and ``id``: one query each).

    ``up_to_id`` leaves out events recorded later (the export's own record among them)."""
    session = session or db.session
    size = chunk or EXPORT_CHUNK
    query = events_query(filters)
    if up_to_id is not None:
        query = query.where(AuditEvent.id <= up_to_id)
    last: tuple[datetime, int] | None = None
    while True:
        page = query
        if last is not None:
            at, event_id = last
            page = page.where(or_(AuditEvent.at < at, and_(AuditEvent.at == at, AuditEvent.id < event_id)))
        events = list(session.scalars(page.limit(size)).unique())
        if events:
            yield events
        if len(events) < size:
            return
        last = (events[-1].at, events[-1].id)


def export_csv(filters: AuditFilters, *, up_to_id: int | None = None, chunk: int | None = None) -> Iterator[str]:
    """The filtered log as CSV text: the header, then one piece per chunk of rows, to be streamed.

    It reads through a database session of its own, so it works after the request's has ended.
    """
    return _csv_pieces(db.engine, filters, up_to_id, chunk)


def _csv_pieces(engine: Engine, filters: AuditFilters, up_to_id: int | None, chunk: int | None) -> Iterator[str]:
    yield rows_to_csv([CSV_HEADER])
    with Session(engine) as session:
        for events in export_events(filters, up_to_id=up_to_id, chunk=chunk, session=session):
            yield rows_to_csv(_csv_row(event) for event in events)


# ------------------------------------------------------------------------------------------------
# Events recorded by reading the log and by signing in


def record_read(actor: User, filters: AuditFilters, *, page: int | None = None, rows: int | None = None) -> None:
    """A read of the log is itself audited: the page ("audit.viewed") or the CSV ("audit.exported")."""
    details: dict[str, Any] = {"filters": filters.query_args()}
    if page is not None:
        details["page"] = page
    if rows is not None:
        details["rows"] = rows
    record_event(
        "audit.viewed" if rows is None else "audit.exported",
        target_type=TARGET,
        target_id=None,
        actor=actor,
        details=details,
    )


def record_sign_in(email: str, user: User | None, *, address: str | None) -> None:
    """A sign-in attempt: "auth.signed_in" for the account, or "auth.sign_in_failed" with the email typed.

    The password is never recorded; a failed attempt names the account the email belongs to, if any.
    """
    if user is not None:
        record_event(
            "auth.signed_in", target_type="user", target_id=user.id, actor=user, details={"address": address or ""}
        )
        return
    typed = (email or "").strip().lower()[:254]
    account = User.by_email(typed) if typed else None
    state = "no account" if account is None else ("active account" if account.active else "deactivated account")
    record_event(
        "auth.sign_in_failed",
        target_type="user",
        target_id=account.id if account is not None else None,
        actor_label=typed[:120] or "sign-in form",
        details={"email": typed, "account": state, "address": address or ""},
    )
