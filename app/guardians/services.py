"""Link a guardian to a student (inviting a new guardian account) and unlink; both audited."""

from flask_babel import gettext as _
from sqlalchemy import select

from app.audit.services import record_event
from app.auth.models import TokenPurpose
from app.auth.tokens import issue_token
from app.errors import DomainError
from app.extensions import db
from app.guardians.models import GuardianLink
from app.students.models import Student
from app.users.models import Role, User
from app.users.services import UserError, create_user, find_user_by_email

RELATION_LENGTH = 60


class GuardianError(DomainError):
    """The guardian cannot be linked or unlinked as asked; the message says why."""

    status = 409


def link_guardian(
    student: Student,
    by: User,
    email: str,
    given_name: str,
    family_name: str,
    relation: str | None = None,
    locale: str | None = "es",
) -> tuple[GuardianLink, str | None]:
    """Link the guardian with `email` to `student`, creating (and inviting) the account if new.

    :returns: the link, and a one-time sign-in code when a new account needs its password.
    :raises GuardianError: the email belongs to a non-guardian account, the guardian is
        already linked, or the names are missing.
    """
    email = (email or "").strip().lower()
    relation = (relation or "").strip()[:RELATION_LENGTH] or None
    user = find_user_by_email(email)
    code = None
    if user is not None and user.role != Role.GUARDIAN:
        raise GuardianError(
            _("%(email)s belongs to an account that is not a guardian's.", email=email)
        )
    if user is None:
        if not (given_name or "").strip() or not (family_name or "").strip():
            raise GuardianError(_("Enter the guardian's given name and family name."), 422)
        try:
            user = create_user(
                email,
                None,
                Role.GUARDIAN,
                given_name.strip(),
                family_name.strip(),
                locale=locale if locale in ("en", "es") else "es",
            )
        except UserError as error:
            raise GuardianError(str(error)) from error
        _token, code = issue_token(user, TokenPurpose.INVITE, by)
    elif _link(user, student) is not None:
        raise GuardianError(_("%(email)s is already linked to this student.", email=email))
    link = GuardianLink(
        guardian_id=user.id, student_id=student.id, relation=relation, created_by_id=by.id
    )
    db.session.add(link)
    db.session.flush()
    record_event(
        by, "guardian.linked", link, student_id=student.id, guardian=user.id, relation=relation
    )
    return link, code


def unlink_guardian(link: GuardianLink, by: User) -> None:
    """End a guardian's access to one student (their account stays, for other children)."""
    record_event(
        by, "guardian.unlinked", link, student_id=link.student_id, guardian=link.guardian_id
    )
    db.session.delete(link)
    db.session.flush()


def _link(user: User, student: Student) -> GuardianLink | None:
    stmt = select(GuardianLink).where(
        GuardianLink.guardian_id == user.id, GuardianLink.student_id == student.id
    )
    return db.session.scalar(stmt)


def guardians_of(student: Student) -> list[GuardianLink]:
    stmt = (
        select(GuardianLink)
        .where(GuardianLink.student_id == student.id)
        .order_by(GuardianLink.created_at)
    )
    return list(db.session.scalars(stmt))


def children_of(user: User) -> list[Student]:
    stmt = (
        select(Student)
        .join(GuardianLink, GuardianLink.student_id == Student.id)
        .where(GuardianLink.guardian_id == user.id)
        .order_by(Student.given_name, Student.family_name)
    )
    return list(db.session.scalars(stmt))
