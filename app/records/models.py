"""Export job: a course-history CSV of a staff member's scope, written in the background."""

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.common import enum_column, utcnow
from app.extensions import db
from app.job_leases import JobStatus


class ExportJob(db.Model):
    """One course-history export: its filters, progress, and the finished file's row count and
    SHA-256 (the file itself is under the instance folder, app/records/exports.py)."""

    __tablename__ = "export_job"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    # The Students list's filters ({"site": "3", "status": "completed", …}), as strings.
    filters: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    status: Mapped[JobStatus] = enum_column(JobStatus, default=JobStatus.QUEUED)
    total: Mapped[int] = mapped_column(default=0)  # students to export
    done: Mapped[int] = mapped_column(default=0)  # students written so far
    rows: Mapped[int | None]  # enrollments in the finished file
    sha256: Mapped[str | None] = mapped_column(String(64))
    error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    # The lease of the worker running it (app/job_leases.py): a stale lease means the worker
    # died; the job is claimed again and writes its file from the start.
    lease_token: Mapped[str | None] = mapped_column(String(32))
    heartbeat_at: Mapped[datetime | None]
    runs: Mapped[int] = mapped_column(default=0, server_default="0")

    created_by: Mapped["User"] = relationship()  # noqa: F821
