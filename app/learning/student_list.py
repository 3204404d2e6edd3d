"""The student list's query: the students a user may see, narrowed by identity, course and
work awaiting grading, with progress counts (reads students, enrollments and learning)."""

from sqlalchemy import Select, case, exists, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from app.common import in_key_order, to_int
from app.courses.models import CourseVersion, Section
from app.enrollments.models import Enrollment, EnrollmentStatus, UnitProgress, UnitStatus
from app.extensions import db
from app.learning.models import Attempt, AttemptStatus, Mode
from app.permissions import site_ids_scope, student_scope
from app.search import key_contains
from app.students.models import Student, StudentKind
from app.users.models import User

LIST_ORDER = (Student.family_name, Student.given_name, Student.id)


def filter_students(user: User, args) -> Select:
    """Students `user` may see, narrowed by the list filters in `args` (a request.args)."""
    stmt = select(Student).where(student_scope(user)).options(selectinload(Student.site))
    return _narrowed(stmt, args).order_by(*LIST_ORDER)


def student_list_keys(user: User, args) -> Select:
    """The ids of the students list's students, in its order, read from the student table's
    indexes alone (the scope as site ids); `load_students` loads a page of them."""
    stmt = select(Student.id).where(site_ids_scope(user, Student.site_id))
    return _narrowed(stmt, args).order_by(*LIST_ORDER)


def load_students(ids: list[int]) -> list[Student]:
    """The students `ids`, in that order, with their sites."""
    students = db.session.scalars(
        select(Student).where(Student.id.in_(ids)).options(joinedload(Student.site))
    )
    return in_key_order(students, ids)


def _narrowed(stmt: Select, args) -> Select:
    """`stmt` (over students) narrowed by the list filters in `args`."""
    q = (args.get("q") or "").strip()
    if q:
        stmt = stmt.where(
            or_(
                key_contains(q, Student.search_name),  # "garcia lopez" finds García López
                Student.msix_id == q,
                Student.curp == q.upper(),
                Student.state_student_id == q,
            )
        )
    site_id = to_int(args.get("site"))
    if site_id:
        stmt = stmt.where(Student.site_id == site_id)
    kind = args.get("kind")
    if kind in {k.value for k in StudentKind}:
        stmt = stmt.where(Student.kind == StudentKind(kind))
    course_id = to_int(args.get("course"))
    if course_id:
        stmt = stmt.where(
            exists().where(
                Enrollment.student_id == Student.id,
                Enrollment.course_version_id == CourseVersion.id,
                CourseVersion.course_id == course_id,
            )
        )
    if args.get("awaiting"):
        stmt = stmt.where(
            exists().where(
                Enrollment.student_id == Student.id,
                UnitProgress.enrollment_id == Enrollment.id,
                Attempt.unit_progress_id == UnitProgress.id,
                Attempt.status == AttemptStatus.SUBMITTED,
            )
        )
    return stmt


def progress_summary(student_ids: list[int]) -> dict[int, tuple[int, int]]:
    """{student_id: (active courses, units passed)} in one query."""
    if not student_ids:
        return {}
    rows = db.session.execute(
        select(
            Enrollment.student_id,
            func.count(
                func.distinct(case((Enrollment.status == EnrollmentStatus.ACTIVE, Enrollment.id)))
            ),
            func.count(case((UnitProgress.status == UnitStatus.PASSED, UnitProgress.id))),
        )
        .outerjoin(UnitProgress, UnitProgress.enrollment_id == Enrollment.id)
        .where(Enrollment.student_id.in_(student_ids))
        .group_by(Enrollment.student_id)
    ).all()
    return {student_id: (active, passed) for student_id, active, passed in rows}


def unit_modes(progress_ids: list[int]) -> dict[int, Mode]:
    """{unit_progress_id: mode of its latest unit-test attempt} in one query."""
    if not progress_ids:
        return {}
    rows = db.session.execute(
        select(Attempt.unit_progress_id, Attempt.mode)
        .where(Attempt.unit_progress_id.in_(progress_ids), Attempt.section == Section.TEST)
        .order_by(Attempt.unit_progress_id, Attempt.number)
    ).all()
    return {progress_id: mode for progress_id, mode in rows}
