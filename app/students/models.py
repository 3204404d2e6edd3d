"""Student model: the education record's subject, with or without a sign-in."""

import enum
from datetime import date, datetime

from sqlalchemy import DDL, CheckConstraint, ForeignKey, Index, String, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.common import enum_column, utcnow
from app.extensions import db
from app.search import name_key


class StudentKind(enum.StrEnum):
    SECONDARY = "secondary"
    OSY = "osy"  # out-of-school youth


class Student(db.Model):
    __tablename__ = "student"
    __table_args__ = (
        Index("ix_student_site_name", "site_id", "family_name", "given_name"),
        # A state's or the installation's students list walks this one by name (index only).
        Index("ix_student_name", "family_name", "given_name", "id", "site_id"),
        Index("ix_student_site_search", "site_id", "search_name"),
        # PostgreSQL finds a name's part anywhere (LIKE '%garc%') by trigrams, not by reading
        # every name of the state: a rare name 14 ms -> 0.14 ms at national scale.
        Index(
            "ix_student_search_trgm",
            "search_name",
            postgresql_using="gin",
            postgresql_ops={"search_name": "gin_trgm_ops"},
            info={"dialect": "postgresql"},  # Alembic compares it there only (app/models.py)
        ).ddl_if(dialect="postgresql"),
        # The reports count a site's or state's students by kind from this index alone.
        Index("ix_student_site_kind", "site_id", "kind", "id"),
        # CEDS grades 01-12 (rosters); the student form asks for 6-12.
        CheckConstraint("grade_level >= 1 AND grade_level <= 12", name="grade_level_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), unique=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"))
    given_name: Mapped[str] = mapped_column(String(100))
    family_name: Mapped[str] = mapped_column(String(100))  # first surname (apellido paterno)
    second_family_name: Mapped[str | None] = mapped_column(String(100))  # apellido materno
    # The names folded (no accents, lower-case: "jose garcia lopez"), set whenever a name is
    # written, so a search ignoring accents compares a stored, indexed column on every engine.
    search_name: Mapped[str] = mapped_column(
        String(320), default=lambda context: _inserted_name_key(context), server_default=""
    )
    sex: Mapped[str | None] = mapped_column(String(1))  # F, M or X (app/rosters/msix.py codes)
    birth_date: Mapped[date | None]
    kind: Mapped[StudentKind] = enum_column(StudentKind, default=StudentKind.SECONDARY)
    grade_level: Mapped[int | None]  # US grade 6-12; None for OSY without a grade
    msix_id: Mapped[str | None] = mapped_column(String(12), unique=True)
    state_student_id: Mapped[str | None] = mapped_column(String(40), index=True)
    curp: Mapped[str | None] = mapped_column(String(18), unique=True)
    # OneRoster sourcedId of the user row this student came from (re-imports update it).
    roster_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    # Set when an imported record matched one out of the importer's reach (same MSIX ID, CURP,
    # or name and birth date): a coordinator who can see both decides.
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("student.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    site: Mapped["Site"] = relationship()  # noqa: F821
    user: Mapped["User | None"] = relationship()  # noqa: F821
    duplicate_of: Mapped["Student | None"] = relationship(remote_side=[id])

    @property
    def full_name(self) -> str:
        return " ".join(
            part for part in (self.given_name, self.family_name, self.second_family_name) if part
        )

    def __repr__(self) -> str:
        return f"<Student {self.id} {self.full_name}>"


@event.listens_for(Student, "before_insert")
@event.listens_for(Student, "before_update")
def _keep_search_name(_mapper, _connection, student: Student) -> None:
    student.search_name = student_name_key(student)


def _inserted_name_key(context) -> str:
    """The default for a bulk (Core) insert that leaves `search_name` out."""
    row = context.get_current_parameters()
    return name_key(row.get("given_name"), row.get("family_name"), row.get("second_family_name"))


def student_name_key(student) -> str:
    """The `search_name` of a student (or of any row with the three name fields)."""
    return name_key(student.given_name, student.family_name, student.second_family_name)


# The trigram operator class the name index uses (a trusted extension: the database's owner
# may add it); created with the schema, as the migration does.
event.listen(
    Student.__table__,
    "before_create",
    DDL("CREATE EXTENSION IF NOT EXISTS pg_trgm").execute_if(dialect="postgresql"),
)
