"""Who is told what when unit work moves on (one home for the learning and grading events)."""

from app.enrollments.models import Enrollment, EnrollmentStatus, UnitProgress
from app.learning.models import Attempt, AttemptStatus
from app.notifications.models import Event
from app.notifications.services import notify, site_coordinators, site_teachers, student_account


def _unit_params(progress: UnitProgress) -> dict:
    version = progress.enrollment.course_version
    student = progress.enrollment.student
    return {
        "course_en": version.title_en,
        "course_es": version.title_es,
        "unit": progress.unit_number,
        "student_name": student.full_name,
    }


def notify_test_approved(progress: UnitProgress, teacher) -> None:
    student = progress.enrollment.student
    notify(
        Event.TEST_APPROVED,
        student_account(student),
        student=student,
        target=("learning.unit", {"unit_progress_id": progress.id}),
        actor=teacher,
        **_unit_params(progress),
    )


def notify_approval_requested(progress: UnitProgress) -> None:
    """A student asks for approval to take the unit test: the site's teachers are told."""
    student = progress.enrollment.student
    notify(
        Event.APPROVAL_REQUESTED,
        site_teachers(student.site_id),
        student=student,
        target=("students.detail", {"student_id": student.id}),
        **_unit_params(progress),
    )


def notify_handed_in(attempt: Attempt) -> None:
    """A test handed in: teachers are told when it waits for grading, the student if graded."""
    if attempt.status == AttemptStatus.SUBMITTED:
        student = attempt.unit_progress.enrollment.student
        notify(
            Event.WORK_HANDED_IN,
            site_teachers(student.site_id),
            student=student,
            target=("grading.attempt", {"attempt_id": attempt.id}),
            **_unit_params(attempt.unit_progress),
        )


def notify_graded(attempt: Attempt, teacher) -> None:
    if attempt.status != AttemptStatus.GRADED:
        return
    progress = attempt.unit_progress
    student = progress.enrollment.student
    notify(
        Event.TEST_GRADED,
        student_account(student),
        student=student,
        target=("learning.result", {"attempt_id": attempt.id}),
        actor=teacher,
        percent=attempt.percent or 0.0,
        **_unit_params(progress),
    )


def notify_returned(attempt: Attempt, teacher) -> None:
    progress = attempt.unit_progress
    student = progress.enrollment.student
    notify(
        Event.TEST_RETURNED,
        student_account(student),
        student=student,
        target=("learning.unit", {"unit_progress_id": progress.id}),
        actor=teacher,
        **_unit_params(progress),
    )


def notify_if_completed(enrollment: Enrollment, was: EnrollmentStatus) -> None:
    """The course just became complete: the site's coordinators may award the credit."""
    if was == EnrollmentStatus.COMPLETED or enrollment.status != EnrollmentStatus.COMPLETED:
        return
    student = enrollment.student
    version = enrollment.course_version
    notify(
        Event.CREDIT_READY,
        site_coordinators(student.site),
        student=student,
        target=("credits.enrollment", {"enrollment_id": enrollment.id}),
        course_en=version.title_en,
        course_es=version.title_es,
        student_name=student.full_name,
    )
