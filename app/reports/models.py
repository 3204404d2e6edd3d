"""Per-enrollment facts the reports count across a whole state, rebuilt by a background job."""

from datetime import datetime

from sqlalchemy import Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db


class ReportEnrollment(db.Model):
    """One narrow row per enrollment (its site, kind, course, stage, newest activity, early
    failures): a state's report reads its rows by site instead of joining every student and
    unit. Rebuilt whole by `refresh_report_facts`; figures from it are as of `ReportRefresh`."""

    __tablename__ = "report_enrollment"
    __table_args__ = (
        Index("ix_report_enrollment_site", "site_id", "stage"),
        Index("ix_report_enrollment_activity", "site_id", "last_activity_at"),
        Index("ix_report_enrollment_student", "student_id"),
        Index(
            "ix_report_enrollment_early_failed",
            "site_id",
            sqlite_where=text("early_failed AND stage <> 'completed' AND stage <> 'withdrawn'"),
            postgresql_where=text("early_failed AND stage <> 'completed' AND stage <> 'withdrawn'"),
        ),
    )

    enrollment_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    student_id: Mapped[int]
    site_id: Mapped[int]
    kind: Mapped[str] = mapped_column(String(24))
    course_id: Mapped[int]
    stage: Mapped[str] = mapped_column(String(24))
    assigned_at: Mapped[datetime]
    completed_at: Mapped[datetime | None]
    last_activity_at: Mapped[datetime | None]
    early_failed: Mapped[bool]


class ReportRefresh(db.Model):
    """When the facts were last rebuilt (one row)."""

    __tablename__ = "report_refresh"

    id: Mapped[int] = mapped_column(primary_key=True)
    refreshed_at: Mapped[datetime]
    rows: Mapped[int]
