"""Rebuild the per-enrollment report facts (app/reports/models.py) from the records.

Stage rule (DOMAIN.md; statuses as app/learning/scoring.py derives them): withdrawn or completed
from the enrollment's status; otherwise *returned* if any unit has a test returned for revision,
else *waiting for grading* if any unit test is handed in and not graded, else *in progress* if
the enrollment was started (`started_at`, set when any unit is begun), else *not started*.
Newest activity: the newest unit change (`UnitProgress.updated_at`). Early failures: units 1, 2
and 3 all failed (California PASS: re-assess rather than push on). Award: the enrollment's
current credit award (not superseded). Passed units: one row each, dated by the unit's
`completed_at`.
"""

from sqlalchemy import String, case, cast, delete, func, insert, literal, select

from app.common import utcnow
from app.courses.models import CourseVersion
from app.credits.models import CreditAward
from app.enrollments.models import Enrollment, EnrollmentStatus, UnitProgress, UnitStatus
from app.extensions import db
from app.page_cache.pages import request_cache
from app.reports.models import ReportEnrollment, ReportRefresh, ReportUnitPass
from app.students.models import Student


def _unit_summary():
    rank = case(
        (UnitProgress.status == UnitStatus.RETURNED, 3),
        (UnitProgress.status == UnitStatus.AWAITING_GRADING, 2),
        else_=0,
    )
    early = case(
        ((UnitProgress.status == UnitStatus.FAILED) & (UnitProgress.unit_number <= 3), 1), else_=0
    )
    return (
        select(
            UnitProgress.enrollment_id,
            func.max(rank).label("rank"),
            func.sum(early).label("early"),
            func.max(UnitProgress.updated_at).label("last"),
        )
        .group_by(UnitProgress.enrollment_id)
        .subquery()
    )


_PASS_COLUMNS = [
    "enrollment_id",
    "unit_number",
    "site_id",
    "kind",
    "course_id",
    "assigned_at",
    "completed_at",
    "passed_at",
]


def _passed_units():
    return (
        select(
            UnitProgress.enrollment_id,
            UnitProgress.unit_number,
            Student.site_id,
            cast(Student.kind, String(24)),
            CourseVersion.course_id,
            Enrollment.assigned_at,
            Enrollment.completed_at,
            UnitProgress.completed_at,
        )
        .join(Enrollment, Enrollment.id == UnitProgress.enrollment_id)
        .join(Student, Student.id == Enrollment.student_id)
        .join(CourseVersion, CourseVersion.id == Enrollment.course_version_id)
        .where(UnitProgress.status == UnitStatus.PASSED, UnitProgress.completed_at.is_not(None))
        .order_by(Student.site_id, UnitProgress.completed_at)
    )


def refresh_report_facts() -> ReportRefresh:
    """Replace every fact row with one computed now (a statement a table); flushes, never
    commits."""
    units = _unit_summary()
    stage = case(
        (Enrollment.status != EnrollmentStatus.ACTIVE, cast(Enrollment.status, String(24))),
        (units.c.rank == 3, literal("returned", String(24))),
        (units.c.rank == 2, literal("awaiting_grading", String(24))),
        (Enrollment.started_at.is_not(None), literal("in_progress", String(24))),
        else_=literal("not_started", String(24)),
    )
    rows = (
        select(
            Enrollment.id,
            Enrollment.student_id,
            Student.site_id,
            cast(Student.kind, String(24)),
            CourseVersion.course_id,
            stage,
            Enrollment.assigned_at,
            Enrollment.completed_at,
            units.c.last,
            func.coalesce(units.c.early, 0) == 3,
            CreditAward.id,
            CreditAward.awarded_at,
            CreditAward.is_partial,
            CreditAward.credit_system,
            CreditAward.credit,
            CreditAward.imported_from.is_not(None),
        )
        .join(Student, Student.id == Enrollment.student_id)
        .join(CourseVersion, CourseVersion.id == Enrollment.course_version_id)
        .outerjoin(units, units.c.enrollment_id == Enrollment.id)
        .outerjoin(
            CreditAward,
            (CreditAward.enrollment_id == Enrollment.id) & CreditAward.superseded_at.is_(None),
        )
        # Written in site order: a state's rows then sit together on few pages.
        .order_by(Student.site_id, Enrollment.id)
    )
    columns = [
        "enrollment_id",
        "student_id",
        "site_id",
        "kind",
        "course_id",
        "stage",
        "assigned_at",
        "completed_at",
        "last_activity_at",
        "early_failed",
        "award_id",
        "award_at",
        "award_partial",
        "award_system",
        "award_credit",
        "award_imported",
    ]
    db.session.execute(delete(ReportEnrollment))
    db.session.execute(insert(ReportEnrollment).from_select(columns, rows))
    db.session.execute(delete(ReportUnitPass))
    db.session.execute(insert(ReportUnitPass).from_select(_PASS_COLUMNS, _passed_units()))
    count = db.session.scalar(select(func.count()).select_from(ReportEnrollment))
    refresh = db.session.get(ReportRefresh, 1) or ReportRefresh(id=1)
    refresh.refreshed_at, refresh.rows = utcnow(), count
    refresh.last_award_id = db.session.scalar(select(func.max(CreditAward.id)))
    db.session.add(refresh)
    db.session.flush()
    return refresh


def last_refresh() -> ReportRefresh | None:
    """When the facts were last rebuilt, read once a request (the session holds its rows only
    while something refers to them)."""
    kept = request_cache("report_refresh")
    if "last" not in kept:
        kept["last"] = db.session.get(ReportRefresh, 1)
    return kept["last"]
