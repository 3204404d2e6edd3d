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


# The statement a kept page served early is checked with (app/page_cache/early.py).
EARLY_CHECK = "SELECT user_account.id, user_account.session_version, user_account.role"


def rendering(statements: list[str]) -> list[str]:
    """`statements` less a kept page's early check, which a view after a change runs first
    (and finds the page changed): what rendering the page cost."""
    if statements and statements[0].startswith(EARLY_CHECK):
        return statements[1:]
    return statements
