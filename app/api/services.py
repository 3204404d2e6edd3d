"""Read-only queries behind the API, every one scoped like the web UI."""

from dataclasses import asdict

from sqlalchemy import Select, func, select
from sqlalchemy.orm import joinedload, selectinload

from app.courses.models import CourseVersion, Item, Lesson, Section, Unit
from app.credits.services import current_award, enrollment_result, enrollment_rules
from app.enrollments.models import Enrollment, UnitProgress
from app.extensions import db
from app.learning.models import Attempt
from app.learning.student_list import filter_students
from app.permissions import can_view_student, student_scope
from app.sites.models import Site
from app.students.models import Student
from app.users.models import User


def page_of(stmt: Select, pagination_parameters) -> list:
    """One page of `stmt`'s rows; sets the total for flask-smorest's X-Pagination header."""
    counted = stmt.order_by(None).subquery()
    pagination_parameters.item_count = db.session.scalar(select(func.count()).select_from(counted))
    first = pagination_parameters.first_item
    if first >= pagination_parameters.item_count:
        return []  # past the last page (?page=10**30 too): no query, no offset overflow
    return list(db.session.scalars(stmt.offset(first).limit(pagination_parameters.page_size)))


def find_students(user: User, args: dict) -> Select:
    """Students `user` may see, narrowed by site code, q, msix_id and curp."""
    stmt = filter_students(user, {"q": args.get("q")})
    if args.get("site"):
        stmt = stmt.where(Student.site_id.in_(select(Site.id).where(Site.code == args["site"])))
    if args.get("msix_id"):
        stmt = stmt.where(Student.msix_id == args["msix_id"])
    if args.get("curp"):
        stmt = stmt.where(Student.curp == args["curp"].upper())
    return stmt


def get_visible_student(user: User, student_id: int) -> Student | None:
    """The student, or None when missing or out of `user`'s scope (the API does not tell)."""
    student = db.session.get(Student, student_id, options=[joinedload(Student.site)])
    return student if student and can_view_student(user, student) else None


def current_courses() -> Select:
    """Current course versions, by code."""
    return (
        select(CourseVersion)
        .join(CourseVersion.course)
        .where(CourseVersion.is_current.is_(True))
        .options(selectinload(CourseVersion.course))
        .order_by(CourseVersion.title_en, CourseVersion.id)
    )


def course_units(version: CourseVersion) -> list[dict]:
    """The version's units with lesson and item counts (three queries, any unit count)."""
    units = list(
        db.session.scalars(
            select(Unit).where(Unit.course_version_id == version.id).order_by(Unit.number)
        )
    )
    ids = [unit.id for unit in units]
    lessons = dict(
        db.session.execute(
            select(Lesson.unit_id, func.count())
            .where(Lesson.unit_id.in_(ids))
            .group_by(Lesson.unit_id)
        ).all()
    )
    items: dict[tuple[int, Section], int] = {
        (unit_id, section): n
        for unit_id, section, n in db.session.execute(
            select(Item.unit_id, Item.section, func.count())
            .where(Item.unit_id.in_(ids))
            .group_by(Item.unit_id, Item.section)
        )
    }
    return [
        {
            "id": unit.id,
            "number": unit.number,
            "title_en": unit.title_en,
            "title_es": unit.title_es,
            "hours": unit.hours,
            "lesson_count": lessons.get(unit.id, 0),
            "practice_item_count": items.get((unit.id, Section.PRACTICE), 0),
            "test_item_count": items.get((unit.id, Section.TEST), 0),
        }
        for unit in units
    ]


def course_detail(version: CourseVersion) -> dict:
    """A course version's fields with its units' summaries."""
    names = (
        "id",
        "course_id",
        "code",
        "version",
        "subject",
        "title_en",
        "title_es",
        "grade_levels",
        "credit",
        "hours",
        "unit_count",
        "is_current",
        "description_en",
        "description_es",
    )
    return {name: getattr(version, name) for name in names} | {"units": course_units(version)}


def _enrollment_options():
    return (
        selectinload(Enrollment.student).selectinload(Student.site),
        selectinload(Enrollment.course_version).selectinload(CourseVersion.course),
        selectinload(Enrollment.units).selectinload(UnitProgress.unit),
        selectinload(Enrollment.units).selectinload(UnitProgress.completed_site),
    )


def find_enrollments(user: User, args: dict) -> Select:
    """Enrollments of students `user` may see, narrowed by student_id and status."""
    stmt = (
        select(Enrollment)
        .join(Enrollment.student)
        .where(student_scope(user))
        .options(*_enrollment_options())
        .order_by(Enrollment.assigned_at.desc(), Enrollment.id.desc())
    )
    if args.get("student_id"):
        stmt = stmt.where(Enrollment.student_id == args["student_id"])
    if args.get("status"):
        stmt = stmt.where(Enrollment.status == args["status"])
    return stmt


def get_visible_enrollment(user: User, enrollment_id: int) -> Enrollment | None:
    """The enrollment, or None when missing or its student is out of `user`'s scope."""
    enrollment = db.session.scalar(
        select(Enrollment).where(Enrollment.id == enrollment_id).options(*_enrollment_options())
    )
    if enrollment is None or not can_view_student(user, enrollment.student):
        return None
    return enrollment


def enrollment_attempts(enrollment: Enrollment) -> list[Attempt]:
    """Every test and practice attempt of the enrollment, by unit, section and number."""
    return list(
        db.session.scalars(
            select(Attempt)
            .join(Attempt.unit_progress)
            .where(UnitProgress.enrollment_id == enrollment.id)
            .options(joinedload(Attempt.unit_progress))
            .order_by(UnitProgress.unit_number, Attempt.section, Attempt.number, Attempt.id)
        )
    )


def enrollment_result_report(enrollment: Enrollment) -> dict:
    """The course result under the awarding state's rules, with the current award if any."""
    result = enrollment_result(enrollment)
    award = current_award(enrollment)
    return {
        **asdict(result),
        "enrollment_id": enrollment.id,
        "state_code": enrollment.student.site.state_code,
        "credit_system": enrollment_rules(enrollment).credit_system,
        "award": award,
    }
