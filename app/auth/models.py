"""One-time sign-in tokens: invitations, printed sign-in sheets and password resets."""

import enum
import hashlib
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.common import enum_column, utcnow
from app.extensions import db


class TokenPurpose(enum.StrEnum):
    INVITE = "invite"  # an emailed invitation or staff-sent new link
    SHEET = "sheet"  # the code printed on a sign-in sheet
    RESET = "reset"  # "Forgot your password?"


class SignInToken(db.Model):
    __tablename__ = "sign_in_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    purpose: Mapped[TokenPurpose] = enum_column(TokenPurpose)
    # Only a SHA-256 digest is stored; the code itself is mailed or printed once.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]

    user: Mapped["User"] = relationship(foreign_keys=[user_id])  # noqa: F821

    @staticmethod
    def digest(code: str) -> str:
        return hashlib.sha256(code.encode()).hexdigest()

    @property
    def is_usable(self) -> bool:
        return self.used_at is None and self.expires_at > utcnow()
