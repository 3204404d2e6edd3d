"""User and API token services."""

import secrets

from sqlalchemy import func, select

from app.common import utcnow
from app.extensions import db
from app.users.models import ApiToken, Role, User


class UserError(ValueError):
    """A user could not be created or changed; the message says why."""


def create_user(
    email: str,
    password: str,
    role: Role,
    given_name: str,
    family_name: str,
    *,
    site_id: int | None = None,
    state_code: str | None = None,
    locale: str | None = None,
) -> User:
    """Create a user with a hashed password.

    :raises UserError: when the email is taken or the password is too short.
    """
    email = email.strip().lower()
    if db.session.scalar(select(User.id).where(func.lower(User.email) == email)):
        raise UserError(f"A user with email {email} already exists.")
    if len(password) < 8:
        raise UserError("The password must have at least 8 characters.")
    user = User(
        email=email,
        role=role,
        given_name=given_name,
        family_name=family_name,
        site_id=site_id,
        state_code=state_code,
        locale=locale,
    )
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user


def create_api_token(user: User, name: str) -> tuple[ApiToken, str]:
    """Create an API token for `user`; returns the record and the secret (shown once)."""
    secret = "pnt_" + secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=user.id, name=name[:100] or "token", token_hash=ApiToken.digest(secret),
        prefix=secret[:12],
    )  # fmt: skip
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
