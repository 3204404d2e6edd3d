"""Student unit work: lessons read, practice, starting, saving and handing in unit tests."""

from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import select, update

from app.audit.services import record_event
from app.common import utcnow
from app.courses.models import Item, Section
from app.credits.rules import Rules, rules_for
from app.enrollments.models import EnrollmentStatus, UnitProgress, UnitStatus
from app.errors import DomainError
from app.extensions import db
from app.learning.models import Answer, ApprovalRequest, Attempt, AttemptStatus
from app.learning.notices import notify_handed_in, notify_if_completed, notify_test_approved
from app.learning.scoring import (
    ScoringError,
    refresh_enrollment,
    refresh_unit_progress,
    save_response,
    submit_attempt,
    update_work_score,
)
from app.page_cache.changes import touching
from app.users.models import User


class LearningError(DomainError):
    """A student action is refused; the message (translated) says why."""

    status = 409


def unit_rules(progress: UnitProgress) -> Rules:
    return rules_for(progress.enrollment.student.site.state_code)


def mark_lesson_read(progress: UnitProgress, position: int) -> UnitProgress:
    """Record that lesson `position` was read; a not-started unit becomes in progress."""
    progress.lessons_read = max(progress.lessons_read, position)
    if progress.status == UnitStatus.NOT_STARTED:
        progress.status = UnitStatus.IN_PROGRESS
        refresh_enrollment(progress.enrollment)
    db.session.flush()
    return progress


def existing_practice_attempt(progress: UnitProgress) -> Attempt | None:
    """The unit's practice attempt if the student has saved an answer, else None (no write)."""
    return db.session.scalar(
        select(Attempt).where(
            Attempt.unit_progress_id == progress.id, Attempt.section == Section.PRACTICE
        )
    )


def practice_attempt(progress: UnitProgress) -> Attempt:
    """The unit's practice (unit work) attempt, created on first use (a POST)."""
    attempt = existing_practice_attempt(progress)
    if attempt is None:
        attempt = Attempt(unit_progress=progress, section=Section.PRACTICE, number=1)
        db.session.add(attempt)
        db.session.flush()
    return attempt


def current_test_attempt(progress: UnitProgress) -> Attempt | None:
    """The test attempt the student can still work on (in progress or returned), if any."""
    return db.session.scalar(
        select(Attempt).where(
            Attempt.unit_progress_id == progress.id,
            Attempt.section == Section.TEST,
            Attempt.status.in_([AttemptStatus.IN_PROGRESS, AttemptStatus.RETURNED]),
        )
    )


def approval_valid_until(progress: UnitProgress):
    """When the teacher's approval expires, or None without a live approval."""
    if progress.test_approved_at is None:
        return None
    until = progress.test_approved_at + timedelta(minutes=unit_rules(progress).approval_minutes)
    return until if until > utcnow() else None


def test_refusal(progress: UnitProgress) -> str | None:
    """Why a new test attempt cannot start now (translated), or None if it can."""
    refusal = unit_refusal(progress)
    if refusal is None and needs_approval(progress):
        return _("Your teacher needs to approve the unit test before you start.")
    return refusal


def needs_approval(progress: UnitProgress) -> bool:
    """Whether the state's rules want an approval and the unit has no live one."""
    return unit_rules(progress).test_approval_required and approval_valid_until(progress) is None


def unit_refusal(progress: UnitProgress) -> str | None:
    """Why the unit can take no new test whatever the approval (translated), or None."""
    rules = unit_rules(progress)
    if progress.enrollment.status != EnrollmentStatus.ACTIVE:
        return _("This course is no longer active.")
    if progress.status == UnitStatus.PASSED:
        return _("You already passed this unit.")
    if progress.status == UnitStatus.AWAITING_GRADING:
        return _("Your teacher is still grading your last test.")
    if progress.test_attempts >= rules.test_attempts:
        return _("You have used all your tries for this unit test.")
    return None


def start_unit_test(progress: UnitProgress, student) -> Attempt:
    """Resume the open attempt, or start a new one (consuming the teacher's approval).

    :raises LearningError: when a new attempt may not start.
    """
    attempt = current_test_attempt(progress)
    if attempt is not None:
        return attempt
    refusal = test_refusal(progress)
    if refusal:
        raise LearningError(refusal)
    attempt = Attempt(
        unit_progress=progress,
        section=Section.TEST,
        number=progress.test_attempts + 1,
        site_id=student.site_id,
    )
    db.session.add(attempt)
    progress.test_approved_at = None
    db.session.flush()
    refresh_unit_progress(progress)
    return attempt


def approve_unit_test(progress: UnitProgress, teacher: User) -> UnitProgress:
    """A teacher approves the unit test; the approval expires after the state's window.

    :raises LearningError: when the unit cannot take another test.
    """
    rules = unit_rules(progress)
    if progress.status == UnitStatus.PASSED:
        raise LearningError(_("This unit is already passed."))
    if progress.status == UnitStatus.AWAITING_GRADING:
        raise LearningError(_("A test for this unit is waiting to be graded."))
    if progress.test_attempts >= rules.test_attempts:
        raise LearningError(_("The student has used all tries for this unit test."))
    progress.test_approved_at = utcnow()
    progress.test_approved_by_id = teacher.id
    answered = db.session.execute(
        update(ApprovalRequest)
        .where(
            ApprovalRequest.unit_progress_id == progress.id, ApprovalRequest.resolved_at.is_(None)
        )
        .values(resolved_at=progress.test_approved_at, resolved_by_id=teacher.id)
        .execution_options(**touching("unit_progress", [progress.id]))
    ).rowcount
    db.session.flush()
    record_event(
        teacher,
        "unit_test.approved",
        progress,
        student_id=progress.enrollment.student_id,
        minutes=rules.approval_minutes,
        answered_request=bool(answered),
    )
    notify_test_approved(progress, teacher)
    return progress


def _item_of(attempt: Attempt, item_id: int) -> Item:
    item = db.session.get(Item, item_id)
    if item is None or item.unit_id != attempt.unit_progress.unit_id:
        raise LearningError(_("This question is not part of this unit."))
    return item


def save_answers(attempt: Attempt, responses: dict[int, str]) -> list[Answer]:
    """Save several answers at once (autosave or a form post); practice is rescored.

    :raises LearningError: when the attempt is closed or an item is not its own.
    """
    answers = []
    try:
        for item_id, response in responses.items():
            answers.append(save_response(attempt, _item_of(attempt, item_id), response))
    except ScoringError as error:
        raise LearningError(_translate_scoring(error)) from error
    if attempt.section == Section.PRACTICE:
        db.session.refresh(attempt, ["answers"])
        update_work_score(attempt)
        refresh_enrollment(attempt.unit_progress.enrollment)
    return answers


def hand_in_test(attempt: Attempt, student) -> Attempt:
    """Hand in a test attempt: automatic items are scored, open ones go to the teacher.

    :raises LearningError: when it was already handed in.
    """
    if attempt.section != Section.TEST:
        raise LearningError(_("Only a unit test is handed in."))
    was = attempt.unit_progress.enrollment.status
    try:
        submit_attempt(attempt, student.site_id)
    except ScoringError as error:
        raise LearningError(_translate_scoring(error)) from error
    notify_handed_in(attempt)
    notify_if_completed(attempt.unit_progress.enrollment, was)
    return attempt


def _translate_scoring(error: ScoringError) -> str:
    messages = {
        "This question does not belong to this unit.": _("This question is not part of this unit."),
        "This work has been submitted and can no longer be changed.": _(
            "This work has been handed in and can no longer be changed."
        ),
        "The answer is too long (20,000 characters at most).": _(
            "The answer is too long (20,000 characters at most)."
        ),
        "This test has already been handed in.": _("This test has already been handed in."),
    }
    return messages.get(str(error), str(error))
