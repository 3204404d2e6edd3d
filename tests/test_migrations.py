"""Migrations: one head, and `upgrade` from empty builds exactly the models' schema."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import upgrade

from app import create_app
from app.extensions import db
from app.models import schema_for
from config import BASE_DIR, TestingConfig
from tests.installations import database_url


def test_single_head(app):
    script = ScriptDirectory.from_config(app.extensions["migrate"].migrate.get_config())
    assert len(script.get_heads()) == 1


@pytest.fixture
def empty_database_url(tmp_path):
    """A brand-new empty database on the engine the suite runs on."""
    with database_url(tmp_path, "migrate") as url:
        yield url


def test_upgrade_from_empty_matches_models(empty_database_url):
    class MigrateConfig(TestingConfig):
        SQLALCHEMY_DATABASE_URI = empty_database_url

    app = create_app(MigrateConfig)
    with app.app_context():
        upgrade(directory=str(BASE_DIR / "migrations"))
        with db.engine.connect() as connection:
            include_object = schema_for(connection.dialect.name)
            options = {"compare_type": True, "include_object": include_object}
            context = MigrationContext.configure(connection, opts=options)
            diff = compare_metadata(context, db.metadata)
        tables = set(db.metadata.tables)
        db.engine.dispose()
    assert "enrollment" in tables
    assert diff == [], f"models and migrations differ: {diff}"
