"""Recording audit events; every state change in ``services`` calls this in its own transaction."""

from __future__ import annotations

from typing import Any

from portal.extensions import db
from portal.models import AuditEvent, User


def record_event(
    action: str,
    *,
    target_type: str,
    target_id: int | None,
    actor: User | None = None,
    actor_label: str = "",
    from_state: str = "",
    to_state: str = "",
    reason: str = "",
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Add an audit event to the session (the caller's view commits): who, what, from, to, why."""
    if actor is not None and getattr(actor, "is_authenticated", False) and not actor_label:
        actor_label = actor.email
    event = AuditEvent(
        action=action,
        target_type=target_type,
        target_id=target_id,
        actor_id=actor.id if actor is not None and getattr(actor, "id", None) else None,
        actor_label=actor_label or "system",
        from_state=from_state,
        to_state=to_state,
        reason=reason,
        details=details or {},
    )
    db.session.add(event)
    return event
