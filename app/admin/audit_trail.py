"""The audit trail for admins: filter by who, what, which student and when; export as CSV."""

import csv
import io
import json
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta

from sqlalchemy import Select, select
from sqlalchemy.orm import selectinload

from app.audit.models import AuditEvent
from app.common import to_int
from app.csv_cells import safe_row
from app.extensions import db
from app.search import contains
from app.students.models import Student
from app.users.models import User

CSV_COLUMNS = (
    "id",
    "at_utc",
    "actor_id",
    "actor_email",
    "actor_name",
    "action",
    "object_type",
    "object_id",
    "student_id",
    "student_name",
    "reason",
    "data",
)


def _day(value) -> date | None:
    try:
        return date.fromisoformat((value or "").strip())
    except ValueError:
        return None


def audit_filters(args) -> dict:
    """The filters the page and the CSV share, read from the query string (bad ones dropped)."""
    return {
        "who": (args.get("who") or "").strip()[:100],
        "action": (args.get("action") or "").strip()[:60],
        "student": (args.get("student") or "").strip()[:100],
        "since": _day(args.get("since")),
        "until": _day(args.get("until")),
    }


def filter_events(filters: dict) -> Select:
    """Audit events matching `filters`, newest first, with their actor."""
    stmt = (
        select(AuditEvent)
        .options(selectinload(AuditEvent.actor))
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    )
    if filters["who"]:
        actors = select(User.id).where(
            contains(filters["who"], User.email, User.username, User.given_name, User.family_name)
        )
        stmt = stmt.where(AuditEvent.actor_id.in_(actors))
    if filters["action"]:
        stmt = stmt.where(AuditEvent.action == filters["action"])  # indexed
    if filters["student"]:
        number = to_int(filters["student"].lstrip("#"))
        if number is not None:
            stmt = stmt.where(AuditEvent.student_id == number)
        else:
            named = select(Student.id).where(
                contains(filters["student"], Student.given_name, Student.family_name)
            )
            stmt = stmt.where(AuditEvent.student_id.in_(named))
    if filters["since"]:
        stmt = stmt.where(AuditEvent.at >= datetime.combine(filters["since"], time.min))
    if filters["until"]:
        end = datetime.combine(filters["until"] + timedelta(days=1), time.min)
        stmt = stmt.where(AuditEvent.at < end)
    return stmt


def students_of(events) -> dict[int, Student]:
    """The students a page of events names, in one query."""
    ids = {event.student_id for event in events if event.student_id is not None}
    if not ids:
        return {}
    return {s.id: s for s in db.session.scalars(select(Student).where(Student.id.in_(ids)))}


def known_actions() -> list[str]:
    """Every action the trail holds, for the filter's list."""
    return list(
        db.session.scalars(select(AuditEvent.action).distinct().order_by(AuditEvent.action))
    )


def audit_csv(filters: dict, batch: int = 1000) -> Iterator[str]:
    """The matching events as CSV text, streamed in batches (UTF-8 BOM first, RFC 4180)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    yield "\ufeff" + buffer.getvalue()
    stmt = (
        filter_events(filters)
        .outerjoin(Student, Student.id == AuditEvent.student_id)
        .add_columns(Student)
        .execution_options(yield_per=batch)
    )
    for event, student in db.session.execute(stmt):
        buffer.seek(0)
        buffer.truncate()
        actor = event.actor
        writer.writerow(
            safe_row(
                (
                    event.id,
                    event.at.isoformat(timespec="seconds"),
                    event.actor_id,
                    actor.sign_in_name if actor else "",
                    actor.full_name if actor else "",
                    event.action,
                    event.object_type,
                    event.object_id,
                    event.student_id,
                    student.full_name if student else "",
                    event.reason,
                    json.dumps(event.data or {}, ensure_ascii=False, sort_keys=True),
                )
            )
        )
        yield buffer.getvalue()
