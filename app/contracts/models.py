"""Contract of study models: the contract, its courses and unit targets, acknowledgements."""

import enum
from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.common import enum_column, utcnow
from app.extensions import db


class StudyContract(db.Model):
    """One student's contract of study (one per student; it is edited, never replaced)."""

    __tablename__ = "study_contract"
    __table_args__ = (
        CheckConstraint("weekly_hours >= 1 AND weekly_hours <= 40", name="weekly_hours_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("student.id"), unique=True)
    mentor_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    weekly_hours: Mapped[int]
    meeting_time: Mapped[str] = mapped_column(String(120))
    starts_on: Mapped[date]
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # Each edit is a new revision: an acknowledgement holds for the revision it was given to,
    # and a save from a page opened before another edit is refused (optimistic lock).
    revision: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": revision}

    student: Mapped["Student"] = relationship()  # noqa: F821
    mentor: Mapped["User"] = relationship(foreign_keys=[mentor_id])  # noqa: F821
    courses: Mapped[list["ContractCourse"]] = relationship(
        back_populates="contract", cascade="all, delete-orphan", order_by="ContractCourse.id"
    )
    acknowledgements: Mapped[list["ContractAcknowledgement"]] = relationship(
        order_by="ContractAcknowledgement.id"
    )


class ContractCourse(db.Model):
    """A course the student undertakes (one of their enrollments), with its target date."""

    __tablename__ = "contract_course"
    __table_args__ = (UniqueConstraint("contract_id", "enrollment_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("study_contract.id"))
    enrollment_id: Mapped[int] = mapped_column(ForeignKey("enrollment.id"), index=True)
    target_date: Mapped[date | None]

    contract: Mapped[StudyContract] = relationship(back_populates="courses")
    enrollment: Mapped["Enrollment"] = relationship()  # noqa: F821
    unit_targets: Mapped[list["ContractUnitTarget"]] = relationship(
        cascade="all, delete-orphan", order_by="ContractUnitTarget.unit_number"
    )


class ContractUnitTarget(db.Model):
    """The date by which one unit of a contract course should be passed."""

    __tablename__ = "contract_unit_target"
    __table_args__ = (
        UniqueConstraint("contract_course_id", "unit_number"),
        CheckConstraint("unit_number >= 1", name="unit_number_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_course_id: Mapped[int] = mapped_column(ForeignKey("contract_course.id"))
    unit_number: Mapped[int]
    target_date: Mapped[date]


class SignerRole(enum.StrEnum):
    STUDENT = "student"
    GUARDIAN = "guardian"


class ContractAcknowledgement(db.Model):
    """A student's or guardian's acknowledgement of one revision of the contract."""

    __tablename__ = "contract_acknowledgement"
    __table_args__ = (UniqueConstraint("contract_id", "role", "revision"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("study_contract.id"))
    role: Mapped[SignerRole] = enum_column(SignerRole)
    revision: Mapped[int]
    # Who pressed the button: the student or guardian themselves, or staff recording a
    # signature given on paper.
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    on_paper: Mapped[bool] = mapped_column(default=False)
    at: Mapped[datetime] = mapped_column(default=utcnow)

    recorded_by: Mapped["User"] = relationship()  # noqa: F821
