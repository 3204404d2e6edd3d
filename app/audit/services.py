"""Write audit events; callers flush, the request commits."""

from typing import Any

from app.audit.models import AuditEvent
from app.extensions import db


def record_event(
    actor,
    action: str,
    obj,
    *,
    student_id: int | None = None,
    reason: str | None = None,
    **data: Any,
) -> AuditEvent:
    """Add an audit event for `action` on `obj` by `actor` (a User or None for the system).

    :param data: JSON-serialisable details, e.g. before/after scores.
    """
    event = AuditEvent(
        actor_id=getattr(actor, "id", None),
        action=action,
        object_type=type(obj).__tablename__,
        object_id=obj.id,
        student_id=student_id,
        reason=reason,
        data=data,
    )
    db.session.add(event)
    return event
