"""Scoring: automatic items at once, attempt totals, and the unit/enrollment status they imply.

Every function here flushes at most; the request (or CLI command) commits.
"""

from app.common import utcnow
from app.courses.models import Item, ItemKind, Section
from app.credits.rules import Rules, round_percent, rules_for, unit_passed
from app.enrollments.models import Enrollment, EnrollmentStatus, UnitProgress, UnitStatus
from app.extensions import db
from app.learning.models import Answer, Attempt, AttemptStatus


class ScoringError(ValueError):
    """An answer or score cannot be accepted; the message says why."""


def parse_number(text: str) -> float | None:
    """Read a numeric answer, accepting a decimal comma ("3,5") and spaces; None if not a number."""
    cleaned = (text or "").strip().replace(" ", "").replace("\u00a0", "")
    if cleaned.count(",") == 1 and "." not in cleaned:
        cleaned = cleaned.replace(",", ".")
    try:
        return float(cleaned)
    except ValueError:
        return None


def score_response(item: Item, response: str) -> tuple[bool | None, float | None]:
    """(is_correct, points) for an automatically scored item; (None, None) for open items."""
    if item.kind == ItemKind.OPEN:
        return None, None
    if item.kind == ItemKind.CHOICE:
        correct = (response or "").strip() == item.answer["choice"]
    else:
        value = parse_number(response)
        expected = float(item.answer["value"])
        tolerance = float(item.answer.get("tolerance", 0))
        correct = value is not None and abs(value - expected) <= tolerance + 1e-9
    return correct, float(item.points) if correct else 0.0


def save_response(attempt: Attempt, item: Item, response: str) -> Answer:
    """Store (or replace) the answer to one item; automatic items are scored at once.

    :raises ScoringError: when the attempt no longer takes answers or the item is not its own.
    """
    if item.unit_id != attempt.unit_progress.unit_id or item.section != attempt.section:
        raise ScoringError("This question does not belong to this unit.")
    editable = attempt.status == AttemptStatus.IN_PROGRESS or (
        attempt.status == AttemptStatus.RETURNED and item.kind == ItemKind.OPEN
    )
    if not editable:
        raise ScoringError("This work has been submitted and can no longer be changed.")
    if len(response or "") > 20000:
        raise ScoringError("The answer is too long (20,000 characters at most).")
    answer = db.session.query(Answer).filter_by(attempt_id=attempt.id, item_id=item.id).first()
    if answer is None:
        answer = Answer(attempt=attempt, item=item)
        db.session.add(answer)
    answer.response = response or ""
    answer.is_correct, answer.points = score_response(item, answer.response)
    answer.updated_at = utcnow()
    answer.typed_at = None
    db.session.flush()
    return answer


def section_items(attempt: Attempt) -> list[Item]:
    return attempt.unit_progress.unit.items_in(attempt.section)


def total_points(attempt: Attempt) -> None:
    """Recompute the attempt's automatic, manual and maximum points from its answers."""
    items = section_items(attempt)
    by_item = {answer.item_id: answer for answer in attempt.answers}
    attempt.max_points = float(sum(item.points for item in items))
    auto = manual = 0.0
    for item in items:
        points = by_item[item.id].points if item.id in by_item else None
        if points is None:
            continue
        if item.kind == ItemKind.OPEN:
            manual += points
        else:
            auto += points
    attempt.auto_points, attempt.manual_points = auto, manual


def open_items_unscored(attempt: Attempt) -> list[Item]:
    """Open items of the attempt that still wait for a teacher's score."""
    by_item = {answer.item_id: answer for answer in attempt.answers}
    return [
        item
        for item in section_items(attempt)
        if item.kind == ItemKind.OPEN and item.id in by_item and by_item[item.id].points is None
    ]


def submit_attempt(attempt: Attempt, site_id: int | None) -> Attempt:
    """Hand in a test attempt: blank items score 0, open answers go to the grading queue.

    :raises ScoringError: when the attempt was already handed in.
    """
    if attempt.status not in (AttemptStatus.IN_PROGRESS, AttemptStatus.RETURNED):
        raise ScoringError("This test has already been handed in.")
    answered = {answer.item_id: answer for answer in attempt.answers}
    for item in section_items(attempt):
        if item.id not in answered:
            blank = Answer(attempt=attempt, item=item, response="", is_correct=False, points=0.0)
            db.session.add(blank)
        elif item.kind == ItemKind.OPEN and not answered[item.id].response.strip():
            answered[item.id].points = 0.0
    db.session.flush()
    db.session.refresh(attempt, ["answers"])
    attempt.submitted_at = utcnow()
    attempt.site_id = site_id
    total_points(attempt)
    if open_items_unscored(attempt):
        attempt.status = AttemptStatus.SUBMITTED
    else:
        finalize_attempt(attempt, grader=None)
    refresh_unit_progress(attempt.unit_progress)
    return attempt


def finalize_attempt(attempt: Attempt, grader) -> Attempt:
    """Close an attempt whose every item is scored: percent, status graded, unit progress."""
    total_points(attempt)
    attempt.percent = (
        round_percent(100 * (attempt.auto_points + attempt.manual_points) / attempt.max_points)
        if attempt.max_points
        else 0.0
    )
    attempt.status = AttemptStatus.GRADED
    attempt.graded_at = utcnow()
    attempt.graded_by_id = getattr(grader, "id", None)
    refresh_unit_progress(attempt.unit_progress)
    return attempt


def _rules(progress: UnitProgress) -> Rules:
    return rules_for(progress.enrollment.student.site.state_code)


def refresh_unit_progress(progress: UnitProgress) -> UnitProgress:
    """Derive a unit's status and best score from its attempts (the best test score counts)."""
    rules = _rules(progress)
    attempts = db.session.query(Attempt).filter_by(unit_progress_id=progress.id).all()
    tests = [a for a in attempts if a.section == Section.TEST]
    graded = [
        a.percent for a in tests if a.status == AttemptStatus.GRADED and a.percent is not None
    ]
    progress.test_attempts = len(tests)
    progress.best_test_percent = max(graded) if graded else None
    was_final = progress.status in (UnitStatus.PASSED, UnitStatus.FAILED)
    if any(a.status == AttemptStatus.SUBMITTED for a in tests):
        progress.status = UnitStatus.AWAITING_GRADING
    elif any(a.status == AttemptStatus.RETURNED for a in tests):
        progress.status = UnitStatus.RETURNED
    elif unit_passed(progress.best_test_percent, rules):
        progress.status = UnitStatus.PASSED
    elif graded:
        progress.status = UnitStatus.FAILED
    elif attempts or progress.lessons_read:
        progress.status = UnitStatus.IN_PROGRESS
    else:
        progress.status = UnitStatus.NOT_STARTED
    if progress.status in (UnitStatus.PASSED, UnitStatus.FAILED):
        if not was_final or progress.completed_at is None:
            progress.completed_at = utcnow()
            progress.completed_site_id = progress.enrollment.student.site_id
    else:
        progress.completed_at = progress.completed_site_id = None
    practice = [a for a in attempts if a.section == Section.PRACTICE]
    if practice:
        progress.work_percent = max(a.percent or 0.0 for a in practice)
    db.session.flush()
    refresh_enrollment(progress.enrollment)
    return progress


def unit_is_final(progress: UnitProgress, rules: Rules) -> bool:
    """Passed, or failed with no retake left."""
    if progress.status == UnitStatus.PASSED:
        return True
    return progress.status == UnitStatus.FAILED and progress.test_attempts >= rules.test_attempts


def refresh_enrollment(enrollment: Enrollment) -> Enrollment:
    """Mark the enrollment started/completed from its units."""
    if enrollment.status == EnrollmentStatus.WITHDRAWN:
        return enrollment
    units = enrollment.units
    if enrollment.started_at is None and any(u.status != UnitStatus.NOT_STARTED for u in units):
        enrollment.started_at = utcnow()
    rules = rules_for(enrollment.student.site.state_code)
    if units and all(unit_is_final(u, rules) for u in units):
        enrollment.status = EnrollmentStatus.COMPLETED
        enrollment.completed_at = enrollment.completed_at or utcnow()
    else:
        enrollment.status = EnrollmentStatus.ACTIVE
        enrollment.completed_at = None
    return enrollment


def update_work_score(attempt: Attempt) -> None:
    """Unit work (practice) score: the share of automatically scored practice points earned."""
    items = [i for i in section_items(attempt) if i.kind != ItemKind.OPEN]
    possible = sum(item.points for item in items)
    earned = sum(a.points or 0 for a in attempt.answers if a.item.kind != ItemKind.OPEN)
    attempt.max_points = float(possible)
    attempt.auto_points = float(earned)
    attempt.percent = round_percent(100 * earned / possible) if possible else None
    progress = attempt.unit_progress
    progress.work_percent = attempt.percent
    if progress.status == UnitStatus.NOT_STARTED:
        progress.status = UnitStatus.IN_PROGRESS
    db.session.flush()
