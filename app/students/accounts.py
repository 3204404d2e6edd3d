"""A student's own sign-in: the account behind a record, emailed links and printed sign-in sheets.

Staff never see or choose a student's password: they send a one-time link or print a one-time
code, and the student chooses the password (app/auth/tokens.py). Sending a new link or printing
a new sheet is also how staff reset a forgotten password.
"""

from flask_babel import gettext as _

from app.audit.services import record_event
from app.auth.models import SignInToken, TokenPurpose
from app.auth.tokens import issue_token
from app.extensions import db
from app.students.models import Student
from app.users.models import Role, User
from app.users.services import UserError, create_user, find_user_by_email, new_username


class AccountError(ValueError):
    """The student's sign-in cannot be set up as asked; the message says why."""


def _family_names(student: Student) -> str:
    return " ".join(n for n in (student.family_name, student.second_family_name) if n)


def ensure_student_account(student: Student, by: User, email: str | None = None) -> User:
    """The student's sign-in account: created (unusable password) when missing, with a sign-in
    name; `email`, when given, becomes its email.

    :raises AccountError: the email belongs to another account.
    """
    email = (email or "").strip().lower() or None
    user = student.user
    if email:
        owner = find_user_by_email(email)
        if owner is not None and owner is not user:
            raise AccountError(_("Another account already uses the email %(email)s.", email=email))
    if user is None:
        try:
            user = create_user(
                email,
                None,
                Role.STUDENT,
                student.given_name,
                _family_names(student),
                site_id=student.site_id,
                username=new_username(student.given_name, student.family_name),
                locale="es" if student.site.country == "MX" else None,
            )
        except UserError as error:
            raise AccountError(str(error)) from error
        student.user = user
        db.session.flush()
        record_event(
            by,
            "student.account_created",
            student,
            student_id=student.id,
            sign_in_name=user.username,
            with_email=bool(email),
        )
        return user
    if user.username is None:
        user.username = new_username(student.given_name, student.family_name)
    if email and user.email != email:
        record_event(
            by,
            "student.email_changed",
            student,
            student_id=student.id,
            old=user.email,
            new=email,
        )
        user.email = email
    db.session.flush()
    return user


def invite_by_email(student: Student, by: User, email: str) -> tuple[User, str]:
    """Set up the student's account with `email` and a one-time invitation code.

    :returns: the account and the code (the caller mails the link).
    :raises AccountError: the email belongs to another account.
    """
    user = ensure_student_account(student, by, email)
    _token, code = issue_token(user, TokenPurpose.INVITE, by)
    record_event(by, "student.invited", student, student_id=student.id, channel="email")
    return user, code


def issue_sheet_code(student: Student, by: User) -> tuple[User, SignInToken, str]:
    """Set up the student's account and a one-time code for a printed sign-in sheet."""
    user = ensure_student_account(student, by)
    token, code = issue_token(user, TokenPurpose.SHEET, by)
    record_event(by, "student.invited", student, student_id=student.id, channel="sheet")
    return user, token, code
