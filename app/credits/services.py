"""Course results and credit awards (full or partial); the newest award supersedes the rest."""

from flask_babel import gettext as _
from sqlalchemy import Select, and_, case, exists, func, select
from sqlalchemy.orm import selectinload

from app.audit.services import record_event
from app.common import to_int, utcnow
from app.courses.models import CourseVersion
from app.credits.models import CreditAward
from app.credits.rules import CourseResult, Rules, course_result, rules_for
from app.enrollments.models import Enrollment, EnrollmentStatus, UnitProgress, UnitStatus
from app.errors import DomainError
from app.extensions import db
from app.permissions import student_scope
from app.sites.models import Site
from app.students.models import Student
from app.users.models import Role, User

# Unit grades have one decimal, so a course grade is rounded from a mean of k/10n: half a
# tenth either side (with a hair of float slack) tells whether a stored grade is still current.
_HALF_TENTH = 0.05
_SLACK = 1e-6


class CreditError(DomainError):
    """Credit cannot be awarded; the message says why."""

    status = 409


def enrollment_rules(enrollment: Enrollment) -> Rules:
    """The rules of the state where the student is now (the awarding state)."""
    return rules_for(enrollment.student.site.state_code)


def enrollment_result(enrollment: Enrollment) -> CourseResult:
    """The course result now: each unit's best test score under the awarding state's rules."""
    version = enrollment.course_version
    by_number = {u.unit_number: u.best_test_percent for u in enrollment.units}
    scores = [(by_number.get(n), None) for n in range(1, version.unit_count + 1)]
    return course_result(scores, version.credit, enrollment_rules(enrollment), work_weight=0.0)


def award_matches(award: CreditAward | None, result: CourseResult, state_code: str) -> bool:
    """Whether `award` states exactly this result in this state."""
    return award is not None and (
        award.state_code,
        award.units_passed,
        award.unit_count,
        award.grade_percent,
        award.credit,
        award.is_partial,
    ) == (
        state_code,
        result.units_passed,
        result.unit_count,
        result.grade_percent,
        result.credit,
        result.is_partial,
    )


def current_award(enrollment: Enrollment) -> CreditAward | None:
    return db.session.scalar(
        select(CreditAward).where(
            CreditAward.enrollment_id == enrollment.id, CreditAward.superseded_at.is_(None)
        )
    )


def award_credit(enrollment: Enrollment, coordinator: User) -> CreditAward:
    """Award the credit the rules give now; it is computed here, never taken from a form.

    The previous award is superseded: a partial transcript states the credit so far. The
    enrollment row is locked first (PostgreSQL), so a second coordinator waits and then finds
    this award; the partial unique index keeps one current award on every database.

    :raises CreditError: when no unit is passed, or this very credit is already awarded.
    """
    lock_enrollment(enrollment)
    result = enrollment_result(enrollment)
    if result.units_passed == 0:
        raise CreditError(_("No unit is passed yet, so there is no credit to award."))
    site = enrollment.student.site
    previous = current_award(enrollment)
    if award_matches(previous, result, site.state_code):
        raise CreditError(_("This credit is already awarded; nothing has changed since."))
    now = utcnow()
    if previous is not None:
        previous.superseded_at = now
        db.session.flush()  # superseded before the new one is inserted (one current award)
    award = CreditAward(
        enrollment_id=enrollment.id,
        units_passed=result.units_passed,
        unit_count=result.unit_count,
        grade_percent=result.grade_percent,
        letter=result.letter,
        sep_grade=result.sep_grade,
        credit=result.credit,
        credit_system=enrollment_rules(enrollment).credit_system,
        is_partial=result.is_partial,
        state_code=site.state_code,
        site_id=site.id,
        awarded_by_id=coordinator.id,
        awarded_at=now,
    )
    db.session.add(award)
    db.session.flush()
    record_event(
        coordinator,
        "credit.awarded",
        award,
        student_id=enrollment.student_id,
        enrollment_id=enrollment.id,
        credit=float(award.credit),
        credit_system=award.credit_system,
        partial=award.is_partial,
        units_passed=award.units_passed,
        unit_count=award.unit_count,
        grade_percent=award.grade_percent,
        letter=award.letter,
        sep=award.sep_grade,
        superseded=previous.id if previous else None,
    )
    return award


def lock_enrollment(enrollment: Enrollment) -> None:
    """Hold the enrollment's row until the transaction ends (a no-op on SQLite, which lets
    one writer in at a time), and reload its units as they are now."""
    db.session.execute(
        select(Enrollment.id).where(Enrollment.id == enrollment.id).with_for_update()
    )
    db.session.execute(
        select(UnitProgress)
        .where(UnitProgress.enrollment_id == enrollment.id)
        .execution_options(populate_existing=True)
    )


def award_history(enrollment: Enrollment) -> list[CreditAward]:
    """Every award for the enrollment, newest first."""
    return list(
        db.session.scalars(
            select(CreditAward)
            .where(CreditAward.enrollment_id == enrollment.id)
            .options(selectinload(CreditAward.awarded_by), selectinload(CreditAward.site))
            .order_by(CreditAward.awarded_at.desc(), CreditAward.id.desc())
        )
    )


def ready_for_credit(user: User, args) -> Select:
    """Enrollments in `user`'s scope with a passed unit and no current award stating their
    present result, narrowed by `args` (site, course, kind=complete|partial)."""
    # Each enrollment's own units, by its index: a subquery grouping every unit of the
    # installation was read whole on every view, whatever the scope.
    own_units = UnitProgress.enrollment_id == Enrollment.id
    passed = (
        select(func.sum(case((UnitProgress.status == UnitStatus.PASSED, 1), else_=0)))
        .where(own_units)
        .correlate(Enrollment)  # also inside the EXISTS below, two levels in
        .scalar_subquery()
    )
    mean = (
        select(func.avg(UnitProgress.best_test_percent))
        .where(own_units)
        .correlate(Enrollment)
        .scalar_subquery()
    )
    current = exists().where(
        CreditAward.enrollment_id == Enrollment.id,
        CreditAward.superseded_at.is_(None),
        CreditAward.state_code == Site.state_code,
        CreditAward.units_passed == passed,
        and_(
            mean >= CreditAward.grade_percent - _HALF_TENTH - _SLACK,
            mean < CreditAward.grade_percent + _HALF_TENTH - _SLACK,
        ),
    )
    if user.role == Role.COORDINATOR and user.state_code and not user.site_id:
        # Said again of the awards (every site in scope is in this state): PostgreSQL then
        # hashes this state's current awards for the count, not the installation's.
        current = current.where(CreditAward.state_code == user.state_code)
    stmt = (
        select(Enrollment)
        .join(Enrollment.student)
        .join(Student.site)
        .join(Enrollment.course_version)
        .where(student_scope(user), passed > 0, ~current)
        .options(
            selectinload(Enrollment.student).selectinload(Student.site),
            selectinload(Enrollment.course_version).selectinload(CourseVersion.course),
            selectinload(Enrollment.units),
        )
        .order_by(Student.family_name, Student.given_name, Enrollment.id)
    )
    site_id = to_int(args.get("site"))
    if site_id:
        stmt = stmt.where(Student.site_id == site_id)
    course_id = to_int(args.get("course"))
    if course_id:
        stmt = stmt.where(CourseVersion.course_id == course_id)
    if args.get("kind") == "complete":
        stmt = stmt.where(Enrollment.status == EnrollmentStatus.COMPLETED)
    elif args.get("kind") == "partial":
        stmt = stmt.where(Enrollment.status != EnrollmentStatus.COMPLETED)
    return stmt
