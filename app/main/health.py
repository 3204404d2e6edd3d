"""Health checks for /healthz: the database and the job queue, each up or down."""

from sqlalchemy import text

from app.extensions import db


def database_status() -> dict:
    """{"database": "ok", "dialect": ...} or {"database": "error", "database_error": class}."""
    try:
        db.session.execute(text("SELECT 1"))
    except Exception as error:  # noqa: BLE001 - any failure means the database is down
        db.session.rollback()
        return {"database": "error", "database_error": type(error).__name__}
    return {"database": "ok", "dialect": db.engine.dialect.name}


def queue_status(queue) -> dict:
    """{"jobs": "ok", "jobs_pending": n} when the Huey queue's storage answers, else the error."""
    try:
        pending = queue.pending_count()
    except Exception as error:  # noqa: BLE001 - Redis or SQLite down, refused, locked...
        return {"jobs": "error", "jobs_error": type(error).__name__}
    return {"jobs": "ok", "jobs_pending": pending}
