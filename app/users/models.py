"""User and API token models."""

import enum
import hashlib
from datetime import datetime

from flask import current_app
from flask_login import UserMixin
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from app.common import enum_column, utcnow
from app.extensions import db


class Role(enum.StrEnum):
    STUDENT = "student"
    TEACHER = "teacher"
    COORDINATOR = "coordinator"
    ADMIN = "admin"
    GUARDIAN = "guardian"  # a parent or guardian: reads their children's records only


class User(UserMixin, db.Model):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    # A student may sign in with a generated sign-in name instead (e.g. ana.garcia.4821).
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    username: Mapped[str | None] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[Role] = enum_column(Role, index=True)
    given_name: Mapped[str] = mapped_column(String(100))
    family_name: Mapped[str] = mapped_column(String(100))
    locale: Mapped[str | None] = mapped_column(String(5))
    # Teachers and students belong to a site; a coordinator has a site (site scope)
    # or only a state_code (state scope); an admin has neither.
    site_id: Mapped[int | None] = mapped_column(ForeignKey("site.id"), index=True)
    state_code: Mapped[str | None] = mapped_column(String(6), index=True)
    is_active: Mapped[bool] = mapped_column(default=True)
    # OneRoster sourcedId of the user row this account came from.
    roster_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    # Part of the session's user id: changing it (sign-out, new password) ends every session.
    session_version: Mapped[int] = mapped_column(default=1, server_default="1")
    # Kept by app/notifications/services.py so the menu shows it without a query of its own.
    unread_notifications: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    site: Mapped["Site | None"] = relationship()  # noqa: F821

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    @property
    def sign_in_name(self) -> str:
        """What the user types to sign in: the email, else the generated sign-in name."""
        return self.email or self.username or ""

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    def set_password(self, password: str) -> None:
        method = current_app.config.get("PASSWORD_METHOD", "scrypt")
        self.password_hash = generate_password_hash(password, method=method)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def has_role(self, *roles: Role) -> bool:
        return self.role in roles

    @property
    def is_staff(self) -> bool:
        return self.role in (Role.TEACHER, Role.COORDINATOR, Role.ADMIN)

    def __repr__(self) -> str:
        return f"<User {self.sign_in_name} {self.role}>"


class ApiToken(db.Model):
    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    # Only a SHA-256 digest is stored; the token itself is shown once.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()

    @staticmethod
    def digest(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()
