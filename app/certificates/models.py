"""Certificate model: one issued certificate, its facts as issued, signed credential and PDF."""

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, LargeBinary, Sequence, String, Text, text
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from app.common import enum_column, utcnow
from app.extensions import db
from app.job_leases import JobStatus


class CertificateStatus(enum.StrEnum):
    VALID = "valid"
    REVOKED = "revoked"


class CertificateJob(db.Model):
    """A bulk issuance run in the background: progress, print runs made, and what failed."""

    __tablename__ = "certificate_job"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    site_id: Mapped[int | None] = mapped_column(ForeignKey("site.id"))
    status: Mapped[JobStatus] = enum_column(JobStatus, default=JobStatus.QUEUED)
    total: Mapped[int] = mapped_column(default=0)
    issued: Mapped[int] = mapped_column(default=0)
    failed: Mapped[int] = mapped_column(default=0)
    # [{"award_id", "student", "reason"}] for each award that could not be certified.
    failures: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    print_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    # The awards to certify, fixed when the job first runs: a resumed run finishes exactly these.
    award_ids: Mapped[list[int] | None] = mapped_column(JSON)
    # The lease of the worker running it: renewed after every chunk; a stale lease means the
    # worker died, and the job is claimed again (at most MAX_RUNS runs in all).
    lease_token: Mapped[str | None] = mapped_column(String(32))
    heartbeat_at: Mapped[datetime | None]
    runs: Mapped[int] = mapped_column(default=0, server_default="0")

    created_by: Mapped["User"] = relationship()  # noqa: F821


class CertificatePrint(db.Model):
    """One wkhtmltopdf run: many certificates, one page each, in a single PDF (for printing)."""

    __tablename__ = "certificate_print"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    page_count: Mapped[int]
    pdf: Mapped[bytes] = deferred(mapped_column(LargeBinary))


class Certificate(db.Model):
    __tablename__ = "certificate"
    # One valid (not revoked) certificate per credit award, kept by the database.
    __table_args__ = (
        Index(
            "uq_certificate_valid_award",
            "credit_award_id",
            unique=True,
            sqlite_where=text("revoked_at IS NULL"),
            postgresql_where=text("revoked_at IS NULL"),
        ),
        # The status list is rebuilt from the revoked certificates' indexes.
        Index("ix_certificate_revoked_at", "revoked_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    serial: Mapped[str] = mapped_column(String(32), unique=True)
    # Normalized verification code (Crockford base32, no dashes): the lookup key of /verify.
    code: Mapped[str] = mapped_column(String(32), unique=True)
    credit_award_id: Mapped[int] = mapped_column(ForeignKey("credit_award.id"), index=True)
    enrollment_id: Mapped[int] = mapped_column(ForeignKey("enrollment.id"), index=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("student.id"), index=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"), index=True)
    state_code: Mapped[str] = mapped_column(String(6), index=True)
    issued_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    issued_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    revoked_at: Mapped[datetime | None]
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    revoke_reason: Mapped[str | None] = mapped_column(String(500))
    replaced_by_id: Mapped[int | None] = mapped_column(ForeignKey("certificate.id"), index=True)
    # Its bit in the installation's revocation status list (None: issued before status lists).
    status_index: Mapped[int | None] = mapped_column(unique=True)
    # What the certificate says, frozen when issued: the page, the PDF and /verify show this.
    facts: Mapped[dict[str, Any]] = mapped_column(JSON)
    credential: Mapped[dict[str, Any]] = deferred(mapped_column(JSON))
    # The same credential as a VC-JWT (ES256); None for certificates issued before it existed.
    credential_jwt: Mapped[str | None] = deferred(mapped_column(Text))
    # The certificate is page `page_number` (1-based) of its print run's PDF.
    print_id: Mapped[int | None] = mapped_column(ForeignKey("certificate_print.id"), index=True)
    page_number: Mapped[int | None]

    student: Mapped["Student"] = relationship()  # noqa: F821
    site: Mapped["Site"] = relationship()  # noqa: F821
    issued_by: Mapped["User"] = relationship(foreign_keys=[issued_by_id])  # noqa: F821
    revoked_by: Mapped["User | None"] = relationship(foreign_keys=[revoked_by_id])  # noqa: F821
    replaced_by: Mapped["Certificate | None"] = relationship(remote_side=[id])
    print_run: Mapped[CertificatePrint | None] = relationship()

    @property
    def status(self) -> CertificateStatus:
        return CertificateStatus.REVOKED if self.revoked_at else CertificateStatus.VALID

    @property
    def display_code(self) -> str:
        return "-".join(self.code[i : i + 4] for i in range(0, len(self.code), 4))


# On PostgreSQL, status list indexes come from this sequence: taking them locks nothing, so
# issuers sign while their PDFs render without queueing behind each other (a rolled-back
# issue leaves an unused index: its bit stays 0). SQLite has one writer at a time anyway and
# counts in StatusList.next_index.
STATUS_INDEXES = Sequence("certificate_status_index_seq", start=0, minvalue=0, metadata=db.metadata)


class StatusList(db.Model):
    """The installation's Bitstring Status List: the next free index (on PostgreSQL, at least
    the highest index the list's length covers), and the signed BitstringStatusListCredential
    as last built (rebuilt whenever a bit changes or the list grows)."""

    __tablename__ = "status_list"

    id: Mapped[int] = mapped_column(primary_key=True)
    purpose: Mapped[str] = mapped_column(String(16), unique=True)
    next_index: Mapped[int] = mapped_column(default=0)
    length: Mapped[int] = mapped_column(default=0)
    revision: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    credential: Mapped[dict[str, Any] | None] = deferred(mapped_column(JSON))


class SigningKey(db.Model):
    """One of the installation's signing keys: its public half, published for good (old
    certificates keep verifying), and the file beside SIGNING_KEY_FILE (kind P-256, the VC-JWT's:
    JWT_SIGNING_KEY_FILE) holding its private half. The key of each kind with no `valid_until`
    signs what is issued now."""

    __tablename__ = "signing_key"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(32), unique=True)  # key-1, …; p256-1, …
    kind: Mapped[str] = mapped_column(String(16), default="Ed25519")
    public_key_multibase: Mapped[str] = mapped_column(String(200))
    # The private key's file name, in its kind's first key file's folder.
    file_name: Mapped[str] = mapped_column(String(200))
    valid_from: Mapped[datetime] = mapped_column(default=utcnow)
    valid_until: Mapped[datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    # The key's Multikey document signed by the key it replaced: other installations that
    # trust the first key follow this chain to trust the new one (app/transfers/peers.py).
    endorsement: Mapped[dict[str, Any] | None] = mapped_column(JSON)
