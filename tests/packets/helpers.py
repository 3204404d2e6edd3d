"""Packets test helpers: a student working on a real shipped unit, and answer-sheet addresses."""

from pathlib import Path

from app.courses.models import CourseVersion
from app.courses.services import import_package
from tests import factories

ALGEBRA = Path(__file__).resolve().parents[2] / "courses" / "algebra-i-a"


def algebra() -> CourseVersion:
    """The shipped Algebra I A package, imported (once per database)."""
    return import_package(ALGEBRA)


def working_on_unit(site, course: CourseVersion, unit: int = 2, **student):
    """A student of `site` enrolled in `course`: the unit progress of unit `unit`."""
    record = factories.make_student(site, **student)
    return factories.make_enrollment(record, course).units[unit - 1]


def sheet_path(progress, number: int) -> str:
    student = progress.enrollment.student_id
    return f"/grading/students/{student}/units/{progress.id}/tries/{number}/paper"
