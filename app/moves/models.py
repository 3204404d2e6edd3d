"""Move notices: reported here, or sent here by another Puente installation."""

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.common import enum_column, utcnow
from app.extensions import db


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
    # Sent directly to the Puente installation that serves the destination (its issuer id).
    sent_to: Mapped[str | None] = mapped_column(String(300))
    sent_at: Mapped[datetime | None]
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    closed_at: Mapped[datetime | None]

    student: Mapped["Student"] = relationship()  # noqa: F821
    from_site: Mapped["Site"] = relationship(foreign_keys=[from_site_id])  # noqa: F821
    destination_site: Mapped["Site | None"] = relationship(  # noqa: F821
        foreign_keys=[destination_site_id]
    )
    reported_by: Mapped["User"] = relationship(foreign_keys=[reported_by_id])  # noqa: F821


class InboundStatus(enum.StrEnum):
    INCOMING = "incoming"  # sent by another installation, waiting to be received here
    RECEIVED = "received"  # imported at one of this installation's sites


class InboundTransfer(db.Model):
    """A move notice and signed package another Puente installation sent here directly.

    Until it is received, staff see only what the notice shows: name, year of birth, origin.
    """

    __tablename__ = "inbound_transfer"
    __table_args__ = (
        UniqueConstraint("sender", "sender_move_id", name="uq_inbound_transfer_sender_move"),
        Index("ix_inbound_transfer_incoming", "destination_code", "status", "move_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    sender: Mapped[str] = mapped_column(String(300))  # the sending installation's issuer id
    sender_move_id: Mapped[int]
    package_id: Mapped[str] = mapped_column(String(64))
    package: Mapped[dict[str, Any]] = mapped_column(JSON)
    given_name: Mapped[str] = mapped_column(String(100))
    family_name: Mapped[str] = mapped_column(String(100))
    birth_year: Mapped[int | None]
    origin_site: Mapped[str] = mapped_column(String(200))
    origin_state: Mapped[str] = mapped_column(String(6))
    destination_code: Mapped[str] = mapped_column(String(6))
    move_date: Mapped[date]
    note: Mapped[str | None] = mapped_column(String(500))
    status: Mapped[InboundStatus] = enum_column(InboundStatus, default=InboundStatus.INCOMING)
    received_at: Mapped[datetime | None]
    received_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    student_id: Mapped[int | None] = mapped_column(ForeignKey("student.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
