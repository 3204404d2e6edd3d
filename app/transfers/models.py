"""Trusted installations, every imported package, and records other installations sent here."""

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint, text
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
    # From its issuer document: where it takes records sent directly, and the states it serves.
    peer_endpoint: Mapped[str | None] = mapped_column(String(300))
    areas_served: Mapped[list[str]] = mapped_column(JSON, default=list, server_default=text("'[]'"))
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


class PeerNonce(db.Model):
    """A signed request already accepted from another installation: a replay is refused."""

    __tablename__ = "peer_nonce"
    __table_args__ = (UniqueConstraint("sender", "nonce", name="uq_peer_nonce_sender_nonce"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sender: Mapped[str] = mapped_column(String(300))
    nonce: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
