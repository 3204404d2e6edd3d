"""Test helpers for grading and credit: answers to the factory unit test, paper scores."""

from datetime import date

from app.courses.models import Section
from app.enrollments.models import UnitProgress
from app.grading.services import record_paper_scores
from app.learning.models import Attempt
from tests import factories

RIGHT = factories.RIGHT  # the factory course's unit test, answered right (t3 open, 2 points)
WRONG = ("a", "7", "No idea.")


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
