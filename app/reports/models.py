"""Per-enrollment facts the reports count across a whole state, rebuilt by a background job."""

from datetime import datetime
from decimal import Decimal

from sqlalchemy import Index, Numeric, String, text
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
        Index(
            "ix_report_enrollment_award",
            "site_id",
            "award_at",
            sqlite_where=text("award_at IS NOT NULL"),
            postgresql_where=text("award_at IS NOT NULL"),
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
    # The enrollment's current credit award (the newest; none: every award column is empty).
    award_id: Mapped[int | None]
    award_at: Mapped[datetime | None]
    award_partial: Mapped[bool | None]
    award_system: Mapped[str | None] = mapped_column(String(20))
    award_credit: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))
    award_imported: Mapped[bool | None]  # carried from another installation


class ReportUnitPass(db.Model):
    """One row per passed unit, with its enrollment's population columns (named as on
    `ReportEnrollment`, so the same filters apply): units passed per week or month read a
    state's recent passes by site and date instead of every unit of every enrollment."""

    __tablename__ = "report_unit_pass"
    __table_args__ = (Index("ix_report_unit_pass_site", "site_id", "passed_at"),)

    enrollment_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    unit_number: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    site_id: Mapped[int]
    kind: Mapped[str] = mapped_column(String(24))
    course_id: Mapped[int]
    assigned_at: Mapped[datetime]
    completed_at: Mapped[datetime | None]  # the enrollment's
    passed_at: Mapped[datetime]  # the unit's (`UnitProgress.completed_at`)


class ReportRefresh(db.Model):
    """When the facts were last rebuilt (one row)."""

    __tablename__ = "report_refresh"

    id: Mapped[int] = mapped_column(primary_key=True)
    refreshed_at: Mapped[datetime]
    rows: Mapped[int]
    # The newest credit award then: the ones after it are read live (ids only grow).
    last_award_id: Mapped[int | None]
