"""The range-check migration reads the existing rows first: it refuses bad data, naming it."""

from decimal import Decimal

import pytest
from alembic import command
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from app import create_app
from app.extensions import db
from config import BASE_DIR, TestingConfig
from tests.installations import database_url

BEFORE = "ee9a3dd443af"  # the head before the checks
CHECKS = "9c4d2e6f8a10"


@pytest.fixture
def old_database(tmp_path):
    """An app on a new database migrated to the revision before the checks, and its config."""
    with database_url(tmp_path, "checks") as url:

        class OldConfig(TestingConfig):
            SQLALCHEMY_DATABASE_URI = url

        app = create_app(OldConfig)
        with app.app_context():
            config = app.extensions["migrate"].migrate.get_config(str(BASE_DIR / "migrations"))
            command.upgrade(config, BEFORE)
            yield config
            db.engine.dispose()


def _add_course_versions(credits: dict[int, float]) -> None:
    with db.engine.begin() as connection:
        connection.execute(
            text("INSERT INTO course (id, code, created_at) VALUES (1, 'C1', :at)"),
            {"at": "2026-11-01 00:00:00"},
        )
        for version_id, credit in credits.items():
            connection.execute(
                text(
                    "INSERT INTO course_version (id, course_id, version, subject, title_en, "
                    "title_es, description_en, description_es, grade_levels, credit, hours, "
                    "unit_count, content_hash, imported_at, is_current) VALUES (:id, 1, :version, "
                    "'mathematics', 'Algebra', 'Álgebra', '', '', '9-12', :credit, 90, 5, :hash, "
                    ":at, :current)"
                ),
                {
                    "id": version_id,
                    "version": f"1.0.{version_id}",
                    "credit": credit,
                    "hash": "0" * 64,
                    "at": "2026-11-01 00:00:00",
                    "current": version_id == 1,
                },
            )


def _revision() -> str:
    with db.engine.connect() as connection:
        return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def test_bad_rows_stop_the_upgrade_with_what_is_wrong_and_nothing_changes(old_database):
    _add_course_versions({1: 0.5, 2: 3.0, 3: 2.5, 4: 0.333})
    with pytest.raises(RuntimeError) as refusal:
        command.upgrade(old_database, "head")
    message = str(refusal.value)
    assert "nothing was changed" in message
    assert (
        "course_version.credit: 2 row(s) break ck_course_version_credit_range "
        "(credit > 0 AND credit <= 2); ids 2, 3"
    ) in message
    assert "course_version.credit: 1 row(s) break NUMERIC(6, 2) (at most 2 decimals); ids 4" in (
        message
    )
    assert "credit_award" not in message  # only what is broken is named
    assert _revision() == BEFORE
    assert not inspect(db.engine).get_check_constraints("course_version")


def test_clean_rows_upgrade_and_are_then_guarded(old_database):
    _add_course_versions({1: 0.5, 2: 0.3, 3: 2})
    command.upgrade(old_database, CHECKS)
    assert _revision() == CHECKS
    with db.engine.connect() as connection:
        credits = connection.execute(text("SELECT credit FROM course_version ORDER BY id"))
        assert [Decimal(str(c)) for (c,) in credits] == [Decimal("0.5"), Decimal("0.3"), 2]
    names = {c["name"] for c in inspect(db.engine).get_check_constraints("course_version")}
    assert "ck_course_version_credit_range" in names
    with pytest.raises(IntegrityError), db.engine.begin() as connection:
        connection.execute(text("UPDATE course_version SET credit = 5 WHERE id = 1"))
    command.downgrade(old_database, BEFORE)
    assert not inspect(db.engine).get_check_constraints("course_version")
    command.upgrade(old_database, CHECKS)
