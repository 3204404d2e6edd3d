"""Move notices: a student is leaving for another state or country."""

import enum
from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String
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
