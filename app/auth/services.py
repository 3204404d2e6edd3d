"""Authentication rules: sign in by email or sign-in name, change and reset passwords."""

import secrets
from functools import cache

from flask import current_app
from flask_babel import gettext as _
from werkzeug.security import check_password_hash, generate_password_hash

from app.audit.services import record_event
from app.auth.models import TokenPurpose
from app.auth.passwords import PasswordError, check_user_password
from app.auth.tokens import issue_token, student_id_of
from app.users.models import User
from app.users.services import end_sessions, find_user_by_email, find_user_by_sign_in


def authenticate_user(sign_in: str, password: str) -> User | None:
    """Return the active user with this email or sign-in name and password, or None.

    A password is hashed whether or not the account exists, so the answer takes as long either
    way and does not tell which emails have an account.
    """
    user = find_user_by_sign_in(sign_in)
    if user is None or not user.is_active:
        check_password_hash(_stand_in_hash(), password)
        return None
    return user if user.check_password(password) else None


@cache
def _stand_in_hash_for(method: str) -> str:
    return generate_password_hash(secrets.token_urlsafe(16), method=method)


def _stand_in_hash() -> str:
    return _stand_in_hash_for(current_app.config.get("PASSWORD_METHOD", "scrypt"))


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
