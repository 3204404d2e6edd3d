"""The gradebook migration fills the stored search name of the students already there."""

import pytest
from alembic import command
from sqlalchemy import text

from app import create_app
from app.extensions import db
from config import BASE_DIR, TestingConfig
from tests.installations import database_url

BEFORE = "63ff974df3db"
SEARCH_NAME = "b7d1e4a2c9f3"


@pytest.fixture
def old_database(tmp_path):
    with database_url(tmp_path, "search") as url:

        class OldConfig(TestingConfig):
            SQLALCHEMY_DATABASE_URI = url

        app = create_app(OldConfig)
        with app.app_context():
            config = app.extensions["migrate"].migrate.get_config(str(BASE_DIR / "migrations"))
            command.upgrade(config, BEFORE)
            yield config
            db.engine.dispose()


def test_existing_students_get_their_folded_name(old_database):
    with db.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO site (id, code, name, state_code, is_external, created_at) "
                "VALUES (1, 'S1', 'Weslaco', 'US-TX', false, '2026-11-01 00:00:00')"
            )
        )
        for student_id, given, family, second in (
            (1, "José  María", "García", "López"),
            (2, "ANA", "NÚÑEZ", None),
        ):
            connection.execute(
                text(
                    "INSERT INTO student (id, site_id, given_name, family_name, "
                    "second_family_name, kind, created_at) VALUES (:id, 1, :given, :family, "
                    ":second, 'secondary', '2026-11-01 00:00:00')"
                ),
                {"id": student_id, "given": given, "family": family, "second": second},
            )
    command.upgrade(old_database, SEARCH_NAME)
    with db.engine.connect() as connection:
        rows = connection.execute(text("SELECT id, search_name FROM student ORDER BY id")).all()
    assert [tuple(r) for r in rows] == [(1, "jose maria garcia lopez"), (2, "ana nunez")]
