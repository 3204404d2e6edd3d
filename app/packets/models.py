"""Packet job: one unit's printable packets for many students, made in the background."""

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.common import enum_column, utcnow
from app.extensions import db
from app.job_leases import JobStatus


class PacketJob(db.Model):
    """A batch of packets: which unit progresses (one per student), the page size, progress, and
    the finished PDF's SHA-256 (the file is under the instance folder, app/packets/jobs.py)."""

    __tablename__ = "packet_job"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    # [unit_progress id, unit-test try the answer sheet is for] per student, in print order.
    sheets: Mapped[list[list[int]]] = mapped_column(JSON, default=list)
    page_size: Mapped[str] = mapped_column(String(10), default="letter")
    status: Mapped[JobStatus] = enum_column(JobStatus, default=JobStatus.QUEUED)
    total: Mapped[int] = mapped_column(default=0)  # packets to make
    done: Mapped[int] = mapped_column(default=0)  # packets made so far
    pages: Mapped[int | None]
    sha256: Mapped[str | None] = mapped_column(String(64))
    error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    lease_token: Mapped[str | None] = mapped_column(String(32))
    heartbeat_at: Mapped[datetime | None]
    runs: Mapped[int] = mapped_column(default=0, server_default="0")

    created_by: Mapped["User"] = relationship()  # noqa: F821
