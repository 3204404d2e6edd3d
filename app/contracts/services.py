"""Contract of study rules: write it (audited, versioned), acknowledge it, read its progress."""

from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.audit.services import record_event
from app.common import utcnow
from app.contracts.models import (
    ContractAcknowledgement,
    ContractCourse,
    ContractUnitTarget,
    SignerRole,
    StudyContract,
)
from app.courses.models import CourseVersion
from app.enrollments.models import Enrollment, EnrollmentStatus, UnitProgress, UnitStatus
from app.errors import ConflictError, DomainError
from app.extensions import db
from app.permissions import can_manage_student
from app.students.models import Student
from app.users.models import Role, User


class ContractError(DomainError):
    """The contract cannot be saved or acknowledged as given; the message says why."""

    status = 400


def find_contract(student: Student) -> StudyContract | None:
    """The student's contract with its courses, enrollments, units and acknowledgements."""
    return db.session.scalar(
        select(StudyContract)
        .where(StudyContract.student_id == student.id)
        .options(
            selectinload(StudyContract.mentor),
            selectinload(StudyContract.acknowledgements).selectinload(
                ContractAcknowledgement.recorded_by
            ),
            selectinload(StudyContract.courses).selectinload(ContractCourse.unit_targets),
            selectinload(StudyContract.courses)
            .selectinload(ContractCourse.enrollment)
            .selectinload(Enrollment.units)
            .selectinload(UnitProgress.unit),
            selectinload(StudyContract.courses)
            .selectinload(ContractCourse.enrollment)
            .selectinload(Enrollment.course_version)
            .selectinload(CourseVersion.course),
        )
    )


def contract_enrollments(student: Student) -> list[Enrollment]:
    """The student's enrollments a contract may undertake (not withdrawn), oldest first."""
    return list(
        db.session.scalars(
            select(Enrollment)
            .where(
                Enrollment.student_id == student.id,
                Enrollment.status != EnrollmentStatus.WITHDRAWN,
            )
            .options(selectinload(Enrollment.course_version))
            .order_by(Enrollment.id)
        )
    )


def mentor_choices(student: Student) -> list[User]:
    """Staff who may mentor the student: active teachers and coordinators who manage them."""
    staff = db.session.scalars(
        select(User)
        .where(User.role.in_((Role.TEACHER, Role.COORDINATOR)), User.is_active.is_(True))
        .where((User.site_id == student.site_id) | (User.site_id.is_(None)))
        .order_by(User.family_name, User.given_name)
    )
    return [user for user in staff if can_manage_student(user, student)]


def _snapshot(contract: StudyContract) -> dict:
    """What the audit trail keeps of one revision."""
    return {
        "mentor_id": contract.mentor_id,
        "weekly_hours": contract.weekly_hours,
        "meeting_time": contract.meeting_time,
        "starts_on": contract.starts_on.isoformat(),
        "courses": {
            str(course.enrollment_id): {
                "target": course.target_date.isoformat() if course.target_date else None,
                "units": {
                    str(t.unit_number): t.target_date.isoformat() for t in course.unit_targets
                },
            }
            for course in contract.courses
        },
    }


def _check(student: Student, data: dict) -> tuple[User, dict[int, Enrollment]]:
    mentor = db.session.get(User, data.get("mentor_id") or 0)
    if mentor is None or mentor not in mentor_choices(student):
        raise ContractError(_("Choose the mentor from the list of the student's teachers."))
    hours = data.get("weekly_hours")
    if not isinstance(hours, int) or not 1 <= hours <= 40:
        raise ContractError(_("Weekly hours must be a whole number from 1 to 40."))
    if not (data.get("meeting_time") or "").strip():
        raise ContractError(_("Say when the student meets the mentor, e.g. Tuesdays 4 pm."))
    starts_on = data.get("starts_on")
    if not isinstance(starts_on, date):
        raise ContractError(_("Enter the date the contract starts."))
    enrollments = {e.id: e for e in contract_enrollments(student)}
    courses = data.get("courses") or {}
    if not courses:
        raise ContractError(_("Choose at least one course the student undertakes."))
    for enrollment_id, targets in courses.items():
        enrollment = enrollments.get(enrollment_id)
        if enrollment is None:
            raise ContractError(_("A course chosen is not one of the student's courses."))
        dates = [targets.get("target"), *targets.get("units", {}).values()]
        if any(d is not None and d < starts_on for d in dates):
            raise ContractError(_("A target date is before the contract starts."))
        count = enrollment.course_version.unit_count
        if any(not 1 <= n <= count for n in targets.get("units", {})):
            raise ContractError(_("A unit target names a unit the course does not have."))
    return mentor, enrollments


def save_contract(student: Student, by: User, data: dict) -> StudyContract:
    """Create or edit the student's contract of study; the change is in the audit trail.

    :param data: mentor_id, weekly_hours, meeting_time, starts_on, courses ({enrollment_id:
        {"target": date | None, "units": {unit_number: date}}}), revision (the one the page
        showed; None when creating).
    :raises ContractError: naming what is wrong.
    :raises ConflictError: when someone saved another revision since the page was opened.
    """
    mentor, _enrollments = _check(student, data)
    contract = find_contract(student)
    before = None
    if contract is None:
        contract = StudyContract(student_id=student.id, created_by_id=by.id)
        db.session.add(contract)
    else:
        if data.get("revision") != contract.revision:
            raise ConflictError(
                _("Someone else changed this contract since you opened it: look at it again.")
            )
        before = _snapshot(contract)
    contract.mentor_id = mentor.id
    contract.weekly_hours = data["weekly_hours"]
    contract.meeting_time = data["meeting_time"].strip()[:120]
    contract.starts_on = data["starts_on"]
    existing = {course.enrollment_id: course for course in contract.courses}
    contract.courses = []
    for enrollment_id, targets in sorted(data["courses"].items()):
        course = existing.get(enrollment_id) or ContractCourse(enrollment_id=enrollment_id)
        course.target_date = targets.get("target")
        old = {t.unit_number: t for t in course.unit_targets}
        course.unit_targets = []
        for number, target in sorted(targets.get("units", {}).items()):
            unit_target = old.get(number) or ContractUnitTarget(unit_number=number)
            unit_target.target_date = target
            course.unit_targets.append(unit_target)
        contract.courses.append(course)
    contract.updated_at = utcnow()  # the row changes, so every save is a new revision
    db.session.flush()
    after = _snapshot(contract)
    action = "contract.created" if before is None else "contract.updated"
    record_event(by, action, contract, student_id=student.id, before=before, after=after)
    return contract


def acknowledge_contract(
    contract: StudyContract, by_user: User, role: SignerRole | str
) -> ContractAcknowledgement:
    """Record that the student or guardian acknowledges the contract's current revision.

    The caller checks that `by_user` may (permissions.can_acknowledge_contract); staff who
    record a guardian's signature on paper are `by_user` with `on_paper` set. Acknowledging
    the same revision twice changes nothing.
    """
    role = SignerRole(role)
    for ack in contract.acknowledgements:
        if ack.role == role and ack.revision == contract.revision:
            return ack
    ack = ContractAcknowledgement(
        contract_id=contract.id,
        role=role,
        revision=contract.revision,
        recorded_by_id=by_user.id,
        on_paper=by_user.is_staff,
    )
    db.session.add(ack)
    db.session.flush()
    contract.acknowledgements.append(ack)
    record_event(
        by_user,
        "contract.acknowledged",
        contract,
        student_id=contract.student_id,
        role=role.value,
        revision=contract.revision,
        on_paper=ack.on_paper,
    )
    return ack


def current_acknowledgement(contract: StudyContract, role: str) -> ContractAcknowledgement | None:
    """The acknowledgement of the contract's current revision by `role`, or None."""
    for ack in contract.acknowledgements:
        if ack.role == role and ack.revision == contract.revision:
            return ack
    return None


@dataclass
class UnitLine:
    number: int
    title_en: str
    title_es: str
    target: date | None
    status: str
    passed_on: date | None
    late: bool


@dataclass
class CourseLine:
    code: str
    title_en: str
    title_es: str
    target: date | None
    units: list[UnitLine] = field(default_factory=list)
    late: bool = False

    @property
    def passed(self) -> int:
        return sum(1 for unit in self.units if unit.status == UnitStatus.PASSED)


def _late(target: date | None, passed_on: date | None, today: date) -> bool:
    if target is None:
        return False
    return passed_on > target if passed_on else today > target


def contract_progress(contract: StudyContract, today: date | None = None) -> list[CourseLine]:
    """Units passed against the targets, course by course; late ones are flagged."""
    today = today or date.today()
    lines = []
    for course in contract.courses:
        enrollment = course.enrollment
        version = enrollment.course_version
        targets = {t.unit_number: t.target_date for t in course.unit_targets}
        line = CourseLine(
            version.course.code, version.title_en, version.title_es, course.target_date
        )
        for progress in enrollment.units:
            passed_on = (
                progress.completed_at.date()
                if progress.status == UnitStatus.PASSED and progress.completed_at
                else None
            )
            target = targets.get(progress.unit_number)
            line.units.append(
                UnitLine(
                    progress.unit_number,
                    progress.unit.title_en,
                    progress.unit.title_es,
                    target,
                    progress.status.value,
                    passed_on,
                    _late(target, passed_on, today),
                )
            )
        done = [u.passed_on for u in line.units if u.passed_on]
        finished = max(done) if len(done) == len(line.units) and done else None
        line.late = _late(course.target_date, finished, today)
        lines.append(line)
    return lines
