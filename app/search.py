"""One search for every list: accent- and case-insensitive substring matching, `%` and `_` literal."""

import sqlite3

from sqlalchemy import ColumnElement, String, event, or_
from sqlalchemy.engine import Engine
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

# The accented letters of Spanish, Portuguese and French names and their plain forms; the
# same table folds on SQLite (a Python function) and PostgreSQL (translate), so both agree.
ACCENTED = "áàâäãåéèêëíìîïóòôöõúùûüñçýÿÁÀÂÄÃÅÉÈÊËÍÌÎÏÓÒÔÖÕÚÙÛÜÑÇÝ"
PLAIN = "aaaaaaeeeeiiiiooooouuuuncyyAAAAAAEEEEIIIIOOOOOUUUUNCY"
_TABLE = str.maketrans(ACCENTED, PLAIN)
MAX_TERMS = 4


def fold(text: str | None) -> str:
    """`text` without accents, lower-case: "Núñez" -> "nunez"."""
    return (text or "").translate(_TABLE).lower()


def name_key(*names: str | None) -> str:
    """The folded words of a person's names, one space apart, for a stored search column:
    ("José", "García", "López") -> "jose garcia lopez"."""
    return " ".join(fold(" ".join(n for n in names if n)).split())


def like_pattern(text: str) -> str:
    """A LIKE pattern finding `text` anywhere, its `%`, `_` and `\\` taken literally (escape `\\`)."""
    escaped = fold(text).replace("\\", "\\\\").replace("%", r"\%").replace("_", r"\_")
    return f"%{escaped}%"


class Folded(FunctionElement):
    """SQL: a column's text without accents, lower-case (see `fold`)."""

    type = String()
    inherit_cache = True
    name = "puente_fold"


@compiles(Folded)
def _fold_sqlite(element, compiler, **kw):
    return f"puente_fold({compiler.process(element.clauses, **kw)})"


@compiles(Folded, "postgresql")
def _fold_postgresql(element, compiler, **kw):
    argument = compiler.process(element.clauses, **kw)
    return f"lower(translate({argument}, '{ACCENTED}', '{PLAIN}'))"


def contains(text: str, *columns) -> ColumnElement[bool]:
    """Any of `columns` contains `text`, ignoring accents and case."""
    pattern = like_pattern(text)
    return or_(*(Folded(column).like(pattern, escape="\\") for column in columns))


def key_contains(text: str, key_column) -> ColumnElement[bool]:
    """A stored `name_key` column contains `text` (folded the same way), no function per row."""
    return key_column.like(like_pattern(" ".join(text.split())), escape="\\")


def terms(text: str | None) -> list[str]:
    """The words of a search box (at most MAX_TERMS)."""
    return (text or "").split()[:MAX_TERMS]


def _fold_or_null(text: str | None) -> str | None:
    return None if text is None else fold(text)


@event.listens_for(Engine, "connect")
def _register_sqlite_fold(dbapi_connection, _record) -> None:
    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.create_function("puente_fold", 1, _fold_or_null, deterministic=True)
