"""Keyset paging: a list's next or previous page starts after (before) the row a link names,
so page 8,000 costs what page 2 does, where OFFSET reads and drops every row before it."""

import base64
import binascii
import json
from datetime import date, datetime

from sqlalchemy import Select, tuple_
from sqlalchemy.sql import operators
from sqlalchemy.sql.elements import ColumnElement, UnaryExpression

KINDS = (int, str, datetime, date)
MAX_CURSOR = 512  # characters: a cursor names a few short values


def order_columns(keys: Select) -> list[ColumnElement] | None:
    """The columns `keys` is ordered by, all ascending and NOT NULL; None when the order is
    anything else (a descending, computed or nullable key): such a list pages by offset."""
    columns = []
    for clause in keys._order_by_clauses:
        if isinstance(clause, UnaryExpression):
            if clause.modifier is not operators.asc_op:
                return None
            clause = clause.element
        if getattr(clause, "nullable", True) or clause.type.python_type not in KINDS:
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


def encode_cursor(values) -> str:
    """A row's order values as a URL-safe token."""
    plain = [v.isoformat() if isinstance(v, date | datetime) else v for v in values]
    return base64.urlsafe_b64encode(json.dumps(plain, separators=(",", ":")).encode()).decode()


def decode_cursor(token: str | None, columns: list[ColumnElement]) -> list | None:
    """The values a cursor names, typed as `columns`; None for a missing or unreadable one
    (a hand-edited link then pages by offset, never fails)."""
    if not token or len(token) > MAX_CURSOR:
        return None
    try:
        values = json.loads(base64.urlsafe_b64decode(token.encode()))
    except (ValueError, binascii.Error):
        return None
    if not isinstance(values, list) or len(values) != len(columns):
        return None
    typed = []
    for value, column in zip(values, columns, strict=True):
        kind = column.type.python_type
        if kind in (datetime, date):
            try:
                value = kind.fromisoformat(value) if isinstance(value, str) else None
            except ValueError:
                return None
        # bool is an int to Python; a cursor never holds one
        if not isinstance(value, kind) or isinstance(value, bool):
            return None
        typed.append(value)
    return typed


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
