"""The link between a guardian's account and a student (one guardian, many children)."""

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.common import utcnow
from app.extensions import db


class GuardianLink(db.Model):
    __tablename__ = "guardian_link"
    __table_args__ = (UniqueConstraint("guardian_id", "student_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    guardian_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    student_id: Mapped[int] = mapped_column(ForeignKey("student.id"), index=True)
    relation: Mapped[str | None] = mapped_column(String(60))  # mother, uncle, ... as told
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    guardian: Mapped["User"] = relationship(foreign_keys=[guardian_id])  # noqa: F821
    student: Mapped["Student"] = relationship()  # noqa: F821
