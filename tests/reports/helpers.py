"""A seeded fixture for the reports: students in every stage at two Texas sites and one in
North Dakota, with figures worked out by hand in tests/reports/test_figures.py."""

from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import update

from app.common import utcnow
from app.credits.models import CreditAward
from app.enrollments.models import EnrollmentStatus, UnitProgress, UnitStatus
from app.extensions import db
from app.grading.services import return_attempt
from app.moves.services import report_move
from app.reports.facts import refresh_report_facts
from app.students.models import StudentKind
from tests import factories


def curp(prefix: str, state: str) -> str:
    """A well-formed CURP whose state of birth is `state` (two letters)."""
    return f"{prefix}090101H{state}RRN01"


def _award(enrollment, coordinator, *, credit, partial, awarded_at):
    award = CreditAward(
        enrollment_id=enrollment.id,
        units_passed=2 if partial else 5,
        unit_count=5,
        grade_percent=80.0,
        letter="B",
        sep_grade=8.0,
        credit=Decimal(credit),
        credit_system="carnegie",
        is_partial=partial,
        state_code=enrollment.student.site.state_code,
        site_id=enrollment.student.site_id,
        awarded_by_id=coordinator.id,
        awarded_at=awarded_at,
    )
    db.session.add(award)
    return award


def _set(progress: UnitProgress, status: UnitStatus, **kw) -> None:
    """A unit's status as the scoring services leave it (a begun unit starts the enrollment)."""
    progress.status = status
    if status != UnitStatus.NOT_STARTED and progress.enrollment.started_at is None:
        progress.enrollment.started_at = utcnow()
    for key, value in kw.items():
        setattr(progress, key, value)


def seed_reports(world: dict) -> dict:
    now = utcnow()
    course_a, course_b = world["course"], factories.make_course_version(code="RPT-B")
    tx1, tx2, nd = world["tx1"], world["tx2"], world["nd"]
    teacher = world["teacher_tx1"]
    s1 = factories.make_student(tx1, grade_level=9, curp=curp("GARA", "MN"))
    s2 = factories.make_student(
        tx1, kind=StudentKind.OSY, grade_level=None, curp=curp("LOPE", "JC")
    )
    s3 = factories.make_student(tx1, grade_level=10)
    s4 = factories.make_student(tx1, grade_level=10, curp=curp("RUIZ", "NE"))
    s5 = factories.make_student(tx2, grade_level=11)
    s6 = factories.make_student(nd, grade_level=12, curp=curp("NDNE", "MN"))

    # s1: unit 1 passed now, unit 2 handed in (waiting for grading); moved to Michoacán.
    e1 = factories.make_enrollment(s1, course_a, teacher)
    factories.pass_unit(e1.units[0])
    backlog = factories.make_submitted_test(e1.units[1], submitted_at=now - timedelta(days=4))
    report_move(s1, teacher, "MX-MIC", None, now.date(), None)
    # s2: units 1-3 failed (re-assess), unit 4 approved 3 hours ago (expired); idle 30 days.
    e2 = factories.make_enrollment(s2, course_a, teacher)
    for progress in e2.units[:3]:
        _set(progress, UnitStatus.FAILED, best_test_percent=40.0, test_attempts=2)
    _set(e2.units[3], UnitStatus.NOT_STARTED, test_approved_at=now - timedelta(hours=3))
    # s3: course A not started, its unit 1 approved 2 minutes ago (waiting); course B withdrawn.
    e3a = factories.make_enrollment(s3, course_a, teacher)
    e3a.units[0].test_approved_at = now - timedelta(minutes=2)
    e3b = factories.make_enrollment(s3, course_b, teacher)
    e3b.status = EnrollmentStatus.WITHDRAWN
    # s4: course A completed in spring 2026 with full credit (no certificate yet); course B has
    # a test returned for revision.
    e4a = factories.make_enrollment(s4, course_a, teacher)
    for progress in e4a.units:
        _set(progress, UnitStatus.PASSED, best_test_percent=80.0, completed_at=datetime(2026, 3, 9))
    e4a.status, e4a.completed_at = EnrollmentStatus.COMPLETED, datetime(2026, 3, 10, 15)
    e4a.assigned_at = datetime(2026, 1, 15)
    _award(e4a, world["coord_tx"], credit="0.5", partial=False, awarded_at=datetime(2026, 3, 12))
    e4b = factories.make_enrollment(s4, course_b, teacher)
    returned = factories.make_submitted_test(e4b.units[0])
    return_attempt(returned, teacher, "Show your work on question 3.")
    # s5 (the other Texas site): unit 1 passed 21 days ago, partial credit in fall 2025.
    e5 = factories.make_enrollment(s5, course_a, world["teacher_tx2"])
    _set(
        e5.units[0],
        UnitStatus.PASSED,
        best_test_percent=90.0,
        completed_at=now - timedelta(days=21),
    )
    _award(e5, world["coord_tx"], credit="0.2", partial=True, awarded_at=datetime(2025, 10, 1))
    # s6 (North Dakota): a little of everything, never in a Texas figure.
    e6 = factories.make_enrollment(s6, course_a, world["teacher_nd"])
    factories.pass_unit(e6.units[0])
    factories.make_submitted_test(e6.units[1])
    report_move(s6, world["teacher_nd"], "MX-JAL", None, now.date(), None)
    _award(e6, world["coord_nd"], credit="0.1", partial=True, awarded_at=datetime(2026, 3, 1))
    db.session.flush()
    db.session.execute(
        update(UnitProgress)
        .where(UnitProgress.enrollment_id == e2.id)
        .values(updated_at=now - timedelta(days=30))
    )
    db.session.flush()
    refresh_report_facts()  # what the job worker does every few minutes
    return {
        "students": (s1, s2, s3, s4, s5, s6),
        "backlog": backlog,
        "enrollments": {"e1": e1, "e2": e2, "e4a": e4a, "e5": e5},
        "course_b": course_b,
    }
