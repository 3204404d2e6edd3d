"""Pooled database connections checked before use only once they have sat idle: a connection
used a moment ago is alive, and a check on every request would cost it a round trip."""

import time

from flask import Flask
from sqlalchemy import event, exc
from sqlalchemy.engine import Engine


def ping_idle_connections(engine: Engine, idle_seconds: float) -> None:
    """Before a connection that sat in `engine`'s pool for `idle_seconds` or more is handed out,
    ask the database whether it is still there; a dead one, and every one pooled before it, is
    replaced (SQLAlchemy's pre-ping, run only when it may find something)."""

    @event.listens_for(engine, "checkin")
    def remember_when_idle(dbapi_connection, record) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def ping_if_idle(dbapi_connection, record, proxy) -> None:
        idle_since = record.info.pop("idle_since", None)
        if idle_since is None or time.monotonic() - idle_since < idle_seconds:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as error:
            if engine.dialect.is_disconnect(error, dbapi_connection, None):
                raise exc.InvalidatePoolError(str(error)) from error
            raise


def install(app: Flask, db) -> None:
    with app.app_context():
        for engine in db.engines.values():
            ping_idle_connections(engine, app.config["PING_AFTER_IDLE_SECONDS"])
