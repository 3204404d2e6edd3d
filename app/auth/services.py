"""Authentication rules: sign in by email or sign-in name, change and reset passwords."""

from flask_babel import gettext as _

from app.audit.services import record_event
from app.auth.models import TokenPurpose
from app.auth.passwords import PasswordError, check_user_password
from app.auth.tokens import issue_token, student_id_of
from app.users.models import User
from app.users.services import end_sessions, find_user_by_email, find_user_by_sign_in


def authenticate_user(sign_in: str, password: str) -> User | None:
    """Return the active user with this email or sign-in name and password, or None."""
    user = find_user_by_sign_in(sign_in)
    if user is None or not user.is_active or not user.check_password(password):
        return None
    return user


def sign_out(user: User) -> None:
    """End every session of `user` (this one, other devices, remember-me cookies)."""
    end_sessions(user)
    record_event(user, "auth.signed_out", user, student_id=student_id_of(user))


def change_password(user: User, current: str, new: str) -> None:
    """Change the password of a signed-in user who knows the current one.

    Every other session of the user ends (the caller signs this one in again).

    :raises PasswordError: the current password is wrong or the new one breaks the policy.
    """
    if not user.check_password(current):
        raise PasswordError(_("The current password is not correct."))
    if current == new:
        raise PasswordError(_("Choose a password different from the current one."))
    check_user_password(user, new)
    user.set_password(new)
    end_sessions(user)
    record_event(user, "auth.password_changed", user, student_id=student_id_of(user))


def request_password_reset(email: str) -> tuple[User, str] | None:
    """A reset code for the active user with this email, or None (the caller says the same)."""
    user = find_user_by_email(email)
    if user is None or not user.is_active:
        return None
    _token, code = issue_token(user, TokenPurpose.RESET, None)
    record_event(None, "auth.password_reset_requested", user, student_id=student_id_of(user))
    return user, code
