"""Who may grade or regrade a unit test now."""

from app.learning.models import Attempt, AttemptStatus, Mode
from app.permissions import can_manage_student
from app.users.models import User


def _manages(user: User, attempt: Attempt) -> bool:
    return can_manage_student(user, attempt.unit_progress.enrollment.student)


def can_grade(user: User, attempt: Attempt) -> bool:
    """Whether `user` may grade (or return) `attempt`: handed in, and staff who manage the student."""
    return attempt.status == AttemptStatus.SUBMITTED and _manages(user, attempt)


def can_regrade(user: User, attempt: Attempt) -> bool:
    """Whether `user` may regrade `attempt`: an online test already graded, staff in scope."""
    return (
        attempt.status == AttemptStatus.GRADED
        and attempt.mode == Mode.ONLINE
        and _manages(user, attempt)
    )
