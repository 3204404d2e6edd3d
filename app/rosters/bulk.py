"""Fast bulk writes for national-scale imports: COPY on PostgreSQL, executemany elsewhere."""

from collections.abc import Iterable

from sqlalchemy import ARRAY, ColumnElement, String, Table, bindparam, func, select
from sqlalchemy.types import NullType

from app.extensions import db


def insert_rows(table: Table, rows: list[dict]) -> None:
    """Insert `rows` (dicts with the same keys, in the same order; enums as their plain values)
    into `table` within the session's transaction."""
    if not rows:
        return
    connection = db.session.connection()
    if connection.dialect.name != "postgresql":
        connection.execute(table.insert(), rows)
        return
    from psycopg import sql

    columns = list(rows[0])
    statement = sql.SQL("COPY {} ({}) FROM STDIN (FORMAT BINARY)").format(
        sql.Identifier(table.name), sql.SQL(", ").join(map(sql.Identifier, columns))
    )
    # psycopg's executemany sends one statement per row; COPY streams them all at once.
    raw = connection.connection.driver_connection
    with raw.cursor() as cursor, cursor.copy(statement) as copy:
        copy.set_types([_binary_type(table.c[name].type, connection.dialect) for name in columns])
        for row in rows:
            copy.write_row(tuple(row.values()))


# SQL types as compiled for PostgreSQL -> the names psycopg writes binary COPY values as.
BINARY_TYPES = {
    "INTEGER": "int4",
    "BIGINT": "int8",
    "SMALLINT": "int2",
    "VARCHAR": "text",
    "TEXT": "text",
    "TIMESTAMP WITHOUT TIME ZONE": "timestamp",
    "DATE": "date",
    "BOOLEAN": "bool",
    "FLOAT": "float8",
    "DOUBLE PRECISION": "float8",
}


def _binary_type(column_type, dialect) -> str:
    return BINARY_TYPES[column_type.compile(dialect=dialect).split("(")[0]]


def among(column: ColumnElement, values: Iterable) -> ColumnElement[bool]:
    """`column IN values`, as one array parameter on PostgreSQL (thousands of values stay cheap)."""
    values = list(values)
    if db.session.get_bind().dialect.name == "postgresql":
        item = String() if isinstance(column.type, NullType) else column.type
        # IN (SELECT unnest(array)): a join the planner can hash, even in the generic plan
        # psycopg's prepared statements get (where `= ANY(array)` scans the array per row).
        return column.in_(select(func.unnest(bindparam(None, values, type_=ARRAY(item)))))
    return column.in_(values)
