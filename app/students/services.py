"""Student queries (scoped, filtered) and adding students."""

import re
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import Select, case, exists, func, or_, select
from sqlalchemy.orm import selectinload

from app.audit.services import record_event
from app.common import to_int
from app.courses.models import CourseVersion, Section
from app.enrollments.models import Enrollment, EnrollmentStatus, UnitProgress, UnitStatus
from app.extensions import db
from app.learning.models import Attempt, AttemptStatus, Mode
from app.permissions import can_manage_site, student_scope
from app.sites.models import Site
from app.students.models import Student, StudentKind
from app.users.models import Role, User
from app.users.services import UserError, create_user

CURP_RE = re.compile(r"^[A-Z]{4}\d{6}[HMX][A-Z]{5}[A-Z0-9]\d$")
MSIX_RE = re.compile(r"^\d{12}$")


class StudentError(ValueError):
    """A student record cannot be saved; the message says which field and why."""


def filter_students(user: User, args) -> Select:
    """Students `user` may see, narrowed by the list filters in `args` (a request.args)."""
    stmt = (
        select(Student)
        .where(student_scope(user))
        .options(selectinload(Student.site))
        .order_by(Student.family_name, Student.given_name, Student.id)
    )
    q = (args.get("q") or "").strip()
    if q:
        like = f"%{q.lower()}%"
        stmt = stmt.where(
            or_(
                func.lower(Student.family_name).like(like),
                func.lower(Student.given_name).like(like),
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


def add_student(by: User, data: dict) -> Student:
    """Create a student at a site in `by`'s scope, with an optional sign-in.

    :param data: given_name, family_name, site_id, kind, grade_level, birth_date, msix_id,
        curp, state_student_id, email, password.
    :raises StudentError: naming the field that is wrong.
    """
    site = db.session.get(Site, data["site_id"]) if data.get("site_id") else None
    if site is None or not can_manage_site(by, site):
        raise StudentError(_("Choose one of your sites."))
    msix = (data.get("msix_id") or "").strip() or None
    curp = (data.get("curp") or "").strip().upper() or None
    if msix and not MSIX_RE.match(msix):
        raise StudentError(_("The MSIX ID must be 12 digits."))
    if curp and not CURP_RE.match(curp):
        raise StudentError(_("The CURP must have 18 characters in the official format."))
    if msix and db.session.scalar(select(Student.id).where(Student.msix_id == msix)):
        raise StudentError(_("Another student already has this MSIX ID."))
    if curp and db.session.scalar(select(Student.id).where(Student.curp == curp)):
        raise StudentError(_("Another student already has this CURP."))
    birth = data.get("birth_date")
    if birth and birth > date.today():
        raise StudentError(_("The date of birth cannot be in the future."))
    user = None
    if data.get("email"):
        try:
            user = create_user(
                data["email"], data.get("password") or "", Role.STUDENT,
                data["given_name"], data["family_name"], site_id=site.id,
            )  # fmt: skip
        except UserError as error:
            raise StudentError(str(error)) from error
    student = Student(
        site_id=site.id, user_id=user.id if user else None,
        given_name=data["given_name"].strip(), family_name=data["family_name"].strip(),
        kind=StudentKind(data.get("kind") or "secondary"), grade_level=data.get("grade_level"),
        birth_date=birth, msix_id=msix, curp=curp,
        state_student_id=(data.get("state_student_id") or "").strip() or None,
    )  # fmt: skip
    db.session.add(student)
    db.session.flush()
    record_event(by, "student.created", student, student_id=student.id, site=site.code)
    return student


def possible_duplicates(user: User, student: Student) -> list[Student]:
    """Records flagged as possibly the same student as `student` (either way) that `user` may
    also see: only someone who can see both decides."""
    stmt = (
        select(Student)
        .where(
            or_(Student.id == student.duplicate_of_id, Student.duplicate_of_id == student.id),
            student_scope(user),
        )
        .options(selectinload(Student.site))
        .order_by(Student.id)
    )
    return list(db.session.scalars(stmt))
