"""Import a checked transfer package: match the student, continue each course, all or nothing."""

import hashlib
from datetime import date, datetime
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import select

from app.audit.services import record_event
from app.common import utcnow
from app.courses.models import Course, CourseVersion
from app.credits.models import CreditAward
from app.credits.rules import credit_text, rules_for, state_credit
from app.enrollments.models import Enrollment, EnrollmentStatus, UnitProgress, UnitStatus
from app.errors import DomainError
from app.extensions import db
from app.installation import issuer_id
from app.moves.services import move_student, receive_move, receiving_sites
from app.permissions import can_manage_site
from app.sites.models import Site
from app.students.models import Student, StudentKind
from app.transfers.checking import parse_datetime
from app.transfers.matching import NEW, resolve_target
from app.transfers.models import TransferImport
from app.users.models import User

CREDIT_STEP = Decimal("0.01")  # credit columns are NUMERIC(6, 2)


class TransferError(DomainError):
    """The package cannot be imported; the message says why."""

    status = 409


def already_imported(package: dict) -> TransferImport | None:
    return db.session.scalar(
        select(TransferImport).where(TransferImport.package_id == package["id"])
    )


def import_package(package: dict, site: Site, user: User, choice: str = "auto") -> TransferImport:
    """Write a checked package at `site`: continue the record `choice` names (a student id, "new",
    or "auto" for the server's own proposal), every enrollment where it stopped. Importing the
    same package again is a no-op.

    The record is one `resolve_target` allows `user` to attach to; a strong match out of reach
    becomes a new record flagged as its possible duplicate.

    :raises TransferError: for a site not the user's, a record that may not be chosen, a course
        version not installed here, or values the course does not allow (nothing is written).
    """
    done = already_imported(package)
    if done is not None:
        return done
    if site.is_external or not can_manage_site(user, site):
        raise TransferError(_("Choose one of your sites."), 400)
    versions = _installed_versions(package)
    check_against_courses(package, versions)
    resolution = resolve_target(package["student"], user)
    chosen = resolution.default if choice == "auto" else choice
    if chosen not in resolution.allowed:
        raise TransferError(
            _("That record cannot receive this package: choose one of the records shown.")
        )
    if chosen == NEW:
        student = _new_student(package["student"], site, resolution.duplicate_of, user)
    else:
        student = next(s for s in resolution.choices if str(s.id) == chosen)
        move = resolution.moves.get(student.id)
        if move is not None:
            if not receiving_sites(move, [site]):
                raise TransferError(
                    _("The move notice names another site: import the record there.")
                )
            receive_move(move, site, user)
        elif student.site_id != site.id:
            move_student(student, site)
    for entry in package["enrollments"]:
        version = versions[(entry["course"]["code"], entry["course"]["version"])]
        enrollment = _continue_enrollment(student, version, entry, package["issuer"], user)
        _carry_credit_award(enrollment, entry, package, user)
    record = TransferImport(
        package_id=package["id"],
        issuer=package["issuer"],
        student_id=student.id,
        site_id=site.id,
        imported_by_id=user.id,
        package=package,
    )
    db.session.add(record)
    db.session.flush()
    record_event(
        user,
        "transfer.imported",
        record,
        student_id=student.id,
        issuer=package["issuer"],
        source_site=package["source_site"]["code"],
        enrollments=len(package["enrollments"]),
        record="new" if chosen == NEW else "existing",
    )
    return record


def _installed_versions(package: dict) -> dict[tuple[str, str], CourseVersion]:
    versions = {}
    for entry in package["enrollments"]:
        course = entry["course"]
        version = db.session.scalar(
            select(CourseVersion)
            .join(CourseVersion.course)
            .where(Course.code == course["code"], CourseVersion.version == course["version"])
        )
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
    return versions


def check_against_courses(package: dict, versions: dict) -> None:
    """What the schema cannot know: unit numbers the course has, units passed no more than its
    units, and credit no more than the course's credit in the awarding state's system.

    :raises TransferError: naming the field and the reason.
    """
    for index, entry in enumerate(package["enrollments"]):
        version = versions[(entry["course"]["code"], entry["course"]["version"])]
        numbers = {u.number for u in version.units}
        for position, unit in enumerate(entry["units"]):
            if unit["number"] not in numbers:
                raise TransferError(
                    _(
                        "enrollments/%(index)s/units/%(position)s/number: course %(code)s has no unit %(number)s.",
                        index=index,
                        position=position,
                        code=version.course.code,
                        number=unit["number"],
                    )
                )
        for position, award in enumerate(entry["credit_awards"]):
            where = f"enrollments/{index}/credit_awards/{position}"
            most = state_credit(version.credit, rules_for(award["state_code"]))
            credit = Decimal(str(award["credit"]))
            if credit != credit.quantize(CREDIT_STEP):
                raise TransferError(
                    _(
                        "%(where)s/credit: %(credit)s has more than 2 decimals; credit is kept "
                        "to hundredths.",
                        where=where,
                        credit=award["credit"],
                    )
                )
            if credit > most:
                raise TransferError(
                    _(
                        "%(where)s/credit: %(credit)s is more than the course's credit "
                        "(%(most)s in %(state)s).",
                        where=where,
                        credit=award["credit"],
                        most=credit_text(most),
                        state=award["state_code"],
                    )
                )
            if not award["units_passed"] <= award["unit_count"] == len(numbers):
                raise TransferError(
                    _(
                        "%(where)s/units_passed: %(passed)s of %(count)s units does not fit a "
                        "course of %(units)s units.",
                        where=where,
                        passed=award["units_passed"],
                        count=award["unit_count"],
                        units=len(numbers),
                    )
                )


def _new_student(identity: dict, site: Site, duplicate_of: Student | None, user: User) -> Student:
    """A new record for the package's student; identifiers another record already holds stay
    with that record, and the new one is flagged as its possible duplicate."""
    msix, curp = identity.get("msix_id"), identity.get("curp")
    if duplicate_of is not None:
        msix = None if msix == duplicate_of.msix_id else msix
        curp = None if curp == duplicate_of.curp else curp
    student = Student(
        site_id=site.id,
        given_name=identity["given_name"],
        family_name=identity["family_name"],
        second_family_name=identity.get("second_family_name"),
        birth_date=_date(identity.get("birth_date")),
        kind=StudentKind(identity["kind"]),
        grade_level=identity.get("grade_level"),
        msix_id=msix,
        state_student_id=identity.get("state_student_id"),
        curp=curp,
        duplicate_of_id=duplicate_of.id if duplicate_of else None,
    )
    db.session.add(student)
    db.session.flush()
    if duplicate_of is not None:
        record_event(
            user,
            "student.possible_duplicate",
            student,
            student_id=student.id,
            duplicate_of=duplicate_of.id,
            msix_id=identity.get("msix_id"),
            curp=identity.get("curp"),
        )
    return student


def _continue_enrollment(student, version, entry, issuer, user) -> Enrollment:
    enrollment = db.session.scalar(
        select(Enrollment).where(
            Enrollment.student_id == student.id, Enrollment.course_version_id == version.id
        )
    )
    if enrollment is None:
        enrollment = Enrollment(
            student=student,
            course_version=version,
            assigned_by=user,
            started_at=_datetime(entry.get("started_at")),
            target_date=_date(entry.get("target_date")),
        )
        db.session.add(enrollment)
        for unit in version.units:
            db.session.add(UnitProgress(enrollment=enrollment, unit=unit, unit_number=unit.number))
        db.session.flush()
    incoming = {u["number"]: u for u in entry["units"]}
    for progress in enrollment.units:
        unit = _settled(incoming.get(progress.unit_number))
        if unit is not None and _begun_elsewhere(unit, progress):
            # The open unit continues where she left it: what she read and her unit work (an
            # ungraded test stays with the sending site; she takes it here).
            progress.status = UnitStatus.IN_PROGRESS
            progress.lessons_read = unit.get("lessons_read", 0)
            progress.work_percent = unit.get("work_percent")
            continue
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
    if sent is None or issuer == issuer_id():
        return  # none, or this installation's own award, already here
    awarded_at = _datetime(sent["awarded_at"])
    known = select(CreditAward.id).where(
        CreditAward.enrollment_id == enrollment.id,
        CreditAward.imported_from == issuer,
        CreditAward.awarded_at == awarded_at,
    )
    if db.session.scalar(known) is not None:
        return
    site = remote_site(sent.get("site") or package["source_site"], issuer)
    award = CreditAward(
        enrollment_id=enrollment.id,
        units_passed=sent["units_passed"],
        unit_count=sent["unit_count"],
        grade_percent=sent["grade_percent"],
        letter=sent["letter"],
        sep_grade=sent["sep_grade"],
        credit=Decimal(str(sent["credit"])),
        credit_system=sent["credit_system"],
        is_partial=sent["partial"],
        state_code=sent["state_code"],
        site_id=site.id,
        awarded_by_id=user.id,
        awarded_at=awarded_at,
        imported_from=issuer,
        awarded_by_name=sent.get("awarded_by"),
    )
    current = db.session.scalar(
        select(CreditAward).where(
            CreditAward.enrollment_id == enrollment.id, CreditAward.superseded_at.is_(None)
        )
    )
    if current is not None and current.awarded_at > awarded_at:
        award.superseded_at = current.awarded_at
    elif current is not None:
        current.superseded_at = awarded_at
        db.session.flush()  # superseded before the new one is inserted (one current award)
    db.session.add(award)
    db.session.flush()
    record_event(
        user,
        "credit.imported",
        award,
        student_id=enrollment.student_id,
        issuer=issuer,
        credit=float(award.credit),
        partial=award.is_partial,
    )


def _settled(unit: dict | None) -> dict | None:
    """The unit as this site can take it: an unfinished unit with a graded earlier try counts as
    failed with that score and those tries (the ungraded retake stays with the sending site)."""
    if unit is None or unit["status"] in ("passed", "failed"):
        return unit
    if unit.get("best_test_percent") is None:
        return unit
    graded = sum(1 for t in unit.get("tests", []) if t.get("status") == "graded")
    return {**unit, "status": "failed", "test_attempts": graded}


def _begun_elsewhere(unit: dict, progress: UnitProgress) -> bool:
    """An unfinished unit the student had begun at the sending site, not yet begun here."""
    return (
        unit["status"] not in ("passed", "failed", "not_started")
        and progress.status == UnitStatus.NOT_STARTED
        and progress.lessons_read == 0
    )


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
    return parse_datetime(text) if text else None
