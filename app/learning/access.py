"""Who may act on a student's unit work now: approving a unit test."""

from app.enrollments.models import EnrollmentStatus, UnitProgress, UnitStatus
from app.permissions import can_manage_student
from app.users.models import User


def can_approve_test(user: User, progress: UnitProgress) -> bool:
    """Whether `user` may approve this unit's test: staff who manage the student, on an active
    enrollment, for a unit neither passed nor with a test waiting to be graded."""
    return (
        progress.enrollment.status == EnrollmentStatus.ACTIVE
        and progress.status not in (UnitStatus.PASSED, UnitStatus.AWAITING_GRADING)
        and can_manage_student(user, progress.enrollment.student)
    )
