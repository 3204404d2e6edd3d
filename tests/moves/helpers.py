"""Shared steps for the move-notice tests."""

from datetime import date, timedelta

from sqlalchemy import select

from app.audit.models import AuditEvent
from app.extensions import db
from app.moves.services import report_move


def notice(student, by, destination="US-ND", site=None, days=7, note=None):
    """A move notice made through the service, saved as if earlier (a savepoint)."""
    move = report_move(
        student,
        by,
        destination,
        site.id if site else None,
        date.today() + timedelta(days=days),
        note,
    )
    db.session.commit()
    return move


def events(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))
