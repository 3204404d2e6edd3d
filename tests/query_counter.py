"""Count SQL statements run while a block executes (to catch N+1 queries)."""

from contextlib import contextmanager

from sqlalchemy import event
from sqlalchemy.engine import Engine


@contextmanager
def count_queries():
    """Collect the SQL statements any engine sends while the block runs, leaving out the test
    transaction's SAVEPOINT / RELEASE / ROLLBACK (they are the test harness, not the page)."""
    statements: list[str] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
            statements.append(statement)

    event.listen(Engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        event.remove(Engine, "before_cursor_execute", before)
