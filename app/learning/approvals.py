"""Approval of unit tests as the teacher sees it: a student's request, its queue, its state."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import Select, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager

from app.audit.services import record_event
from app.common import utcnow
from app.courses.models import CourseVersion
from app.credits.rules import rules_for
from app.enrollments.models import Enrollment, UnitProgress
from app.extensions import db
from app.learning.models import ApprovalRequest
from app.learning.notices import notify_approval_requested
from app.learning.services import (
    LearningError,
    current_test_attempt,
    needs_approval,
    unit_refusal,
    unit_rules,
)
from app.permissions import site_ids_scope, student_scope
from app.students.models import Student
from app.users.models import User


@dataclass(frozen=True)
class ApprovalState:
    """What a teacher sees of a unit's approval: "approved" (until), "expired" (at), or
    "requested" (at, waiting for the teacher)."""

    kind: str
    at: datetime


def approval_state(
    progress: UnitProgress, requested_at: datetime | None, minutes: int, now: datetime
) -> ApprovalState | None:
    """The unit's approval state from its approval time, its open request and the window."""
    if progress.test_approved_at is not None:
        until = progress.test_approved_at + timedelta(minutes=minutes)
        if until > now:
            return ApprovalState("approved", until)
        if requested_at is None or requested_at < progress.test_approved_at:
            return ApprovalState("expired", until)
    if requested_at is not None:
        return ApprovalState("requested", requested_at)
    return None


def open_requests(progress_ids: list[int]) -> dict[int, datetime]:
    """{unit_progress_id: when the open request was made} in one query."""
    if not progress_ids:
        return {}
    return _open_requests(ApprovalRequest.unit_progress_id.in_(progress_ids))


def _open_requests(which) -> dict[int, datetime]:
    rows = db.session.execute(
        select(ApprovalRequest.unit_progress_id, ApprovalRequest.requested_at).where(
            which, ApprovalRequest.resolved_at.is_(None)
        )
    ).all()
    return dict(rows)


def approval_states(progresses: list[UnitProgress]) -> dict[int, ApprovalState]:
    """{unit_progress_id: state} for units whose student and site are loaded (one query)."""
    requested = open_requests([p.id for p in progresses])
    now = utcnow()
    states = {}
    for progress in progresses:
        state = approval_state(
            progress, requested.get(progress.id), unit_rules(progress).approval_minutes, now
        )
        if state:
            states[progress.id] = state
    return states


def enrollment_approval_states(
    enrollments: list[Enrollment], state_codes: dict[int, str]
) -> dict[int, ApprovalState]:
    """`approval_states` of every unit of these enrollments, given their students' state codes
    ({student_id: code}): the open requests found by the enrollments' ids (a few parameters, not
    one per unit) and the state's rules read once per enrollment."""
    if not enrollments:
        return {}
    units = select(UnitProgress.id).where(
        UnitProgress.enrollment_id.in_([e.id for e in enrollments])
    )
    requested = _open_requests(ApprovalRequest.unit_progress_id.in_(units))
    now = utcnow()
    states = {}
    for enrollment in enrollments:
        minutes = rules_for(state_codes[enrollment.student_id]).approval_minutes
        for progress in enrollment.units:
            state = approval_state(progress, requested.get(progress.id), minutes, now)
            if state:
                states[progress.id] = state
    return states


def request_refusal(progress: UnitProgress) -> str | None:
    """Why the student may not ask for an approval now (translated), or None if they may."""
    if current_test_attempt(progress) is not None:
        return _("Your unit test is already open: continue it.")
    refusal = unit_refusal(progress)
    if refusal is None and not needs_approval(progress):
        return _("Your teacher already approved the unit test: you can start it now.")
    return refusal


def find_open_request(progress: UnitProgress) -> ApprovalRequest | None:
    return db.session.scalar(
        select(ApprovalRequest).where(
            ApprovalRequest.unit_progress_id == progress.id, ApprovalRequest.resolved_at.is_(None)
        )
    )


def request_approval(progress: UnitProgress, student_user: User) -> tuple[ApprovalRequest, bool]:
    """A student asks the teacher to approve the unit's test: it joins the teacher's queue.

    Asking again (or twice at once) keeps the one open request (a partial unique index).

    :returns: the open request and whether this call made it.
    :raises LearningError: when the unit cannot take a test now or is already approved.
    """
    refusal = request_refusal(progress)
    if refusal:
        raise LearningError(refusal)
    existing = find_open_request(progress)
    if existing is not None:
        return existing, False
    request = ApprovalRequest(unit_progress_id=progress.id, requested_by_id=student_user.id)
    try:
        with db.session.begin_nested():
            db.session.add(request)
    except IntegrityError:  # a parallel request made it first
        return find_open_request(progress), False
    record_event(
        student_user,
        "unit_test.approval_requested",
        progress,
        student_id=progress.enrollment.student_id,
        request_id=request.id,
    )
    notify_approval_requested(progress)
    db.session.flush()
    return request, True


def count_approval_requests(user: User) -> int:
    """How many open approval requests wait for staff `user` (students in their scope)."""
    return db.session.scalar(
        select(func.count(ApprovalRequest.id))
        .join(ApprovalRequest.unit_progress)
        .join(UnitProgress.enrollment)
        .join(Enrollment.student)
        .where(ApprovalRequest.resolved_at.is_(None), site_ids_scope(user, Student.site_id))
    )


def approval_queue(user: User) -> Select:
    """Open approval requests for students in `user`'s scope, oldest first."""
    return (
        select(ApprovalRequest)
        .join(ApprovalRequest.unit_progress)
        .join(UnitProgress.enrollment)
        .join(Enrollment.student)
        .join(Student.site)
        .join(Enrollment.course_version)
        .where(ApprovalRequest.resolved_at.is_(None), student_scope(user))
        .options(
            contains_eager(ApprovalRequest.unit_progress)
            .contains_eager(UnitProgress.enrollment)
            .contains_eager(Enrollment.student)
            .contains_eager(Student.site),
            contains_eager(ApprovalRequest.unit_progress)
            .contains_eager(UnitProgress.enrollment)
            .contains_eager(Enrollment.course_version)
            .selectinload(CourseVersion.course),
        )
        .order_by(ApprovalRequest.requested_at, ApprovalRequest.id)
    )
