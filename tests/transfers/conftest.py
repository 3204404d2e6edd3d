"""Two Puente installations side by side: each its own database file, key and address."""

import pytest

from app import create_app
from app.extensions import db
from config import TestingConfig


def make_installation(tmp_path, name: str, address: str):
    class InstallationConfig(TestingConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path / name}.db"
        SIGNING_KEY_FILE = tmp_path / f"{name}-key.pem"
        PUBLIC_BASE_URL = address
        INSTALLATION_NAME = f"Puente {name}"

    app = create_app(InstallationConfig)
    with app.app_context():
        db.create_all()
    return app


@pytest.fixture
def texas(tmp_path):
    app = make_installation(tmp_path, "texas", "https://tx.puente.example")
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def north_dakota(tmp_path):
    app = make_installation(tmp_path, "dakota", "https://nd.puente.example")
    yield app
    with app.app_context():
        db.engine.dispose()
