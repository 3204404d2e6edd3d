"""Bench scripts wipe only databases they seeded: a marker table says which those are."""

import sys

from sqlalchemy import inspect

from app.extensions import db

MARKER_TABLE = "puente_bench_marker"


def ensure_bench_database() -> None:
    """Exit (status 2) unless the database is empty or carries the bench marker.

    A developer whose DATABASE_URL or instance/config.py names their own database keeps it.
    """
    tables = set(inspect(db.engine).get_table_names())
    if tables and MARKER_TABLE not in tables:
        url = db.engine.url.render_as_string(hide_password=True)
        sys.exit(
            f"Refusing to wipe {url}: it holds {len(tables)} tables and was not seeded by a "
            f"bench script (no {MARKER_TABLE} table). Point DATABASE_URL at an empty database."
        )


def mark_bench_database(script: str) -> None:
    """Record that `script` seeded this database, so later runs may wipe it again."""
    with db.engine.begin() as connection:
        connection.exec_driver_sql(
            f"CREATE TABLE IF NOT EXISTS {MARKER_TABLE} (seeded_by VARCHAR(80) NOT NULL)"
        )
        connection.exec_driver_sql(f"DELETE FROM {MARKER_TABLE}")
        connection.exec_driver_sql(
            f"INSERT INTO {MARKER_TABLE} (seeded_by) VALUES (?)"
            if db.engine.dialect.name == "sqlite"
            else f"INSERT INTO {MARKER_TABLE} (seeded_by) VALUES (%s)",
            (script,),
        )
