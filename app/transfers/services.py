"""Import a checked transfer package: match the student, continue each course, all or nothing."""

import enum
import hashlib
from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import gettext as _
from sqlalchemy import func, select, update

from app.audit.services import record_event
from app.common import utcnow
from app.courses.models import Course, CourseVersion
from app.credits.models import CreditAward
from app.enrollments.models import Enrollment, EnrollmentStatus, UnitProgress, UnitStatus
from app.extensions import db
from app.learning.models import Attempt, AttemptStatus
from app.sites.models import Site
from app.students.models import Student, StudentKind
from app.transfers.models import TransferImport
from app.users.models import User


class TransferError(ValueError):
    """The package cannot be imported; the message says why."""


class MatchKind(enum.StrEnum):
    MSIX = "msix"
    CURP = "curp"
    NAME_AND_BIRTH = "name_and_birth"
    UNCERTAIN = "uncertain"  # same name, but the date of birth is missing or differs
    NEW = "new"


@dataclass
class Match:
    kind: MatchKind
    student: Student | None
    candidates: list[Student]


def match_student(identity: dict) -> Match:
    """Find the local record of the package's student: MSIX ID, then CURP, then name + birth."""
    if identity.get("msix_id"):
        found = db.session.scalar(select(Student).where(Student.msix_id == identity["msix_id"]))
        if found:
            return Match(MatchKind.MSIX, found, [found])
    if identity.get("curp"):
        found = db.session.scalar(select(Student).where(Student.curp == identity["curp"]))
        if found:
            return Match(MatchKind.CURP, found, [found])
    same_name = list(db.session.scalars(
        select(Student).where(
            func.lower(Student.given_name) == identity["given_name"].lower(),
            func.lower(Student.family_name) == identity["family_name"].lower(),
        ).limit(10)
    ))  # fmt: skip
    birth = _date(identity.get("birth_date"))
    exact = [s for s in same_name if birth and s.birth_date == birth]
    if len(exact) == 1:
        return Match(MatchKind.NAME_AND_BIRTH, exact[0], exact)
    if same_name:
        return Match(MatchKind.UNCERTAIN, None, same_name)
    return Match(MatchKind.NEW, None, [])


def already_imported(package: dict) -> TransferImport | None:
    return db.session.scalar(
        select(TransferImport).where(TransferImport.package_id == package["id"])
    )


def import_package(
    package: dict, site: Site, user: User, student: Student | None
) -> TransferImport:
    """Write a checked package at `site`: the student (matched `student`, or a new record) and
    every enrollment, continuing where it stopped. Importing the same package again is a no-op.

    :raises TransferError: when a course version is not installed here (nothing is written).
    """
    done = already_imported(package)
    if done is not None:
        return done
    versions = {}
    for entry in package["enrollments"]:
        course = entry["course"]
        version = db.session.scalar(
            select(CourseVersion).join(CourseVersion.course)
            .where(Course.code == course["code"], CourseVersion.version == course["version"])
        )  # fmt: skip
        if version is None or version.content_hash != course["content_hash"]:
            raise TransferError(
                _(
                    "Course %(code)s version %(version)s is not installed here with the same content: "
                    "import that course package first.",
                    code=course["code"],
                    version=course["version"],
                )
            )
        versions[(course["code"], course["version"])] = version
    student = student or _new_student(package["student"], site)
    if student.site_id != site.id:
        move_student(student, site)
    for entry in package["enrollments"]:
        version = versions[(entry["course"]["code"], entry["course"]["version"])]
        enrollment = _continue_enrollment(student, version, entry, package["issuer"], user)
        _carry_credit_award(enrollment, entry, package, user)
    record = TransferImport(package_id=package["id"], issuer=package["issuer"], student_id=student.id,
                            site_id=site.id, imported_by_id=user.id, package=package)  # fmt: skip
    db.session.add(record)
    db.session.flush()
    record_event(user, "transfer.imported", record, student_id=student.id,
                 issuer=package["issuer"], source_site=package["source_site"]["code"],
                 enrollments=len(package["enrollments"]))  # fmt: skip
    return record


def move_student(student: Student, site: Site) -> None:
    """Make `site` the student's site; open work moves with them into its grading queue."""
    student.site_id = site.id
    open_ids = (
        select(Attempt.id).join(Attempt.unit_progress).join(UnitProgress.enrollment)
        .where(Enrollment.student_id == student.id,
               Attempt.status.in_([AttemptStatus.IN_PROGRESS, AttemptStatus.SUBMITTED, AttemptStatus.RETURNED]))
    )  # fmt: skip
    db.session.execute(update(Attempt).where(Attempt.id.in_(open_ids)).values(site_id=site.id))


def _new_student(identity: dict, site: Site) -> Student:
    student = Student(
        site_id=site.id, given_name=identity["given_name"], family_name=identity["family_name"],
        birth_date=_date(identity.get("birth_date")), kind=StudentKind(identity["kind"]),
        grade_level=identity.get("grade_level"), msix_id=identity.get("msix_id"),
        state_student_id=identity.get("state_student_id"), curp=identity.get("curp"),
    )  # fmt: skip
    db.session.add(student)
    db.session.flush()
    return student


def _continue_enrollment(student, version, entry, issuer, user) -> Enrollment:
    enrollment = db.session.scalar(select(Enrollment).where(
        Enrollment.student_id == student.id, Enrollment.course_version_id == version.id))  # fmt: skip
    if enrollment is None:
        enrollment = Enrollment(student=student, course_version=version, assigned_by=user,
                                started_at=_datetime(entry.get("started_at")))  # fmt: skip
        db.session.add(enrollment)
        for unit in version.units:
            db.session.add(UnitProgress(enrollment=enrollment, unit=unit, unit_number=unit.number))
        db.session.flush()
    incoming = {u["number"]: u for u in entry["units"]}
    for progress in enrollment.units:
        unit = _settled(incoming.get(progress.unit_number))
        if unit is None or not _better(unit, progress):
            continue
        progress.status = (
            UnitStatus(unit["status"])
            if unit["status"] in ("passed", "failed")
            else progress.status
        )
        progress.best_test_percent = unit.get("best_test_percent")
        progress.work_percent = (
            unit.get("work_percent")
            if unit.get("work_percent") is not None
            else progress.work_percent
        )
        progress.test_attempts = max(progress.test_attempts, unit.get("test_attempts", 0))
        progress.lessons_read = max(progress.lessons_read, unit.get("lessons_read", 0))
        progress.completed_at = _datetime(unit.get("completed_at"))
        if unit.get("completed_site"):
            progress.completed_site = remote_site(unit["completed_site"], issuer)
    if entry["status"] == "completed" or all(
        u.status == UnitStatus.PASSED for u in enrollment.units
    ):
        enrollment.status = EnrollmentStatus.COMPLETED
        enrollment.completed_at = (
            enrollment.completed_at or _datetime(entry.get("completed_at")) or utcnow()
        )
    elif enrollment.status == EnrollmentStatus.WITHDRAWN:
        enrollment.status = EnrollmentStatus.ACTIVE  # the student continues the course here
        enrollment.completed_at = None  # (the withdrawal date)
    db.session.flush()
    return enrollment


def _carry_credit_award(enrollment: Enrollment, entry: dict, package: dict, user: User) -> None:
    """The sending installation's current credit award comes along (partial credit travels with
    the student); whichever award is newer, here or there, is the current one."""
    sent = next((a for a in entry.get("credit_awards", []) if a.get("current")), None)
    issuer = package["issuer"]
    from app.certificates.credential import issuer_id

    if sent is None or issuer == issuer_id():
        return  # none, or this installation's own award, already here
    awarded_at = _datetime(sent["awarded_at"])
    known = select(CreditAward.id).where(CreditAward.enrollment_id == enrollment.id,
                                         CreditAward.imported_from == issuer,
                                         CreditAward.awarded_at == awarded_at)  # fmt: skip
    if db.session.scalar(known) is not None:
        return
    site = remote_site(sent.get("site") or package["source_site"], issuer)
    award = CreditAward(
        enrollment_id=enrollment.id, units_passed=sent["units_passed"],
        unit_count=sent["unit_count"], grade_percent=sent["grade_percent"], letter=sent["letter"],
        sep_grade=sent["sep_grade"], credit=sent["credit"], credit_system=sent["credit_system"],
        is_partial=sent["partial"], state_code=sent["state_code"], site_id=site.id,
        awarded_by_id=user.id, awarded_at=awarded_at, imported_from=issuer,
        awarded_by_name=sent.get("awarded_by"),
    )  # fmt: skip
    current = db.session.scalar(select(CreditAward).where(
        CreditAward.enrollment_id == enrollment.id, CreditAward.superseded_at.is_(None)))  # fmt: skip
    if current is not None and current.awarded_at > awarded_at:
        award.superseded_at = current.awarded_at
    elif current is not None:
        current.superseded_at = awarded_at
        db.session.flush()  # superseded before the new one is inserted (one current award)
    db.session.add(award)
    db.session.flush()
    record_event(user, "credit.imported", award, student_id=enrollment.student_id, issuer=issuer,
                 credit=award.credit, partial=award.is_partial)  # fmt: skip


def _settled(unit: dict | None) -> dict | None:
    """The unit as this site can take it: an unfinished unit with a graded earlier try counts as
    failed with that score and those tries (the ungraded retake stays with the sending site)."""
    if unit is None or unit["status"] in ("passed", "failed"):
        return unit
    if unit.get("best_test_percent") is None:
        return unit
    graded = sum(1 for t in unit.get("tests", []) if t.get("status") == "graded")
    return {**unit, "status": "failed", "test_attempts": graded}


def _better(unit: dict, progress: UnitProgress) -> bool:
    """Whether the package's unit result should replace the local one (a finished unit with a
    higher best score; local work in progress is never overwritten by an unfinished unit)."""
    if unit["status"] not in ("passed", "failed") or unit.get("best_test_percent") is None:
        return False
    return (
        progress.best_test_percent is None or unit["best_test_percent"] > progress.best_test_percent
    )


def remote_site(site: dict, issuer: str) -> Site:
    """The local record of a site named in a package (from this or another installation)."""
    local = db.session.scalar(
        select(Site).where(Site.code == site["code"], Site.state_code == site["state_code"])
    )
    from app.certificates.credential import issuer_id

    if local is not None and issuer == issuer_id():
        return local
    tag = hashlib.sha256(issuer.encode()).hexdigest()[:6]
    code = f"{site['code'][:25]}@{tag}"
    existing = db.session.scalar(select(Site).where(Site.code == code))
    if existing is None:
        existing = Site(
            code=code, name=site["name"], state_code=site["state_code"], is_external=True
        )
        db.session.add(existing)
        db.session.flush()
    return existing


def _date(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def _datetime(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text.rstrip("Z")) if text else None
