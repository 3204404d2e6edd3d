"""Fast bulk writes for national-scale imports: COPY on PostgreSQL, executemany elsewhere."""

import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager

from sqlalchemy import (
    ARRAY,
    ColumnElement,
    Date,
    DateTime,
    String,
    Table,
    bindparam,
    func,
    literal_column,
    select,
)
from sqlalchemy.types import NullType

from app.extensions import db
from app.page_cache.changes import note_everything_changed

SQLITE_CACHE_KIB = 65_536  # page cache while an import writes (SQLite's default is 2 MB)


@contextmanager
def bulk_writing() -> Iterator[None]:
    """Write a large import: on SQLite, a bigger page cache for the while (a 2 MB cache spills
    each index's pages to the file again and again: 3 s of CPU in a national import)."""
    connection = db.session.connection()
    if connection.dialect.name != "sqlite":
        yield
        return
    before = connection.exec_driver_sql("PRAGMA cache_size").scalar()
    connection.exec_driver_sql(f"PRAGMA cache_size = -{SQLITE_CACHE_KIB}")
    try:
        yield
    finally:
        connection.exec_driver_sql(f"PRAGMA cache_size = {int(before)}")


def insert_rows(table: Table, columns: Sequence[str], rows: Iterable[tuple]) -> None:
    """Insert `rows` (tuples of plain values in the order of `columns`: enums as their values,
    no Python-side defaults applied) into `table` within the session's transaction."""
    note_everything_changed(db.session)  # no session event sees these statements
    connection = db.session.connection()
    if connection.dialect.name != "postgresql":
        # The driver's executemany with values converted here: SQLAlchemy's per-row parameter
        # handling cost more than SQLite's own work (5 of 13 s for 50,000 students).
        quote = connection.dialect.identifier_preparer.quote
        statement = "INSERT INTO {} ({}) VALUES ({})".format(
            quote(table.name), ", ".join(map(quote, columns)), ", ".join("?" * len(columns))
        )
        convert = _converters(table, columns, connection.dialect)
        if convert:
            rows = (_converted(row, convert) for row in rows)
        rows = list(rows)
        if rows:
            connection.exec_driver_sql(statement, rows)
        return
    from psycopg import sql

    statement = sql.SQL("COPY {} ({}) FROM STDIN (FORMAT BINARY)").format(
        sql.Identifier(table.name), sql.SQL(", ").join(map(sql.Identifier, columns))
    )
    # psycopg's executemany sends one statement per row; COPY streams them all at once.
    raw = connection.connection.driver_connection
    with raw.cursor() as cursor, cursor.copy(statement) as copy:
        copy.set_types([_binary_type(table.c[name].type, connection.dialect) for name in columns])
        for row in rows:
            copy.write_row(row)


def _converters(table: Table, columns: Sequence[str], dialect) -> list[tuple[int, Callable]]:
    """(position, SQLAlchemy's conversion) for the date and time columns, stored as text."""
    found = []
    for position, name in enumerate(columns):
        column_type = table.c[name].type
        if isinstance(column_type, Date | DateTime):
            processor = column_type.bind_processor(dialect)
            if processor is not None:
                found.append((position, _remembering(processor)))
    return found


def _remembering(processor: Callable) -> Callable:
    """`processor`, converting a value given again (a batch's one timestamp) only once."""
    last: list = [object(), None]

    def convert(value):
        if value is not last[0]:
            last[0], last[1] = value, (None if value is None else processor(value))
        return last[1]

    return convert


def _converted(row: tuple, convert: list[tuple[int, Callable]]) -> tuple:
    values = list(row)
    for position, processor in convert:
        values[position] = processor(values[position])
    return tuple(values)


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
    """`column IN values`, as one parameter (an array on PostgreSQL, a JSON list on SQLite) so
    thousands of values stay cheap and the statement is compiled once, not per list length."""
    values = list(values)
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        item = String() if isinstance(column.type, NullType) else column.type
        # IN (SELECT unnest(array)): a join the planner can hash, even in the generic plan
        # psycopg's prepared statements get (where `= ANY(array)` scans the array per row).
        return column.in_(select(func.unnest(bindparam(None, values, type_=ARRAY(item)))))
    if dialect == "sqlite" and all(type(v) in (int, str) for v in values):
        listed = func.json_each(bindparam(None, json.dumps(values), type_=String()))
        return column.in_(select(literal_column("value")).select_from(listed))
    return column.in_(values)
