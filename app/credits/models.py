"""Credit awards (the newest for an enrollment supersedes earlier ones) and prior Mexican courses."""

from datetime import datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Index, Numeric, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.common import utcnow
from app.extensions import db


class CreditAward(db.Model):
    __tablename__ = "credit_award"
    # One current award per enrollment, kept by the database even when two coordinators race.
    __table_args__ = (
        Index(
            "uq_credit_award_current",
            "enrollment_id",
            unique=True,
            sqlite_where=text("superseded_at IS NULL"),
            postgresql_where=text("superseded_at IS NULL"),
        ),
        CheckConstraint("unit_count >= 1", name="unit_count_range"),
        CheckConstraint(
            "units_passed >= 0 AND units_passed <= unit_count", name="units_passed_range"
        ),
        CheckConstraint("grade_percent >= 0 AND grade_percent <= 100", name="grade_percent_range"),
        CheckConstraint("sep_grade >= 0 AND sep_grade <= 10", name="sep_grade_range"),
        # Up to 2 Carnegie units in the richest credit system (California: 10 credits a unit).
        CheckConstraint("credit >= 0 AND credit <= 20", name="credit_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enrollment_id: Mapped[int] = mapped_column(ForeignKey("enrollment.id"), index=True)
    units_passed: Mapped[int]
    unit_count: Mapped[int]
    grade_percent: Mapped[float]
    letter: Mapped[str] = mapped_column(String(2))
    sep_grade: Mapped[float]
    credit: Mapped[Decimal] = mapped_column(Numeric(6, 2))  # in the credit system below
    credit_system: Mapped[str] = mapped_column(String(20))  # "carnegie" or a state's own
    is_partial: Mapped[bool]
    state_code: Mapped[str] = mapped_column(String(6), index=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"), index=True)
    awarded_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    awarded_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    superseded_at: Mapped[datetime | None]
    # An award made at another installation, carried by a transfer package (its issuer address);
    # its certificate, if any, is verified there.
    imported_from: Mapped[str | None] = mapped_column(String(300))
    awarded_by_name: Mapped[str | None] = mapped_column(String(200))  # the awarding coordinator

    enrollment: Mapped["Enrollment"] = relationship()  # noqa: F821
    awarded_by: Mapped["User"] = relationship()  # noqa: F821
    site: Mapped["Site"] = relationship()  # noqa: F821


class PriorCourse(db.Model):
    """A course the student took in a Mexican school, entered from their papers (SEP 0-10)."""

    __tablename__ = "prior_course"
    __table_args__ = (
        CheckConstraint("year >= 1", name="year_range"),
        CheckConstraint("sep_grade >= 0 AND sep_grade <= 10", name="sep_grade_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("student.id"), index=True)
    subject: Mapped[str] = mapped_column(String(120))
    level: Mapped[str] = mapped_column(String(20))  # a grade_levels level in rules.toml
    year: Mapped[int]  # year of the level, or semester for bachillerato
    sep_grade: Mapped[float]
    school: Mapped[str | None] = mapped_column(String(200))
    state_code: Mapped[str | None] = mapped_column(String(6))  # ISO 3166-2, e.g. MX-MIC
    school_year: Mapped[str | None] = mapped_column(String(9))  # e.g. 2024-2025
    entered_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    entered_at: Mapped[datetime] = mapped_column(default=utcnow)

    entered_by: Mapped["User"] = relationship()  # noqa: F821
