"""Trusted installations, every imported package, and the nonces of accepted peer requests."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.common import utcnow
from app.extensions import db


class TrustedIssuer(db.Model):
    """Another Puente installation whose signed transfer packages this one accepts."""

    __tablename__ = "trusted_issuer"

    id: Mapped[int] = mapped_column(primary_key=True)
    issuer: Mapped[str] = mapped_column(String(300), unique=True)  # its /issuer address
    name: Mapped[str] = mapped_column(String(200))
    public_key_multibase: Mapped[str] = mapped_column(String(100))  # its key-1, pinned
    # Its later keys ({"key-2": multibase, …}), each learnt through the chain of endorsements
    # from the pinned key (app/transfers/peers.py), never from its word alone.
    rotated_keys: Mapped[dict[str, str]] = mapped_column(
        JSON, default=dict, server_default=text("'{}'")
    )
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


class PeerNonce(db.Model):
    """A signed request already accepted from another installation: a replay is refused."""

    __tablename__ = "peer_nonce"
    __table_args__ = (UniqueConstraint("sender", "nonce", name="uq_peer_nonce_sender_nonce"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sender: Mapped[str] = mapped_column(String(300))
    nonce: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
