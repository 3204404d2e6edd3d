"""Placement and credit suggested for courses taken in Mexico, and the prior-course record."""

import re
from dataclasses import dataclass
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import select

from app.audit.services import record_event
from app.credits.models import PriorCourse
from app.credits.rules import (
    grade_levels,
    letter_for,
    percent_from_sep,
    rules_for,
    state_credit,
    us_grade_for,
)
from app.errors import DomainError
from app.extensions import db
from app.places import is_mexican_state
from app.students.models import Student
from app.users.models import User

SEP_PASS = 6.0  # SEP's pass mark on its 0-10 scale (DOMAIN.md)
SEMESTER_COURSE_CARNEGIE = 0.5  # a semester course is half a Carnegie unit
SCHOOL_YEAR_RE = re.compile(r"^(\d{4})-(\d{4})$")


class PlacementError(DomainError):
    """The Mexican level, year or grade given cannot be placed; the message says why."""

    status = 400


@dataclass(frozen=True)
class Placement:
    us_grade: int  # the US grade the level and year correspond to
    percent: float
    letter: str
    passed: bool
    credit: Decimal  # suggested US credit in the awarding state's system
    credit_system: str


@dataclass(frozen=True)
class OverallPlacement:
    level: str  # the highest level and year passed
    year: int
    completed_grade: int  # its US grade
    suggested_grade: int | None  # the US grade to place the student in; None beyond grade 12


def suggest_placement(
    level: str, year: int | None, sep: float | None, state_code: str | None = None
) -> Placement:
    """Suggest the US grade, percent, letter and credit for one Mexican course.

    :param state_code: the awarding US state (its credit system); None for the defaults.
    :raises PlacementError: for an unknown level, a year not at the level or a SEP grade off 0-10.
    """
    if level not in {row["level"] for row in grade_levels()} or year is None:
        raise PlacementError(_("Choose the Mexican level and the year or semester."))
    if sep is None or not 0 <= sep <= 10:  # also refuses NaN
        raise PlacementError(_("The SEP grade must be a number from 0 to 10."))
    us_grade = us_grade_for(level, year)
    if us_grade is None:
        raise PlacementError(_("That year or semester does not exist at this level."))
    rules = rules_for(state_code)
    percent = percent_from_sep(sep)
    passed = sep >= SEP_PASS
    return Placement(
        us_grade=us_grade,
        percent=percent,
        letter=letter_for(percent) if passed else "F",
        passed=passed,
        credit=state_credit(SEMESTER_COURSE_CARNEGIE, rules) if passed else Decimal(0),
        credit_system=rules.credit_system,
    )


def overall_placement(courses: list[PriorCourse]) -> OverallPlacement | None:
    """The next US grade after the highest Mexican level and year the student passed a course in.

    A bachillerato semester that ends a US grade moves the student up; the first semester of a
    pair keeps them in the same grade (two semesters make a US year).
    """
    order = [row["level"] for row in grade_levels()]
    passed = [
        c
        for c in courses
        if c.sep_grade >= SEP_PASS and c.level in order and us_grade_for(c.level, c.year)
    ]
    if not passed:
        return None
    top = max(passed, key=lambda c: (us_grade_for(c.level, c.year), order.index(c.level), c.year))
    grade = us_grade_for(top.level, top.year)
    suggested = grade if us_grade_for(top.level, top.year + 1) == grade else grade + 1
    highest = max(g for row in grade_levels() for g in row["us_grades"])
    return OverallPlacement(
        level=top.level,
        year=top.year,
        completed_grade=grade,
        suggested_grade=suggested if suggested <= highest else None,
    )


def prior_courses(student: Student) -> list[PriorCourse]:
    """The student's Mexican courses, by level, year and subject."""
    order = {row["level"]: n for n, row in enumerate(grade_levels())}
    rows = db.session.scalars(select(PriorCourse).where(PriorCourse.student_id == student.id))
    return sorted(rows, key=lambda c: (order.get(c.level, 99), c.year, c.subject.lower(), c.id))


def add_prior_course(student: Student, by: User, data: dict) -> PriorCourse:
    """Record a course the student took in Mexico, from their papers.

    :param data: subject, level, year, sep_grade, school, state_code, school_year.
    :raises PlacementError: naming what is wrong; nothing is written.
    """
    subject = (data.get("subject") or "").strip()
    if not subject or len(subject) > 120:
        raise PlacementError(_("Enter the subject (120 characters at most)."))
    suggest_placement(data.get("level") or "", data.get("year"), data.get("sep_grade"))
    state = (data.get("state_code") or "").strip().upper() or None
    if state and not is_mexican_state(state):
        raise PlacementError(
            _("The state must be one of the 32 Mexican states, as a code such as MX-MIC.")
        )
    school_year = (data.get("school_year") or "").strip() or None
    match = SCHOOL_YEAR_RE.match(school_year or "")
    if school_year and not (match and int(match[2]) == int(match[1]) + 1):
        raise PlacementError(_("The school year must be two years in a row, such as 2024-2025."))
    school = (data.get("school") or "").strip() or None
    if school and len(school) > 200:
        raise PlacementError(_("The school's name is too long (200 characters at most)."))
    course = PriorCourse(
        student_id=student.id,
        subject=subject,
        level=data["level"],
        year=data["year"],
        sep_grade=float(data["sep_grade"]),
        school=school,
        state_code=state,
        school_year=school_year,
        entered_by_id=by.id,
    )
    db.session.add(course)
    db.session.flush()
    record_event(by, "prior_course.added", course, student_id=student.id, **_facts(course))
    return course


def delete_prior_course(course: PriorCourse, by: User, reason: str) -> None:
    """Delete a wrongly entered course; the audit event keeps what it said."""
    record_event(
        by,
        "prior_course.deleted",
        course,
        student_id=course.student_id,
        reason=reason,
        **_facts(course),
    )
    db.session.delete(course)
    db.session.flush()


def _facts(course: PriorCourse) -> dict:
    return {
        "subject": course.subject,
        "level": course.level,
        "year": course.year,
        "sep_grade": course.sep_grade,
        "school": course.school,
        "state_code": course.state_code,
        "school_year": course.school_year,
    }
