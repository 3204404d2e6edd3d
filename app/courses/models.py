"""Course content models: a course, its immutable versions, units, lessons and items."""

import enum
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.common import enum_column, utcnow
from app.extensions import db


class Bilingual:
    """Mixin: pick the `<field>_en` / `<field>_es` attribute for a locale."""

    def text(self, field: str, locale: str) -> str:
        value = getattr(self, f"{field}_{locale}", None)
        return value or getattr(self, f"{field}_en")


class Course(db.Model):
    __tablename__ = "course"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    versions: Mapped[list["CourseVersion"]] = relationship(
        back_populates="course", order_by="CourseVersion.id"
    )


class CourseVersion(Bilingual, db.Model):
    __tablename__ = "course_version"
    __table_args__ = (
        UniqueConstraint("course_id", "version"),
        CheckConstraint("credit > 0 AND credit <= 2", name="credit_range"),
        CheckConstraint("hours >= 0", name="hours_range"),
        CheckConstraint("unit_count >= 1", name="unit_count_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id"), index=True)
    version: Mapped[str] = mapped_column(String(20))
    subject: Mapped[str] = mapped_column(String(40), index=True)
    title_en: Mapped[str] = mapped_column(String(200))
    title_es: Mapped[str] = mapped_column(String(200))
    description_en: Mapped[str] = mapped_column(Text, default="")
    description_es: Mapped[str] = mapped_column(Text, default="")
    grade_levels: Mapped[str] = mapped_column(String(20), default="9-12")
    credit: Mapped[Decimal] = mapped_column(Numeric(6, 2))  # Carnegie units, e.g. 0.5
    hours: Mapped[int]
    unit_count: Mapped[int]
    content_hash: Mapped[str] = mapped_column(String(64))
    imported_at: Mapped[datetime] = mapped_column(default=utcnow)
    is_current: Mapped[bool] = mapped_column(default=True, index=True)

    course: Mapped[Course] = relationship(back_populates="versions")
    units: Mapped[list["Unit"]] = relationship(
        back_populates="course_version", order_by="Unit.number"
    )

    @property
    def code(self) -> str:
        return self.course.code


class Unit(Bilingual, db.Model):
    __tablename__ = "unit"
    __table_args__ = (
        UniqueConstraint("course_version_id", "number"),
        CheckConstraint("number >= 1", name="number_range"),
        CheckConstraint("hours >= 0", name="hours_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_version_id: Mapped[int] = mapped_column(ForeignKey("course_version.id"))
    number: Mapped[int]
    title_en: Mapped[str] = mapped_column(String(200))
    title_es: Mapped[str] = mapped_column(String(200))
    hours: Mapped[int] = mapped_column(default=18)

    course_version: Mapped[CourseVersion] = relationship(back_populates="units")
    lessons: Mapped[list["Lesson"]] = relationship(order_by="Lesson.position")
    items: Mapped[list["Item"]] = relationship(order_by="Item.position")

    def items_in(self, section: "Section") -> list["Item"]:
        return [item for item in self.items if item.section == section]


class Lesson(Bilingual, db.Model):
    __tablename__ = "lesson"
    __table_args__ = (UniqueConstraint("unit_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    position: Mapped[int]
    slug: Mapped[str] = mapped_column(String(60))
    title_en: Mapped[str] = mapped_column(String(200))
    title_es: Mapped[str] = mapped_column(String(200))
    body_en: Mapped[str] = mapped_column(Text)  # Markdown
    body_es: Mapped[str] = mapped_column(Text)


class Section(enum.StrEnum):
    PRACTICE = "practice"
    TEST = "test"


class ItemKind(enum.StrEnum):
    CHOICE = "choice"
    NUMERIC = "numeric"
    OPEN = "open"


class Item(Bilingual, db.Model):
    """A question in a unit's practice or unit test."""

    __tablename__ = "item"
    __table_args__ = (
        UniqueConstraint("unit_id", "section", "key"),
        CheckConstraint("points > 0", name="points_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    section: Mapped[Section] = enum_column(Section)
    key: Mapped[str] = mapped_column(String(40))
    position: Mapped[int]
    kind: Mapped[ItemKind] = enum_column(ItemKind)
    points: Mapped[float] = mapped_column(default=1)
    prompt_en: Mapped[str] = mapped_column(Text)
    prompt_es: Mapped[str] = mapped_column(Text)
    # choice: [{"id": "a", "en": "...", "es": "..."}]; empty otherwise.
    choices: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # choice: {"choice": "b"}; numeric: {"value": 3.5, "tolerance": 0.01};
    # open: {"rubric_en": "...", "rubric_es": "..."}.
    answer: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    @property
    def is_auto(self) -> bool:
        return self.kind != ItemKind.OPEN
