"""Student queries (scoped, filtered), adding students and editing their identity."""

from flask_babel import gettext as _
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from app.audit.services import record_event
from app.errors import DomainError
from app.extensions import db
from app.permissions import can_manage_site, can_view_student
from app.sites.models import Site
from app.students.identifiers import IdentifierError, check_birth_date, check_identifiers
from app.students.models import Student, StudentKind
from app.users.models import Role, User
from app.users.services import UserError, create_user, new_username

# The identity fields staff may edit, in the order the audit trail lists them.
IDENTITY_FIELDS = (
    "given_name",
    "family_name",
    "second_family_name",
    "birth_date",
    "kind",
    "grade_level",
    "msix_id",
    "curp",
    "state_student_id",
)


class StudentError(DomainError):
    """A student record cannot be saved; the message says which field and why."""

    status = 400


def add_student(by: User, data: dict) -> Student:
    """Create a student at a site in `by`'s scope, with an optional sign-in.

    :param data: given_name, family_name, site_id, kind, grade_level, birth_date, msix_id,
        curp, state_student_id, email, password.
    :raises StudentError: naming the field that is wrong.
    """
    site = db.session.get(Site, data["site_id"]) if data.get("site_id") else None
    if site is None or not can_manage_site(by, site):
        raise StudentError(_("Choose one of your sites."))
    identity = clean_identity(data)
    user = None
    if data.get("email"):
        try:
            user = create_user(
                data["email"],
                data.get("password") or "",
                Role.STUDENT,
                identity["given_name"],
                _family_names(identity),
                site_id=site.id,
                username=new_username(identity["given_name"], identity["family_name"]),
            )
        except UserError as error:
            raise StudentError(str(error)) from error
    student = Student(site_id=site.id, user_id=user.id if user else None, **identity)
    db.session.add(student)
    db.session.flush()
    record_event(by, "student.created", student, student_id=student.id, site=site.code)
    return student


def possible_duplicates(user: User, student: Student) -> list[Student]:
    """Records flagged as possibly the same student as `student` (either way) that `user` may
    also see: only someone who can see both decides."""
    # The few flagged records by their own indexes, the scope checked on them here: in SQL,
    # SQLite would rather read every student of the user's site.
    flagged = [Student.duplicate_of_id == student.id]
    if student.duplicate_of_id is not None:
        flagged.append(Student.id == student.duplicate_of_id)
    stmt = (
        select(Student)
        .where(or_(*flagged))
        .options(selectinload(Student.site))
        .order_by(Student.id)
    )
    return [other for other in db.session.scalars(stmt) if can_view_student(user, other)]


def _family_names(identity: dict) -> str:
    return " ".join(n for n in (identity["family_name"], identity.get("second_family_name")) if n)


def clean_identity(data: dict, student_id: int | None = None) -> dict:
    """The identity fields of `data`, checked (app/students/identifiers.py) and cleaned.

    :raises StudentError: naming the field that is wrong.
    """
    given = (data.get("given_name") or "").strip()
    family = (data.get("family_name") or "").strip()
    if not given or not family:
        raise StudentError(_("Enter the given names and the first surname."))
    try:
        msix, curp, state_id = check_identifiers(
            data.get("msix_id"),
            data.get("curp"),
            data.get("state_student_id"),
            student_id=student_id,
        )
        birth = check_birth_date(data.get("birth_date"))
    except IdentifierError as error:
        raise StudentError(str(error)) from error
    kind = data.get("kind") or "secondary"
    if kind not in {k.value for k in StudentKind}:
        raise StudentError(_("Choose the kind of student."))
    grade = data.get("grade_level")
    if grade is not None and not 6 <= grade <= 12:
        raise StudentError(_("The US grade level must be between 6 and 12."))
    return {
        "given_name": given,
        "family_name": family,
        "second_family_name": (data.get("second_family_name") or "").strip() or None,
        "birth_date": birth,
        "kind": StudentKind(kind),
        "grade_level": grade,
        "msix_id": msix,
        "curp": curp,
        "state_student_id": state_id,
    }


def _audit_value(value):
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value.value if isinstance(value, StudentKind) else value


def update_student_identity(student: Student, by: User, data: dict) -> dict:
    """Change a student's names, date of birth, kind, grade and identifiers.

    Every changed field is audited as old → new (`student.identity_changed`); the student's
    sign-in account keeps the same names.

    :returns: {field: [old, new]} of what changed (empty when nothing did).
    :raises StudentError: naming the field that is wrong; nothing is changed.
    """
    identity = clean_identity(data, student_id=student.id)
    changes = {}
    for field in IDENTITY_FIELDS:
        old, new = getattr(student, field), identity[field]
        if old != new:
            changes[field] = [_audit_value(old), _audit_value(new)]
            setattr(student, field, new)
    if not changes:
        return changes
    if student.user is not None:
        student.user.given_name = student.given_name
        student.user.family_name = _family_names(identity)
    db.session.flush()
    record_event(by, "student.identity_changed", student, student_id=student.id, changes=changes)
    return changes
