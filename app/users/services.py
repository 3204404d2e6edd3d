"""User and API token services: creating users, their sign-in names, passwords and sessions."""

import re
import secrets
import unicodedata

from flask_babel import gettext as _
from sqlalchemy import func, select

from app.auth.passwords import PasswordError, check_password
from app.common import utcnow
from app.extensions import db
from app.users.models import ApiToken, Role, User


class UserError(ValueError):
    """A user could not be created or changed; the message says why."""


def find_user_by_email(email: str) -> User | None:
    """The user with this email (case-insensitive), or None."""
    email = (email or "").strip().lower()
    if not email:
        return None
    return db.session.scalar(select(User).where(func.lower(User.email) == email))


def find_user_by_sign_in(name: str) -> User | None:
    """The user whose email or sign-in name is `name` (case-insensitive), or None."""
    name = (name or "").strip().lower()
    if not name:
        return None
    column = User.email if "@" in name else User.username
    return db.session.scalar(select(User).where(func.lower(column) == name))


def _ascii_name(text: str) -> str:
    """The first word of a name, without accents, in lowercase letters (e.g. "Núñez" → "nunez")."""
    first = (text or "").split()[0] if (text or "").split() else ""
    plain = unicodedata.normalize("NFKD", first).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z]", "", plain.lower())[:20] or "student"


def new_username(given_name: str, family_name: str) -> str:
    """A free sign-in name like ana.garcia.4821 (not an email: no "@")."""
    stem = f"{_ascii_name(given_name)}.{_ascii_name(family_name)}"
    while True:
        candidate = f"{stem}.{secrets.randbelow(9000) + 1000}"
        if not db.session.scalar(select(User.id).where(User.username == candidate)):
            return candidate


def create_user(
    email: str | None,
    password: str | None,
    role: Role,
    given_name: str,
    family_name: str,
    *,
    site_id: int | None = None,
    state_code: str | None = None,
    locale: str | None = None,
    username: str | None = None,
) -> User:
    """Create a user with a hashed password (None: an unusable random one, set by invitation).

    :raises UserError: when the email is taken or the password breaks the policy.
    """
    email = (email or "").strip().lower() or None
    if email is None and username is None:
        raise UserError(_("A user needs an email address or a sign-in name."))
    if email and find_user_by_email(email):
        raise UserError(_("A user with email %(email)s already exists.", email=email))
    if password is not None:
        try:
            check_password(password, email=email, names=(given_name, family_name, username))
        except PasswordError as error:
            raise UserError(str(error)) from error
    user = User(
        email=email,
        username=username,
        role=role,
        given_name=given_name,
        family_name=family_name,
        site_id=site_id,
        state_code=state_code,
        locale=locale,
    )
    user.set_password(password if password is not None else secrets.token_urlsafe(32))
    db.session.add(user)
    db.session.flush()
    return user


def end_sessions(user: User) -> None:
    """Sign the user out everywhere: every session and remember-me cookie stops working."""
    user.session_version = (user.session_version or 1) + 1


def create_api_token(user: User, name: str) -> tuple[ApiToken, str]:
    """Create an API token for `user`; returns the record and the secret (shown once)."""
    secret = "pnt_" + secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=user.id,
        name=name[:100] or "token",
        token_hash=ApiToken.digest(secret),
        prefix=secret[:12],
    )
    db.session.add(token)
    db.session.flush()
    return token, secret


def revoke_api_token(token: ApiToken) -> None:
    """Revoke a token so it no longer authenticates."""
    token.revoked_at = utcnow()


def find_user_by_token(secret: str) -> User | None:
    """The active user owning a valid (unrevoked) token, or None; records last use."""
    token = db.session.scalar(
        select(ApiToken).where(
            ApiToken.token_hash == ApiToken.digest(secret), ApiToken.revoked_at.is_(None)
        )
    )
    if token is None or not token.user.is_active:
        return None
    token.last_used_at = utcnow()
    return token.user
