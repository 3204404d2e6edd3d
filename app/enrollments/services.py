"""Assign courses to students (pinned to a version) and withdraw enrollments."""

from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select

from app.audit.services import record_event
from app.common import utcnow
from app.courses.models import CourseVersion
from app.enrollments.models import Enrollment, EnrollmentStatus, UnitProgress
from app.errors import DomainError
from app.extensions import db
from app.permissions import can_manage_student
from app.students.models import Student
from app.users.models import User


class EnrollmentError(DomainError):
    """An assignment or withdrawal is refused; the message says why."""

    status = 400


def active_enrollment_in_course(student: Student, course_id: int) -> Enrollment | None:
    """The student's active enrollment in any version of a course, if there is one."""
    return db.session.scalar(
        select(Enrollment)
        .join(CourseVersion)
        .where(
            Enrollment.student_id == student.id,
            Enrollment.status == EnrollmentStatus.ACTIVE,
            CourseVersion.course_id == course_id,
        )
    )


def assign_course(
    student: Student,
    course_version: CourseVersion,
    assigned_by: User,
    target_date: date | None = None,
) -> Enrollment | None:
    """Enroll a student in a course version, one UnitProgress per unit.

    Returns None (and changes nothing) when the student already has this course active.

    :raises EnrollmentError: when the student is outside the assigner's scope, the target
        date is in the past, or the student already finished this exact version.
    """
    if not can_manage_student(assigned_by, student):
        raise EnrollmentError(_("%(name)s is not one of your students.", name=student.full_name))
    if target_date and target_date < date.today():
        raise EnrollmentError(_("The target date cannot be in the past."))
    if active_enrollment_in_course(student, course_version.course_id):
        return None
    previous = db.session.scalar(
        select(Enrollment).where(
            Enrollment.student_id == student.id,
            Enrollment.course_version_id == course_version.id,
        )
    )
    if previous is not None:
        raise EnrollmentError(
            _("%(name)s already took this version of the course.", name=student.full_name)
        )
    enrollment = Enrollment(
        student=student,
        course_version=course_version,
        assigned_by=assigned_by,
        target_date=target_date,
    )
    db.session.add(enrollment)
    for unit in course_version.units:
        db.session.add(UnitProgress(enrollment=enrollment, unit=unit, unit_number=unit.number))
    db.session.flush()
    record_event(
        assigned_by,
        "enrollment.created",
        enrollment,
        student_id=student.id,
        course=course_version.course.code,
        version=course_version.version,
        target_date=target_date.isoformat() if target_date else None,
    )
    return enrollment


def assign_course_to_many(
    students: list[Student],
    course_version: CourseVersion,
    assigned_by: User,
    target_date: date | None = None,
) -> tuple[list[Enrollment], list[Student]]:
    """Assign one course to many students: (created, skipped). All or nothing on error."""
    created, skipped = [], []
    for student in students:
        enrollment = assign_course(student, course_version, assigned_by, target_date)
        if enrollment is None:
            skipped.append(student)
        else:
            created.append(enrollment)
    return created, skipped


def withdraw_enrollment(enrollment: Enrollment, by: User, reason: str) -> Enrollment:
    """Withdraw an active enrollment (work done stays on record).

    :raises EnrollmentError: without a reason, or when it is not active.
    """
    if not reason or not reason.strip():
        raise EnrollmentError(_("Say why the enrollment is withdrawn."))
    if enrollment.status != EnrollmentStatus.ACTIVE:
        raise EnrollmentError(_("Only an active enrollment can be withdrawn."))
    enrollment.status = EnrollmentStatus.WITHDRAWN
    enrollment.completed_at = utcnow()
    record_event(
        by,
        "enrollment.withdrawn",
        enrollment,
        student_id=enrollment.student_id,
        reason=reason.strip(),
    )
    return enrollment
