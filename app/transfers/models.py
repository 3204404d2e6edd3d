"""Trusted issuers, the record of every imported package, and move notices."""

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.common import enum_column, utcnow
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


class MoveStatus(enum.StrEnum):
    MOVING = "moving"  # announced by the sending site
    ARRIVED = "arrived"  # the receiving site took the student in
    CANCELLED = "cancelled"  # the family did not move after all


class StudentMove(db.Model):
    """A move notice: the student is leaving for another state or country on a date."""

    __tablename__ = "student_move"
    __table_args__ = (Index("ix_student_move_incoming", "destination_code", "status", "move_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("student.id"), index=True)
    from_site_id: Mapped[int] = mapped_column(ForeignKey("site.id"), index=True)
    # ISO 3166-2 subdivision (US-ND, MX-JAL) or a bare country code (MX) when the state is unknown.
    destination_code: Mapped[str] = mapped_column(String(6))
    # The receiving site on this installation, when it is known.
    destination_site_id: Mapped[int | None] = mapped_column(ForeignKey("site.id"), index=True)
    move_date: Mapped[date]
    note: Mapped[str | None] = mapped_column(String(500))
    status: Mapped[MoveStatus] = enum_column(MoveStatus, default=MoveStatus.MOVING)
    reported_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    reported_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    closed_at: Mapped[datetime | None]

    student: Mapped["Student"] = relationship()  # noqa: F821
    from_site: Mapped["Site"] = relationship(foreign_keys=[from_site_id])  # noqa: F821
    destination_site: Mapped["Site | None"] = relationship(  # noqa: F821
        foreign_keys=[destination_site_id]
    )
    reported_by: Mapped["User"] = relationship(foreign_keys=[reported_by_id])  # noqa: F821
