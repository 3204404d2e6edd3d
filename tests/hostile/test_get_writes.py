"""No GET changes state: every GET route of the truth table, as every role, writes nothing but
the audit trail (downloads are audited) and a token's last use."""

import re

import pytest
from sqlalchemy import event

from app import create_app
from app.extensions import db
from config import TestingConfig
from tests.test_access import ROLES, TABLE, objects, request_as, routes  # noqa: F401 - a fixture

WRITE = re.compile(r"^\s*(INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+\"?(\w+)", re.IGNORECASE)
ALLOWED = {
    "audit_event",  # who downloaded a record is itself a record (FERPA)
    "api_token",  # last_used_at, bookkeeping of the token that authenticated the request
}


@pytest.fixture
def writes():
    seen: list[tuple[str, str]] = []

    def record(_conn, _cursor, statement, _parameters, _context, _executemany):
        match = WRITE.match(statement)
        if match:
            seen.append((match.group(2).lower(), statement.split("\n")[0][:120]))

    event.listen(db.engine, "before_cursor_execute", record)
    yield seen
    event.remove(db.engine, "before_cursor_execute", record)


def get_endpoints() -> list[str]:
    """Endpoints of the truth table that answer GET (the URL map of a throwaway app)."""
    rules = create_app(TestingConfig).url_map.iter_rules()
    return sorted(
        rule.endpoint for rule in rules if "GET" in rule.methods and rule.endpoint in TABLE
    )


@pytest.mark.parametrize("endpoint", get_endpoints())
def test_get_writes_nothing_but_audit(app, objects, writes, endpoint):  # noqa: F811
    users, params = objects
    rule = routes(app)[endpoint]
    writes.clear()
    for role in ROLES:
        request_as(app, rule, role, users, params)
    unexpected = [statement for table, statement in writes if table not in ALLOWED]
    assert unexpected == [], endpoint
