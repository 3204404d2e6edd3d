"""Surnames however a system split them: "García López" in one field, or García / López apart."""

from sqlalchemy import ColumnElement, and_, func, or_

from app.students.models import Student


def full_surnames(family: str | None, second: str | None) -> str:
    """Both surnames as written: ("García", "López") -> "García López"."""
    return " ".join(n.strip() for n in (family, second) if n and n.strip())


def record_surnames() -> ColumnElement[str]:
    """A student's surnames as written, lower-case, in SQL."""
    return func.lower(
        func.trim(Student.family_name + " " + func.coalesce(Student.second_family_name, ""))
    )


def same_surnames(family: str, second: str | None = None) -> ColumnElement[bool]:
    """Students whose surnames are these, split either way, or the first surname alone
    where one side left the second (apellido materno) out."""
    wanted = full_surnames(family, second).lower()
    first = wanted.split(" ")[0]
    clauses = [record_surnames() == wanted, func.lower(Student.family_name) == wanted]
    if first != wanted:
        clauses.append(
            and_(Student.second_family_name.is_(None), func.lower(Student.family_name) == first)
        )
    return or_(*clauses)
