"""The gradebook: a site's students × units, each cell with status, best score, approval and
the test attempt to open, in a fixed number of queries whatever the page holds."""

from dataclasses import dataclass, field

from sqlalchemy import Select, exists, select
from sqlalchemy.orm import joinedload, selectinload

from app.common import to_int
from app.courses.models import CourseVersion, Section
from app.enrollments.models import Enrollment, EnrollmentStatus, UnitProgress
from app.extensions import db
from app.learning.approvals import ApprovalState, enrollment_approval_states
from app.learning.models import Attempt, AttemptStatus
from app.learning.student_list import LIST_ORDER
from app.permissions import site_ids_scope
from app.search import key_contains, terms
from app.students.models import Student
from app.users.models import User


def gradebook_students(user: User, args) -> Select:
    """The ids of the students `user` may see, by name, narrowed by site, by a course they take
    (when one is chosen) and by a name search that ignores accents and case; read from the
    student table's indexes (the scope as site ids). `load_students` loads a page of them."""
    stmt = select(Student.id).where(site_ids_scope(user, Student.site_id)).order_by(*LIST_ORDER)
    course_id = to_int(args.get("course"))
    if course_id:
        # Only with a course chosen: a probe per student is what a state-wide page can't pay.
        stmt = stmt.where(
            exists().where(
                Enrollment.student_id == Student.id,
                Enrollment.status != EnrollmentStatus.WITHDRAWN,
                Enrollment.course_version_id == CourseVersion.id,
                CourseVersion.course_id == course_id,
            )
        )
    site_id = to_int(args.get("site"))
    if site_id:
        stmt = stmt.where(Student.site_id == site_id)
    for term in terms(args.get("q")):
        stmt = stmt.where(key_contains(term, Student.search_name))
    return stmt


@dataclass
class Cell:
    progress: UnitProgress
    attempt_id: int | None = None  # the test attempt to open: waiting, else best, else latest
    approval: ApprovalState | None = None


@dataclass
class Row:
    student: Student
    enrollment: Enrollment | None  # None: the student takes no course now
    cells: list[Cell] = field(default_factory=list)


def gradebook_rows(students: list[Student], args) -> tuple[list[Row], int]:
    """The rows of these students (one per course taken, or one saying there is none) and
    the widest unit count."""
    if not students:
        return [], 0
    stmt = (
        select(Enrollment)
        .where(
            Enrollment.student_id.in_([s.id for s in students]),
            Enrollment.status != EnrollmentStatus.WITHDRAWN,
        )
        .options(
            selectinload(Enrollment.units),
            joinedload(Enrollment.course_version).joinedload(CourseVersion.course),
        )
        .order_by(Enrollment.assigned_at, Enrollment.id)
    )
    course_id = to_int(args.get("course"))
    if course_id:
        stmt = stmt.join(Enrollment.course_version).where(CourseVersion.course_id == course_id)
    enrollments = db.session.scalars(stmt).all()
    attempts = enrollment_test_attempt_links([e.id for e in enrollments])
    approvals = enrollment_approval_states(
        list(enrollments), {s.id: s.site.state_code for s in students}
    )
    by_student: dict[int, list[Enrollment]] = {}
    for enrollment in enrollments:
        by_student.setdefault(enrollment.student_id, []).append(enrollment)
    rows = []
    for student in students:
        for enrollment in by_student.get(student.id) or [None]:
            units = enrollment.units if enrollment else []
            cells = [Cell(u, attempts.get(u.id), approvals.get(u.id)) for u in units]
            rows.append(Row(student, enrollment, cells))
    width = max((e.course_version.unit_count for e in enrollments), default=0)
    return rows, width


def test_attempt_links(progress_ids: list[int]) -> dict[int, int]:
    """{unit_progress_id: the unit-test attempt to open} in one query: the one waiting for
    grading, else the best graded one, else the latest."""
    if not progress_ids:
        return {}
    return _attempt_links(Attempt.unit_progress_id.in_(progress_ids))


def enrollment_test_attempt_links(enrollment_ids: list[int]) -> dict[int, int]:
    """`test_attempt_links` of every unit of these enrollments, found by the enrollments' ids
    (a few parameters, not one per unit)."""
    if not enrollment_ids:
        return {}
    units = select(UnitProgress.id).where(UnitProgress.enrollment_id.in_(enrollment_ids))
    return _attempt_links(Attempt.unit_progress_id.in_(units))


def _attempt_links(which) -> dict[int, int]:
    rows = db.session.execute(
        select(Attempt.unit_progress_id, Attempt.id, Attempt.status, Attempt.percent)
        .where(which, Attempt.section == Section.TEST)
        .order_by(Attempt.unit_progress_id, Attempt.number)
    ).all()
    chosen: dict[int, tuple] = {}
    for progress_id, attempt_id, status, percent in rows:
        rank = (
            status == AttemptStatus.SUBMITTED,
            status == AttemptStatus.GRADED,
            percent if status == AttemptStatus.GRADED and percent is not None else -1,
        )
        if progress_id not in chosen or rank >= chosen[progress_id][0]:
            chosen[progress_id] = (rank, attempt_id)
    return {progress_id: attempt_id for progress_id, (_rank, attempt_id) in chosen.items()}
