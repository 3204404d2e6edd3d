"""Trusted installations and the record of every imported package."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.common import utcnow
from app.extensions import db


class TrustedIssuer(db.Model):
    """Another Puente installation whose signed transfer packages this one accepts."""

    __tablename__ = "trusted_issuer"

    id: Mapped[int] = mapped_column(primary_key=True)
    issuer: Mapped[str] = mapped_column(String(300), unique=True)  # its /issuer address
    name: Mapped[str] = mapped_column(String(200))
    public_key_multibase: Mapped[str] = mapped_column(String(100))
    added_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    added_at: Mapped[datetime] = mapped_column(default=utcnow)


class TransferImport(db.Model):
    """One imported package (its id makes a second import a no-op), kept as evidence."""

    __tablename__ = "transfer_import"

    id: Mapped[int] = mapped_column(primary_key=True)
    package_id: Mapped[str] = mapped_column(String(64), unique=True)
    issuer: Mapped[str] = mapped_column(String(300))
    student_id: Mapped[int] = mapped_column(ForeignKey("student.id"), index=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"), index=True)
    imported_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    imported_at: Mapped[datetime] = mapped_column(default=utcnow)
    package: Mapped[dict[str, Any]] = mapped_column(JSON)

    student: Mapped["Student"] = relationship()  # noqa: F821
