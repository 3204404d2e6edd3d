"""The attention report: who and what is waiting on staff, oldest first.

Rules:
- no activity for N days: students with an active enrollment whose newest unit change
  (`UnitProgress.updated_at`: lesson read, work saved, test handed in or graded) across their
  active enrollments is older than N days (default 14), from the report facts;
- re-assess: active enrollments whose units 1, 2 and 3 are all failed (California PASS: if
  units 1-3 are all failed, re-assess the student rather than push on), from the report facts;
- approvals: unit tests a teacher approved that were not started yet (`test_approved_at` is
  cleared when the test starts); *waiting* while inside the state's approval window
  (rules.toml `approval_minutes`), *expired* after it;
- work waiting for grading: unit work and tests handed in and not graded (attempt status
  submitted), with its age since `submitted_at`, oldest first;
- certificates pending: current credit awards made here with no certificate yet (the rule of
  `app.certificates.services.pending_awards`).
Each list shows the first LIST_SIZE rows and its full count.
"""

from datetime import timedelta

from sqlalchemy import and_, case, exists, func, literal, select
from sqlalchemy.orm import aliased

from app.certificates.models import Certificate
from app.common import utcnow
from app.courses.models import CourseVersion
from app.credits.models import CreditAward
from app.credits.rules import rules_for, states_with_rules
from app.enrollments.models import Enrollment, EnrollmentStatus, UnitProgress
from app.extensions import db
from app.learning.models import Attempt, AttemptStatus
from app.reports.filters import (
    ReportFilter,
    award_candidates,
    dated,
    enrollment_where,
    facts_where,
    site_where,
    student_where,
)
from app.reports.models import ReportEnrollment as Fact
from app.reports.progress import population
from app.sites.models import Site
from app.students.models import Student
from app.users.models import User

LIST_SIZE = 25
CLOSED = ("completed", "withdrawn")  # fact stages of enrollments no longer active
AGE_BUCKETS = ((1, "under_1"), (3, "1_to_3"), (7, "3_to_7"), (None, "over_7"))


def _listed(stmt, order, counted: dict | None = None) -> tuple[int, list]:
    """The first LIST_SIZE rows of `stmt` in `order`, and how many rows there are in all.

    :param counted: name -> condition; each row also carries how many of all the rows meet it
        (window sums: the counts come with the list, in the same query).
    """
    windows = [func.count().over().label("total")]
    for name, condition in (counted or {}).items():
        windows.append(func.sum(case((condition, 1), else_=0)).over().label(name))
    rows = db.session.execute(stmt.add_columns(*windows).order_by(*order).limit(LIST_SIZE)).all()
    return (rows[0].total if rows else 0), rows


def _student_columns():
    return (
        Student.id.label("student_id"),
        Student.given_name,
        Student.family_name,
        Site.name.label("site_name"),
    )


def _facts_with_student(user: User, f: ReportFilter):
    return (
        select()
        .select_from(Fact)
        .join(Student, Student.id == Fact.student_id)
        .join(Site, Site.id == Fact.site_id)
        .where(facts_where(user, f), Fact.stage.not_in(CLOSED))
    )


def inactive_students(user: User, f: ReportFilter):
    # Idle enrollments first (few, through the activity index), less the students who have a
    # recent one; only those left are grouped and joined for their names.
    cutoff = utcnow() - timedelta(days=f.days)
    other = aliased(Fact)
    recent = exists().where(
        other.student_id == Fact.student_id,
        other.stage.not_in(CLOSED),
        other.last_activity_at >= cutoff,
        facts_where(user, f, other),
    )
    idle = (
        select(Fact.student_id, func.max(Fact.last_activity_at).label("last_activity"))
        .where(
            facts_where(user, f),
            Fact.stage.not_in(CLOSED),
            Fact.last_activity_at < cutoff,
            ~recent,
        )
        .group_by(Fact.student_id)
        .subquery()
    )
    # The first LIST_SIZE and the total are taken on the facts; only those rows are joined.
    first = (
        select(idle.c.student_id, idle.c.last_activity, func.count().over().label("total"))
        .order_by(idle.c.last_activity, idle.c.student_id)
        .limit(LIST_SIZE)
        .subquery()
    )
    rows = db.session.execute(
        select(*_student_columns(), first.c.last_activity, first.c.total)
        .select_from(first)
        .join(Student, Student.id == first.c.student_id)
        .join(Site, Site.id == Student.site_id)
        .order_by(first.c.last_activity, first.c.student_id)
    ).all()
    return (rows[0].total if rows else 0), rows


def reassess(user: User, f: ReportFilter):
    stmt = (
        _facts_with_student(user, f)
        .add_columns(
            *_student_columns(),
            Fact.enrollment_id,
            CourseVersion.title_en,
            CourseVersion.title_es,
        )
        .join(Enrollment, Enrollment.id == Fact.enrollment_id)
        .join(CourseVersion, CourseVersion.id == Enrollment.course_version_id)
        .where(Fact.early_failed.is_(True))
    )
    return _listed(stmt, (Student.family_name, Student.given_name, Fact.enrollment_id))


def _approval_cutoff(now):
    """Approvals given after this are still open: the window of the student's site's state."""
    default = now - timedelta(minutes=rules_for(None).approval_minutes)
    whens = [
        (Site.state_code == code, now - timedelta(minutes=rules_for(code).approval_minutes))
        for code in states_with_rules()
        if rules_for(code).approval_minutes != rules_for(None).approval_minutes
    ]
    return case(*whens, else_=default) if whens else literal(default)


def approvals(user: User, f: ReportFilter):
    now = utcnow()
    is_open = UnitProgress.test_approved_at > _approval_cutoff(now)
    approved = select(UnitProgress.enrollment_id).where(UnitProgress.test_approved_at.is_not(None))
    stmt = (
        population(user, f)
        .add_columns(
            *_student_columns(),
            UnitProgress.unit_number,
            UnitProgress.test_approved_at,
            is_open.label("is_open"),
            CourseVersion.title_en,
            CourseVersion.title_es,
        )
        .join(Site, Site.id == Student.site_id)
        .join(UnitProgress, UnitProgress.enrollment_id == Enrollment.id)
        .join(CourseVersion, CourseVersion.id == Enrollment.course_version_id)
        .where(
            Enrollment.status == EnrollmentStatus.ACTIVE,
            UnitProgress.test_approved_at.is_not(None),
            # From the few approved units (a partial index) to their enrollments: SQLite
            # otherwise walked every unit of the state's enrollments.
            Enrollment.id.in_(approved),
        )
    )
    total, rows = _listed(
        stmt, (UnitProgress.test_approved_at.desc(), UnitProgress.id), {"open_count": is_open}
    )
    waiting = int(rows[0].open_count) if rows else 0
    return {"waiting": waiting, "expired": total - waiting}, total, rows


def _backlog_base(user: User, f: ReportFilter):
    return (
        population(user, f)
        .join(UnitProgress, UnitProgress.enrollment_id == Enrollment.id)
        .join(Attempt, Attempt.unit_progress_id == UnitProgress.id)
        .where(Attempt.status == AttemptStatus.SUBMITTED, site_where(user, f, Attempt.site_id))
    )


def _age_bands(now) -> dict:
    """Each age band's condition: handed in within its days, and not within the band before."""
    bands, previous = {}, None
    for days, name in AGE_BUCKETS:
        parts = []
        if days is not None:
            parts.append(Attempt.submitted_at > now - timedelta(days=days))
        if previous is not None:
            parts.append(Attempt.submitted_at <= previous)
        bands[name] = and_(*parts)
        previous = now - timedelta(days=days) if days is not None else None
    return bands


def grading_backlog(user: User, f: ReportFilter):
    now = utcnow()
    stmt = (
        _backlog_base(user, f)
        .add_columns(
            *_student_columns(),
            Attempt.id.label("attempt_id"),
            Attempt.section,
            Attempt.submitted_at,
            UnitProgress.unit_number,
            CourseVersion.title_en,
            CourseVersion.title_es,
        )
        .join(Site, Site.id == Student.site_id)
        .join(CourseVersion, CourseVersion.id == Enrollment.course_version_id)
    )
    bands = {f"age_{name}": band for name, band in _age_bands(now).items()}
    total, rows = _listed(stmt, (Attempt.submitted_at, Attempt.id), bands)
    ages = {name: int(getattr(rows[0], f"age_{name}")) if rows else 0 for _d, name in AGE_BUCKETS}
    return ages, total, rows, now


def certificates_pending(user: User, f: ReportFilter):
    certified = exists().where(Certificate.credit_award_id == CreditAward.id)
    stmt = (
        select(
            *_student_columns(),
            CreditAward.id.label("award_id"),
            CreditAward.awarded_at,
            CreditAward.is_partial,
            CourseVersion.title_en,
            CourseVersion.title_es,
        )
        .select_from(CreditAward)
        .join(Enrollment, Enrollment.id == CreditAward.enrollment_id)
        .join(Student, Student.id == Enrollment.student_id)
        .join(Site, Site.id == Student.site_id)
        .join(CourseVersion, CourseVersion.id == Enrollment.course_version_id)
        .where(
            student_where(user, f),
            enrollment_where(f),
            CreditAward.superseded_at.is_(None),
            CreditAward.imported_from.is_(None),
            dated(CreditAward.awarded_at, f),
            ~certified,
            award_candidates(user, f),
        )
    )
    return _listed(stmt, (CreditAward.awarded_at, CreditAward.id))


def attention_report(user: User, f: ReportFilter) -> dict:
    """Every figure of the attention report (5 queries)."""
    inactive_total, inactive = inactive_students(user, f)
    reassess_total, reassess_rows = reassess(user, f)
    approval_counts, approval_total, approval_rows = approvals(user, f)
    ages, backlog_total, backlog_rows, now = grading_backlog(user, f)
    pending_total, pending_rows = certificates_pending(user, f)
    return {
        "now": now,
        "inactive": (inactive_total, inactive),
        "reassess": (reassess_total, reassess_rows),
        "approvals": (approval_counts, approval_total, approval_rows),
        "backlog": (ages, backlog_total, backlog_rows),
        "pending": (pending_total, pending_rows),
    }
