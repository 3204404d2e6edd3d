"""Pooled connections: one that sat idle is checked before a request gets it, so a
connection the database closed meanwhile is replaced, not handed on; a connection used a
moment ago is handed on as it is (no round trip to check it)."""

import os
import time

import pytest
from sqlalchemy import create_engine, exc, text

from app.connections import ping_idle_connections


@pytest.fixture
def engine(tmp_path):
    url = os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{tmp_path / 'pool.db'}"
    engine = create_engine(url, pool_size=1, max_overflow=0)
    yield engine
    engine.dispose()


def _close_from_the_server_side(engine) -> None:
    """End the pooled connection as a database restart would."""
    with engine.connect() as connection:
        raw = connection.connection.dbapi_connection
    if engine.dialect.name == "postgresql":
        with create_engine(engine.url).connect() as other:
            other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": raw.info.backend_pid})
            other.commit()
    else:
        raw.close()  # pooled, and closed under the pool


def test_a_connection_closed_while_idle_is_replaced_before_use(engine):
    ping_idle_connections(engine, idle_seconds=0.05)
    _close_from_the_server_side(engine)
    time.sleep(0.1)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT 1")).scalar() == 1


def test_a_connection_used_a_moment_ago_is_not_checked(engine):
    ping_idle_connections(engine, idle_seconds=60)
    _close_from_the_server_side(engine)
    with pytest.raises(exc.DBAPIError), engine.connect() as connection:
        connection.execute(text("SELECT 1"))
    with engine.connect() as connection:  # the failure itself replaced it
        assert connection.execute(text("SELECT 1")).scalar() == 1
