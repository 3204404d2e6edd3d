"""The record of every roster import: who loaded which file, and what it changed."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.common import utcnow
from app.extensions import db


class RosterImport(db.Model):
    __tablename__ = "roster_import"

    id: Mapped[int] = mapped_column(primary_key=True)
    imported_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    imported_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    file_name: Mapped[str] = mapped_column(String(200))
    file_sha256: Mapped[str] = mapped_column(String(64))
    counts: Mapped[dict[str, Any]] = mapped_column(JSON)

    imported_by: Mapped["User"] = relationship()  # noqa: F821


class RosterCourseMap(db.Model):
    """A school system's own course code (courseCode, course sourcedId, classCode or class
    title) and the Puente course its classes are taught with; an administrator edits them."""

    __tablename__ = "roster_course_map"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)  # kept upper-case
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    course: Mapped["Course"] = relationship()  # noqa: F821


class RosterClass(db.Model):
    """A roster's class as last imported: a later delta's enrollments find their course here."""

    __tablename__ = "roster_class"

    id: Mapped[int] = mapped_column(primary_key=True)
    sourced_id: Mapped[str] = mapped_column(String(200), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id"), index=True)


class RosterJob(db.Model):
    """A roster uploaded through the page and imported in the background, with its progress."""

    __tablename__ = "roster_job"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    file_name: Mapped[str] = mapped_column(String(200))
    state_code: Mapped[str] = mapped_column(String(6), default="")
    status: Mapped[str] = mapped_column(String(16), default="queued")  # queued running done failed
    phase: Mapped[str] = mapped_column(String(16), default="queued")  # reading checking writing
    problems: Mapped[list[Any]] = mapped_column(JSON, default=list)  # [file, line, field, message]
    problem_count: Mapped[int] = mapped_column(default=0)
    import_id: Mapped[int | None] = mapped_column(ForeignKey("roster_import.id"))
    finished_at: Mapped[datetime | None]

    created_by: Mapped["User"] = relationship()  # noqa: F821
    roster_import: Mapped[RosterImport | None] = relationship()
