"""Keyset paging: a list's next or previous page starts after (before) the row a link names,
so page 8,000 costs what page 2 does, where OFFSET reads and drops every row before it.

A link names the row by its key alone (`?after=1224`): the order's values (students' names)
never go into URLs or logs, and the row is looked up in the user's own list, so a key outside
it names nothing (the page is then found by number)."""

from sqlalchemy import Select, tuple_
from sqlalchemy.sql import operators
from sqlalchemy.sql.elements import ColumnElement, UnaryExpression

MAX_KEY = 2**31 - 1  # PostgreSQL INTEGER, every id column


def order_columns(keys: Select) -> list[ColumnElement] | None:
    """The columns `keys` is ordered by, all ascending and NOT NULL; None when the order is
    anything else (a descending, computed or nullable key): such a list pages by offset."""
    columns = []
    for clause in keys._order_by_clauses:
        if isinstance(clause, UnaryExpression):
            if clause.modifier is not operators.asc_op:
                return None
            clause = clause.element
        if getattr(clause, "nullable", True):
            return None
        columns.append(clause)
    return columns or None


def with_order_values(keys: Select, columns: list[ColumnElement]) -> tuple[Select, list[int]]:
    """`keys` also selecting the order's columns it does not select yet, and where in its rows
    each order column's value is."""
    selected = list(keys.selected_columns)
    positions = []
    for column in columns:
        at = next((i for i, c in enumerate(selected) if c.compare(column)), None)
        if at is None:
            selected.append(column)
            keys, at = keys.add_columns(column), len(selected) - 1
        positions.append(at)
    return keys, positions


def values_of(row, positions: list[int]) -> list:
    """A row's order values (see `with_order_values`)."""
    return [row[at] for at in positions]


def read_key(text: str | None) -> int | None:
    """A link's row key, or None when missing or not a key (the page is then found by number)."""
    if not text or not text.isdigit() or len(text) > 10:
        return None
    key = int(text)
    return key if 1 <= key <= MAX_KEY else None


def anchor(keys: Select, key: int) -> Select:
    """The row `key` of the list `keys` (its scope and filters kept), with its order values."""
    return keys.where(keys.selected_columns[0] == key).order_by(None).limit(1)


def after(keys: Select, columns: list[ColumnElement], values: list) -> Select:
    """`keys` from the row after `values` on, in the list's order."""
    return keys.where(tuple_(*columns) > tuple_(*values))


def before(keys: Select, columns: list[ColumnElement], values: list) -> Select:
    """`keys` from the row before `values` backwards (reverse the rows to read them in order)."""
    return (
        keys.where(tuple_(*columns) < tuple_(*values))
        .order_by(None)
        .order_by(*(column.desc() for column in columns))
    )
