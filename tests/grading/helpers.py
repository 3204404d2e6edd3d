"""Test helpers for grading and credit: handed-in tests and paper scores."""

from datetime import date, datetime

from app.courses.models import Section
from app.enrollments.models import UnitProgress
from app.extensions import db
from app.grading.services import record_paper_scores
from app.learning.models import Attempt
from app.learning.scoring import save_response, submit_attempt

# The factory course's unit test: t1 (choice, right answer "b", 1 point), t2 (numeric 12,
# 1 point), t3 (open, 2 points).
RIGHT = ("b", "12", "Because 6 + 6 is 12.")
WRONG = ("a", "7", "No idea.")


def hand_in_test(
    progress: UnitProgress, responses=RIGHT, submitted_at: datetime | None = None
) -> Attempt:
    """Start, answer and hand in a unit test as the student pages do (scoring services)."""
    number = 1 + (
        db.session.query(Attempt)
        .filter_by(unit_progress_id=progress.id, section=Section.TEST)
        .count()
    )
    attempt = Attempt(unit_progress=progress, section=Section.TEST, number=number)
    db.session.add(attempt)
    db.session.flush()
    for item, response in zip(progress.unit.items_in(Section.TEST), responses, strict=True):
        save_response(attempt, item, response)
    db.session.refresh(attempt, ["answers"])
    submit_attempt(attempt, progress.enrollment.student.site_id)
    if submitted_at is not None:
        attempt.submitted_at = submitted_at
        db.session.flush()
    return attempt


def open_item(progress: UnitProgress):
    return next(i for i in progress.unit.items_in(Section.TEST) if i.key == "t3")


def paper_test(progress: UnitProgress, teacher, percent: float) -> Attempt:
    """Record a paper unit-test score (the grading service) and return the new attempt."""
    (attempt,) = record_paper_scores(progress, teacher, None, percent, date.today(), None)
    return attempt


def unit_scores(enrollment, teacher, percents) -> None:
    """Give units 1, 2, … the paper test scores in `percents` (None leaves a unit untouched)."""
    for progress, percent in zip(enrollment.units, percents, strict=False):
        if percent is not None:
            paper_test(progress, teacher, percent)
