"""Enrollment and per-unit progress models."""

import enum
from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.common import enum_column, utcnow
from app.extensions import db


class EnrollmentStatus(enum.StrEnum):
    ACTIVE = "active"
    COMPLETED = "completed"
    WITHDRAWN = "withdrawn"


class Enrollment(db.Model):
    """A course version assigned to a student; it keeps the version it started with."""

    __tablename__ = "enrollment"
    __table_args__ = (
        UniqueConstraint("student_id", "course_version_id"),
        Index("ix_enrollment_status_target", "status", "target_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Lookups by student use the unique (student_id, course_version_id) index.
    student_id: Mapped[int] = mapped_column(ForeignKey("student.id"))
    course_version_id: Mapped[int] = mapped_column(ForeignKey("course_version.id"), index=True)
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    assigned_at: Mapped[datetime] = mapped_column(default=utcnow)
    target_date: Mapped[date | None]
    status: Mapped[EnrollmentStatus] = enum_column(
        EnrollmentStatus, default=EnrollmentStatus.ACTIVE
    )
    started_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]
    # The OneRoster enrollment sourcedId it came from (a delta's tobedeleted withdraws it).
    roster_id: Mapped[str | None] = mapped_column(String(200), index=True)

    student: Mapped["Student"] = relationship()  # noqa: F821
    course_version: Mapped["CourseVersion"] = relationship()  # noqa: F821
    assigned_by: Mapped["User | None"] = relationship()  # noqa: F821
    units: Mapped[list["UnitProgress"]] = relationship(
        back_populates="enrollment", order_by="UnitProgress.unit_number"
    )


class UnitStatus(enum.StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    AWAITING_GRADING = "awaiting_grading"
    RETURNED = "returned"
    PASSED = "passed"
    FAILED = "failed"


class UnitProgress(db.Model):
    """One unit of one enrollment: status, scores and where it was done."""

    __tablename__ = "unit_progress"
    __table_args__ = (
        UniqueConstraint("enrollment_id", "unit_number"),
        CheckConstraint("unit_number >= 1", name="unit_number_range"),
        CheckConstraint("lessons_read >= 0", name="lessons_read_range"),
        CheckConstraint("work_percent >= 0 AND work_percent <= 100", name="work_percent_range"),
        CheckConstraint(
            "best_test_percent >= 0 AND best_test_percent <= 100", name="best_test_percent_range"
        ),
        CheckConstraint("test_attempts >= 0", name="test_attempts_range"),
        # Partial indexes for the reports (app/reports): each holds only the few rows it names,
        # so they cost a roster import almost nothing.
        Index(
            "ix_unit_progress_waiting",
            "enrollment_id",
            sqlite_where=text("status IN ('returned', 'awaiting_grading')"),
            postgresql_where=text("status IN ('returned', 'awaiting_grading')"),
        ),
        Index(
            "ix_unit_progress_early_failed",
            "enrollment_id",
            sqlite_where=text("status = 'failed' AND unit_number <= 3"),
            postgresql_where=text("status = 'failed' AND unit_number <= 3"),
        ),
        Index(
            "ix_unit_progress_approved",
            "enrollment_id",
            sqlite_where=text("test_approved_at IS NOT NULL"),
            postgresql_where=text("test_approved_at IS NOT NULL"),
        ),
        Index(
            "ix_unit_progress_passed_at",
            "completed_at",
            sqlite_where=text("status = 'passed'"),
            postgresql_where=text("status = 'passed'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enrollment_id: Mapped[int] = mapped_column(ForeignKey("enrollment.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    unit_number: Mapped[int]
    # Not indexed: nothing filters on it alone (the queues filter attempts), and every index
    # costs a national roster import five inserts per enrollment.
    status: Mapped[UnitStatus] = enum_column(UnitStatus, default=UnitStatus.NOT_STARTED)
    lessons_read: Mapped[int] = mapped_column(default=0)
    work_percent: Mapped[float | None]  # unit work (practice) score
    best_test_percent: Mapped[float | None]
    test_attempts: Mapped[int] = mapped_column(default=0)
    test_approved_at: Mapped[datetime | None]
    test_approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    completed_at: Mapped[datetime | None]
    # The site where the unit was completed (the record says where each unit was done).
    completed_site_id: Mapped[int | None] = mapped_column(ForeignKey("site.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    enrollment: Mapped[Enrollment] = relationship(back_populates="units")
    unit: Mapped["Unit"] = relationship()  # noqa: F821
    completed_site: Mapped["Site | None"] = relationship()  # noqa: F821
